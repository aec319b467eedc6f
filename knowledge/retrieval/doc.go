// Package retrieval is the knowledge base's retrieval core: it reads a
// question, finds and re-ranks candidate sections, gives the best document
// a calibrated confidence, chooses the passages an answer quotes and
// extracts the quote. It works on an Index, an immutable snapshot of the
// corpus that a Builder makes from what package knowledge stores in
// SQLite, and touches no database, file or network itself: for a
// knowledge base too large to hold in memory the caller runs the FTS5
// query a Ranking gives it and hands back the rows, and a question's
// embedding is the caller's to fetch.
//
// One question goes through these stages, in this order (package
// knowledge's Base.retrieveWith and Base.ask run them):
//
//	r := ix.Analyse(q)   // analyse.go: words, shorthand, abbreviations, typos (typos.go),
//	                     // synonym phrases (synonyms.go), weighted concepts
//	r.Search()           // search.go: BM25 over the in-memory posting lists, or
//	                     // r.MatchQuery() run on FTS5 and each row to r.AddCandidate
//	r.Rerank()           // rerank.go: how much of the question each section and document
//	                     // covers; confidence.go: the ranking score and the confidence
//	r.Fuse(vec)          // fuse.go, optional: reciprocal rank fusion with embeddings
//	r.ApplyLearnt()      // learnt.go: phrasings organisers taught
//	r.Passages(read)     // passages.go: the sections that answer best; sectionmodel.go
//	                     // scores them, with word vectors from meaning.go
//	r.Extract(passages)  // extract.go: the sentences an extractive answer quotes
//
// Explain (explain.go) and FeatureRow (features.go, for the offline fit
// scripts) describe a finished Ranking. The index itself is index.go
// (documents, statistics, the Builder) and search.go (sections and their
// posting lists); words.go is tokenising and stemming, shared with
// ingest.
package retrieval

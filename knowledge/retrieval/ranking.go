package retrieval

import (
	"math"
	"slices"

	"github.com/bothy-chat/bothy/knowledge/wordvec"
)

// Ranking is one question going through retrieval: what the question
// asks (Analyse), the candidate sections BM25 found (Search, or
// AddCandidate with FTS5's rows), the documents ranked best first with
// their confidence (Rerank, Fuse, ApplyLearnt), and then the passages and
// the quote an answer is made of (Passages, Extract). Its stages run in
// that order, on one goroutine.
type Ranking struct {
	ix       *Index
	toks     []token           // the question's words as typed
	qwords   []int32           // content words in the vector table, on first use
	simCache map[int32]float32 // a heading word's best similarity to them
	alts     []alt             // what the in-memory search looked up (nil for FTS5)
	// altHits are the postings of each of alts.
	altHits [][]posting
	// learnt are the phrasings the question was asked like, best first
	// (learnt.go).
	learnt []learntMatchOf
	// org and personal are the question's voice, for q.
	org, personal float64
	// qsum sums the question's word vectors (errand.go); qunit is it at
	// unit length (nil for no words), for vecCos and the fit's rows.
	qsum, qunit []float32
	// need holds the asking clause's content words, on first use
	// (needSim); needBest is its scratch.
	need     *wordvec.Probe
	needBest []float32
	// asksNum is 1 when the question asks how long, how many or when, -1
	// when not, 0 before it is known (asksNumber).
	asksNum int8

	concepts []concept
	cands    []candidate
	hits     []Hit
	q        QuestionFeatures
}

// Hit is one ranked document.
type Hit struct {
	ID, Title, Kind, URL, Updated string
	// Score orders hits; it is not a probability.
	Score float64
	// Coverage is the share of the question's meaning (idf-weighted) that
	// the document's best passage covers.
	Coverage float64
	// Passage is the best section of the document for this question.
	Passage  string
	Headings string
	feats    Features
	// confidence is the calibrated probability that this document
	// answers the question (0 for a document found only by vectors).
	confidence float64
}

// Analyse reads a question: its words as typed, whom it speaks for, and
// the weighted concepts it asks about (analyse.go).
func (ix *Index) Analyse(question string) *Ranking {
	toks := questionTokens(question)
	org, personal := voice(toks)
	r := &Ranking{ix: ix, toks: slices.Clone(toks), org: org, personal: personal}
	r.concepts = ix.analyse(toks) // which may rewrite toks: after the clone
	return r
}

// Index is the snapshot the question is ranked on.
func (r *Ranking) Index() *Index { return r.ix }

// Searchable reports whether there is anything to search for: a question
// with no concept, or an empty knowledge base, ranks nothing.
func (r *Ranking) Searchable() bool { return len(r.concepts) > 0 && r.ix.n > 0 }

// Search finds the candidate sections in the posting lists held in
// memory; only for an index that holds them (Index.InMemory).
func (r *Ranking) Search() {
	r.alts = r.ix.queryAlts(r.concepts)
	r.cands, r.altHits = r.ix.sections.search(r.alts, MaxCandidates)
}

// MatchQuery is the FTS5 query that finds the candidate sections when the
// index does not hold them in memory; "" when there is nothing to look up.
// Order FTS5's rows by bm25() with BM25Weights, keep MaxCandidates, and
// hand each to AddCandidate.
func (r *Ranking) MatchQuery() string { return r.ix.matchQuery(r.concepts) }

// AddCandidate adds a section FTS5 found, with its bm25() score.
func (r *Ranking) AddCandidate(s Section, bm25 float64) {
	r.cands = append(r.cands, candidate{memSection: r.ix.loadSection(s), bm25: bm25})
}

// Rerank ranks the candidates' documents (rerank.go), each with its
// confidence, from what the question is like as a whole (QuestionFeatures)
// and how well each document covers it.
func (r *Ranking) Rerank() {
	if !r.Searchable() {
		return
	}
	var total, unknown float64
	for _, c := range r.concepts {
		total += c.weight
		if c.unknown {
			unknown += c.weight
		}
	}
	r.q.Unknown = unknown / total
	r.q.Org, r.q.Personal = r.org, r.personal
	r.qsum = sumVecs(nil, tokenVecs(r.toks))
	r.q.errand = errandOf(r.qsum)
	r.qunit = UnitVec(r.qsum)
	if n := len(r.concepts); n > longQuestion {
		// Capped at twice longQuestion: few questions run longer, so
		// the fit knows little of them, and a pasted essay should not
		// earn trust by its length.
		r.q.Long = math.Log(float64(min(n, 2*longQuestion)) / longQuestion)
	}
	r.rerank(r.ix, r.cands, total)
}

// Hits are the ranked documents, best first.
func (r *Ranking) Hits() []Hit { return r.hits }

// Confidence is the calibrated probability that the first document
// answers the question (0 when none does, or when only vectors found it).
func (r *Ranking) Confidence() float64 {
	if len(r.hits) > 0 {
		return r.hits[0].confidence
	}
	return 0
}

// cmpDesc orders larger numbers first.
func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

package knowledge

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Match strengths: the question's own word, a listed synonym, a typo fix.
const (
	matchExact   = 1.0
	matchSynonym = 0.85
	matchTypo    = 0.8
	// platformWeight scales platform names: most guidance applies to any
	// platform, so "on Facebook" in a question is usually its setting.
	platformWeight = 0.5
	// unknownWeight scales the weight of a question word the corpus never
	// uses. Such words count against coverage (they are what makes a
	// question out of scope) but a little less than a rare known word,
	// since questions carry incidental words ("sports day").
	unknownWeight = 0.8
	// maxConcepts bounds the work of a long question.
	maxConcepts = 24
	// ftsCandidates is how many sections BM25 hands to the re-ranker.
	ftsCandidates = 60
)

// concept is one thing the question asks about, with the ways the corpus
// might say it.
type concept struct {
	word     string // as the question wrote it
	alts     []alt
	weight   float64
	mask     bits // every alternative's stems, for skipping sections with none
	generic  bool
	platform bool // a platform name: context more often than topic
	unknown  bool // no way of saying it occurs in the corpus
}

type alt struct {
	surface  string   // for the FTS5 query
	stems    []string // all must appear in a passage
	ids      []uint32 // the stems' vocabulary IDs (0: not in the knowledge base)
	mask     bits     // the stems' places in questionStems
	strength float64
}

// questionTokens cuts a question to maxQuestionRunes and tokenizes it.
func questionTokens(question string) []token {
	if utf8.RuneCountInString(question) > maxQuestionRunes {
		question = string([]rune(question)[:maxQuestionRunes])
	}
	return tokenize(question)
}

// analyse turns a question's tokens (which it may rewrite) into weighted
// concepts, in stages: spell out chat shorthand, read capitalised
// abbreviations, fix typos, match synonym phrases, weigh each concept, keep
// the weightiest, and number their stems for the re-ranker.
func (ix *index) analyse(toks []token) []concept {
	toks = expandShorthand(toks)
	readAbbreviations(toks)
	typo := ix.fixTypos(toks)
	cs := matchPhrases(toks, typo)
	ix.weigh(cs)
	cs = keepWeightiest(cs)
	ix.numberStems(cs)
	return cs
}

// readAbbreviations reads capitalised abbreviations that look like stop
// words ("IT", "X") as what they stand for.
func readAbbreviations(toks []token) {
	for i, t := range toks {
		if t.upper {
			if to := abbreviations[t.word]; to != "" {
				toks[i] = token{word: to, stem: stem(to)}
			}
		}
	}
}

// fixTypos is cheap typo tolerance: an unknown, non-everyday word of six
// letters or more that is one edit from a known word (corpus or synonym
// list) is read as that word. It reports which tokens it changed.
func (ix *index) fixTypos(toks []token) []bool {
	typo := make([]bool, len(toks))
	for i, t := range toks {
		if ix.df[t.stem] > 0 || len(synonyms.byKey[t.stem]) > 0 || isStop(t) || isGeneric(t) {
			continue
		}
		if fixes := ix.correct(t.word); len(fixes) > 0 {
			toks[i] = token{word: fixes[0], stem: ix.words[fixes[0]]}
			typo[i] = true
		}
	}
	return typo
}

// matchPhrases reads the tokens left to right as concepts: the longest
// synonym phrase starting at a token, with its group's other ways of
// saying it, or else the word alone. Stop words are dropped, and a concept
// said twice counts once.
func matchPhrases(toks []token, typo []bool) []concept {
	var out []concept
	seen := map[string]bool{}
	add := func(c concept) {
		key := c.alts[0].surface
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, c)
	}
	for i := 0; i < len(toks); {
		if c, n := synonymPhrase(toks, i, typo[i]); n > 0 {
			if len(c.alts) > 0 {
				add(c)
			}
			i += n
			continue
		}
		t := toks[i]
		i++
		if isStop(t) || (len(t.word) < 2 && !isNonLatin(t.word)) {
			continue
		}
		c := concept{word: t.word, alts: []alt{{surface: t.word, stems: []string{t.stem}, strength: matchExact}}, generic: isGeneric(t)}
		if typo[i-1] {
			c.alts[0].strength = matchTypo
		}
		add(c)
	}
	return out
}

// synonymPhrase is the concept of the longest synonym phrase starting at
// toks[i] and how many tokens it spans (0 when none starts there). typo
// says the first token was a typo fix, which weakens the question's own
// wording.
func synonymPhrase(toks []token, i int, typo bool) (concept, int) {
	for l := min(synonyms.longest[toks[i].stem], len(toks)-i); l >= 1; l-- {
		key := joinStems(toks[i : i+l])
		groups := synonyms.byKey[key]
		if len(groups) == 0 || (l == 1 && isStop(toks[i])) {
			continue
		}
		c := concept{word: joinWords(toks[i : i+l])}
		own := alt{surface: c.word, strength: matchExact}
		if typo {
			own.strength = matchTypo
		}
		for _, t := range toks[i : i+l] {
			if !stopWords[t.word] {
				own.stems = append(own.stems, t.stem)
			}
		}
		if len(own.stems) > 0 {
			c.alts = append(c.alts, own)
		}
		for _, g := range groups {
			for _, a := range synonyms.groups[g] {
				if a.surface != own.surface {
					c.alts = append(c.alts, alt{surface: a.surface, stems: a.stems, strength: matchSynonym})
				}
			}
		}
		if l == 1 && isGeneric(toks[i]) {
			c.generic = true // "long", "left": everyday words first
		}
		if l == 1 && platformSet[toks[i].stem] {
			c.platform = true
		}
		return c, l
	}
	return concept{}, 0
}

// weigh gives each concept its weight (see weight and scale) and marks
// those the corpus never uses.
func (ix *index) weigh(cs []concept) {
	for i := range cs {
		cs[i].weight, cs[i].unknown = ix.weight(cs[i])
		cs[i].weight *= scale(cs[i])
	}
}

// keepWeightiest bounds a long question to its maxConcepts weightiest
// concepts.
func keepWeightiest(cs []concept) []concept {
	if len(cs) > maxConcepts {
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].weight > cs[b].weight })
		cs = cs[:maxConcepts]
	}
	return cs
}

// numberStems gives every alternative its stems' vocabulary IDs.
// Alternatives may share stem slices with the synonym tables, so the IDs
// go in slices of their own, cut from one array for the question.
func (ix *index) numberStems(cs []concept) {
	n := 0
	for i := range cs {
		for j := range cs[i].alts {
			n += len(cs[i].alts[j].stems)
		}
	}
	ids := make([]uint32, n)
	for i := range cs {
		for j := range cs[i].alts {
			a := &cs[i].alts[j]
			k := len(a.stems)
			a.ids, ids = ids[:k:k], ids[k:]
			for k, st := range a.stems {
				a.ids[k] = ix.vocab[st]
			}
		}
	}
}

func isNonLatin(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r > 0x2ff
}

// weight is how much a concept matters: the idf of the question's own
// word, or of the best-known way of saying it.
func (ix *index) weight(c concept) (w float64, unknown bool) {
	best := -1.0
	for i, a := range c.alts {
		df := ix.altDocDF(a)
		if df == 0 {
			continue
		}
		w := ix.docIDF(df)
		if i == 0 && c.alts[0].strength == matchExact {
			return w, false
		}
		best = math.Max(best, w)
	}
	if best < 0 {
		return unknownWeight * ix.docIDF(1), true
	}
	return best, false
}

func (ix *index) altDocDF(a alt) int { return rarest(a, ix.docDF) }

// scale discounts everyday words and platform names.
func scale(c concept) float64 {
	f := 1.0
	if c.generic {
		f *= genericWeight
	}
	if c.platform {
		f *= platformWeight
	}
	return f
}

func (ix *index) altDF(a alt) int { return rarest(a, ix.df) }

// rarest is the smallest count in counts of any of a's stems: a phrase is
// found at most where its rarest word is.
func rarest(a alt, counts map[string]int) int {
	df := math.MaxInt
	for _, s := range a.stems {
		df = min(df, counts[s])
	}
	if df == math.MaxInt {
		return 0
	}
	return df
}

// joinStems and joinWords spell a run of tokens as a phrase key or as
// written.
func joinStems(ts []token) string { return joinTokens(ts, func(t token) string { return t.stem }) }
func joinWords(ts []token) string { return joinTokens(ts, func(t token) string { return t.word }) }

func joinTokens(ts []token, part func(token) string) string {
	if len(ts) == 1 {
		return part(ts[0]) // the common case, without building a string
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(part(t))
	}
	return b.String()
}

// matchQuery builds an FTS5 query that only ever contains quoted words:
// alternatives of the question's concepts, OR-ed. User text never reaches
// MATCH as syntax. On a large corpus, common words would make BM25 score
// most of the index, so alternatives are added rarest first until about
// postingBudget sections are covered; the re-ranker still scores every
// concept on the candidates. Small knowledge bases get the full query.
func (ix *index) matchQuery(cs []concept) string {
	alts := ix.queryAlts(cs)
	parts := make([]string, len(alts))
	for i, a := range alts {
		parts[i] = `"` + strings.ReplaceAll(a.surface, `"`, `""`) + `"`
	}
	return strings.Join(parts, " OR ")
}

// queryAlts picks the alternatives a search looks up, rarest first, within
// the posting budget on large indexes.
func (ix *index) queryAlts(cs []concept) []alt {
	type term struct {
		a  *alt
		df int
	}
	n := 0
	for _, c := range cs {
		n += len(c.alts)
	}
	terms := make([]term, 0, n)
	// Most questions have a few dozen alternatives, for which a scan is
	// cheaper than a set; a long question gets the set.
	var seen map[string]bool
	if n > 64 {
		seen = make(map[string]bool, n)
	}
	dup := func(a *alt) bool {
		if seen != nil {
			d := seen[a.surface]
			seen[a.surface] = true
			return d
		}
		for _, t := range terms {
			if t.a.surface == a.surface {
				return true
			}
		}
		return false
	}
	for i := range cs {
		for j := range cs[i].alts {
			if a := &cs[i].alts[j]; !dup(a) {
				terms = append(terms, term{a, ix.altDF(*a)})
			}
		}
	}
	slices.SortStableFunc(terms, func(a, b term) int { return a.df - b.df })
	out := make([]alt, 0, len(terms))
	postings := 0
	for _, t := range terms {
		if t.df == 0 && len(out) > 0 {
			continue // nothing to find, and FTS5 would still look it up
		}
		if ix.n > smallIndex && postings > 0 && postings+t.df > postingBudget {
			break
		}
		postings += t.df
		out = append(out, *t.a)
	}
	return out
}

// postingBudget bounds how many sections one query makes BM25 score, on
// indexes larger than smallIndex sections (smaller ones are cheap to score
// in full, and then no common word is left out of the candidates).
const (
	postingBudget = 400
	smallIndex    = 500
)

// candidate is one section BM25 found, with what the re-ranker needs.
// The in-memory index hands out its own sections; FTS5's rows are made
// into sections of the same shape.
type candidate struct {
	*memSection
	sec  int     // index+1 in index.sections, 0 when FTS5 found it
	bm25 float64 // FTS5 rank: negative, lower is better
}

func (b *Base) candidates(ctx context.Context, ix *index, r *ranking) ([]candidate, error) {
	cs := r.concepts
	if ix.sections != nil {
		r.alts = ix.queryAlts(cs)
		var cands []candidate
		cands, r.altHits = ix.sections.search(r.alts, ftsCandidates)
		return cands, nil
	}
	q := ix.matchQuery(cs)
	if q == "" {
		return nil, nil
	}
	rows, err := b.db.Read.QueryContext(ctx, `SELECT c.id, c.doc_id, c.ord, c.headings, c.asked, c.body, c.terms, f.score
		FROM (SELECT rowid, bm25(kb_fts, `+bm25Weights+`) AS score FROM kb_fts WHERE kb_fts MATCH ? ORDER BY score LIMIT ?) f
		JOIN kb_chunks c ON c.id = f.rowid ORDER BY f.score`, q, ftsCandidates)
	if err != nil {
		return nil, fmt.Errorf("knowledge: search: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		m := &memSection{pos: -1}
		c := candidate{memSection: m}
		var terms, asked string
		if err := rows.Scan(&m.id, &m.docID, &m.ord, &m.headings, &asked, &m.body, &terms, &c.bm25); err != nil {
			return nil, fmt.Errorf("knowledge: search: %w", err)
		}
		m.doc = ix.docs[m.docID]
		m.terms = ix.termSet(strings.Fields(terms))
		m.heads = ix.termSet(headStems(m.headings, asked))
		out = append(out, c)
	}
	return out, rows.Err()
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
	chunkID  int64
	sec      int // as candidate.sec
	feats    features
	// confidence is the calibrated probability that this document
	// answers the question (0 for a document found only by vectors).
	confidence float64
}

// ranking is the outcome of retrieval: documents best first and the
// confidence that the first one answers the question.
type ranking struct {
	ix       *index
	toks     []token           // the question's words as typed
	qwords   []int32           // content words in the vector table, on first use
	simCache map[int32]float32 // a heading word's best similarity to them
	alts     []alt             // what the in-memory search looked up (nil for FTS5)
	// altHits are the postings of each of alts.
	altHits [][]posting
	// learnt are the phrasings the question was asked like, best first
	// (learnt.go).
	learnt []learntMatchOf

	concepts   []concept
	hits       []Hit
	confidence float64
	q          qfeatures
}

// Ranking weights. Coverage dominates; title and tag matches, heading
// matches and raw BM25 break ties between passages that cover as much.
const (
	wTitleTags = 0.3
	wHeadings  = 0.1
	wBM25      = 0.5
	wDocCover  = 0.15
)

// features describe how well one document matches the question; the
// ranking score and the confidence are both built from them, and
// --explain prints them.
type features struct {
	Cov       float64 // idf-weighted coverage of the question by the best section (+ title/tags)
	DocCov    float64 // the same over the whole document
	TitleTags float64 // share of the question matched in the title or tags
	Heads     float64 // share matched in the best section's headings
	BM25      float64 // best section's bm25, relative to the best in the candidates
}

// qfeatures describe the question as a whole.
type qfeatures struct {
	Unknown float64 // share of the question's weight in words the corpus never uses
	// Org is 1 when the question speaks for an organisation ("we", "our"),
	// as practitioners asking about their practice do; Personal is 1 when
	// it speaks only for the asker ("my laptop", "how do I renew"), as
	// personal errands do.
	Org, Personal float64
	// Long is ln(concepts/longQuestion) for a question of more than
	// longQuestion concepts (at most ln 2), else 0. A question that tells its story
	// before asking ("we've had a guy posting nasty stuff for three weeks,
	// my manager wants him gone today...") covers less of itself in any
	// document, so coverage alone would doubt it more than a terse one.
	Long float64
}

// longQuestion is where a question starts to count as long.
const longQuestion = 6

func (b *Base) retrieve(ctx context.Context, question string) (*ranking, error) {
	return b.retrieveWith(ctx, question, true)
}

// retrieveWith ranks the knowledge base for a question; vectors false
// keeps the embeddings model out of it (no call leaves the machine).
func (b *Base) retrieveWith(ctx context.Context, question string, vectors bool) (*ranking, error) {
	ix, err := b.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	toks := questionTokens(question)
	org, personal := voice(toks)
	r := &ranking{ix: ix, toks: slices.Clone(toks), concepts: ix.analyse(toks)}
	if len(r.concepts) == 0 || ix.n == 0 {
		return r, nil
	}
	cands, err := b.candidates(ctx, ix, r)
	if err != nil {
		return nil, err
	}
	var total, unknown float64
	for _, c := range r.concepts {
		total += c.weight
		if c.unknown {
			unknown += c.weight
		}
	}
	r.q.Unknown = unknown / total
	r.q.Org, r.q.Personal = org, personal
	if n := len(r.concepts); n > longQuestion {
		// Capped at twice longQuestion: few questions run longer, so
		// the fit knows little of them, and a pasted essay should not
		// earn trust by its length.
		r.q.Long = math.Log(float64(min(n, 2*longQuestion)) / longQuestion)
	}
	r.rerank(ix, cands, total)
	if vectors && b.opts.Embedder != nil && len(ix.vecs) > 0 {
		r.hits = b.fuse(ctx, ix, question, r.hits)
	}
	r.applyLearnt()
	if len(r.hits) > 0 {
		// A document found only by vectors has confidence 0: it can be
		// offered as nearest, never answered from.
		r.confidence = r.hits[0].confidence
	}
	return r, nil
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

// The confidence model: a logistic regression over a few features of the
// question and its best document, fitted with balanced classes and light
// L2 by knowledge/testdata/fit_models.py (mode confidence) on fifteen
// question sets over nine knowledge bases, six of them written blind at
// section level with off-topic questions that share words with the base.
// Left out one knowledge base at a time, the mean of answered and
// abstained is 0.80 at thresholds 0.40 to 0.45; DefaultMinConfidence
// takes 0.45. fresh_d, fresh_f, sections_i and sections_h are never
// fitted on. Tried and left out (no gain left out one base at a time):
// the share of unknown words with no near word by meaning, the weightiest
// word the document misses, the best passage's own coverage.
var confModel = struct {
	bias, cov, docCov, titleTags, unknown, org, personal, long float64
}{
	bias:      -1.81,
	cov:       1.53,  // share of the question the best passage covers
	docCov:    1.35,  // ... the whole document covers
	titleTags: 0.86,  // ... the document's title and tags match: it is about the topic
	unknown:   -0.74, // share in words the knowledge base never uses
	org:       0.75,  // asked for an organisation ("we", "our"): practice
	personal:  -0.65, // asked only for oneself ("my laptop"): often an errand
	long:      1.57,  // a long question: its backstory dilutes coverage
}

// confidenceTerms is the model's output with each feature's contribution,
// for --explain.
type confidenceTerms struct {
	p     float64
	terms []string
}

func confidence(f features, q qfeatures, explain bool) confidenceTerms {
	if f.Cov == 0 {
		return confidenceTerms{}
	}
	m := confModel
	parts := []struct {
		name string
		w, x float64
	}{
		{"coverage", m.cov, f.Cov}, {"doc-coverage", m.docCov, f.DocCov}, {"title/tags", m.titleTags, f.TitleTags},
		{"unknown-words", m.unknown, q.Unknown}, {"we-voice", m.org, q.Org}, {"i-voice", m.personal, q.Personal},
		{"long-question", m.long, q.Long},
	}
	z := m.bias
	var out confidenceTerms
	if explain {
		out.terms = []string{fmt.Sprintf("bias %+.2f", m.bias)}
	}
	for _, p := range parts {
		z += p.w * p.x
		if explain && p.x != 0 {
			out.terms = append(out.terms, fmt.Sprintf("%s %.2f×%+.2f", p.name, p.x, p.w))
		}
	}
	out.p = 1 / (1 + math.Exp(-z))
	return out
}

// Explain describes how a question was understood and ranked, for
// organisers tuning the knowledge base (bothy ask --explain).
func (b *Base) Explain(ctx context.Context, question string) (string, error) {
	r, err := b.retrieve(ctx, strings.ToValidUTF8(question, ""))
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString("concepts:")
	for _, c := range r.concepts {
		fmt.Fprintf(&sb, " %s(%.2f", c.word, c.weight)
		if len(c.alts) > 1 {
			fmt.Fprintf(&sb, ", %d alternatives", len(c.alts)-1)
		}
		sb.WriteString(")")
	}
	fmt.Fprintf(&sb, "\nconfidence %.2f (threshold %.2f)", r.confidence, b.opts.MinConfidence)
	if len(r.hits) > 0 && r.hits[0].Coverage > 0 {
		fmt.Fprintf(&sb, " = logistic(%s)", strings.Join(confidence(r.hits[0].feats, r.q, true).terms, ", "))
	}
	sb.WriteString("\n")
	for i, h := range r.hits {
		if i == 8 {
			break
		}
		f := h.feats
		fmt.Fprintf(&sb, "%d. %s score %.3f confidence %.2f: cov %.2f title/tags %.2f headings %.2f bm25 %.2f doc-cov %.2f\n",
			i+1, h.ID, h.Score, h.confidence, f.Cov, f.TitleTags, f.Heads, f.BM25, f.DocCov)
	}
	return sb.String(), nil
}

// voice tells whether a question speaks for an organisation or only for
// the asker (see qfeatures).
func voice(toks []token) (org, personal float64) {
	var we, i bool
	for _, t := range toks {
		switch t.word {
		case "we", "our", "ours", "ourselves":
			we = true
		case "us":
			we = we || !t.upper // "US" is a country
		case "i", "my", "me", "mine", "myself":
			i = true
		}
	}
	switch {
	case we:
		return 1, 0
	case i:
		return 0, 1
	}
	return 0, 0
}

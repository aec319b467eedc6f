package retrieval

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// memSections is the largest knowledge base whose sections are also held
// in memory as posting lists. Below it a question is scored in Go, which is
// several times faster than FTS5 under modernc's translated C (the starter
// base answers in about a tenth of the time); above it the memory would
// not pay, and FTS5 scores the candidates. Both score the same BM25 over
// the same weighted columns, so rankings agree closely.
const memSections = 20000

// MaxCandidates is how many sections BM25 hands to the re-ranker.
const MaxCandidates = 60

// BM25 parameters, as FTS5 uses them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// termSet is a sorted set of stem IDs (see Index.vocab): a section's
// words or its headings'. IDs rather than strings halve the memory and
// make the re-ranker's many membership tests integer compares.
type termSet []uint32

// termSet maps stems to their IDs; stems outside the vocabulary are left
// out, as no question alternative can ask for them.
func (ix *Index) termSet(ss []string) termSet {
	t := make(termSet, 0, len(ss))
	for _, s := range ss {
		if id := ix.vocab[s]; id != 0 {
			t = append(t, id)
		}
	}
	slices.Sort(t)
	return slices.Compact(t)
}

func (t termSet) has(id uint32) bool {
	if id == 0 {
		return false
	}
	_, ok := slices.BinarySearch(t, id)
	return ok
}

// memSection is what the re-ranker needs of a section.
type memSection struct {
	pos      int32 // place in sectionIndex.secs; -1 when read from SQLite
	id       int64
	docID    string
	doc      *docMeta // nil for a section whose document has gone
	ord      int
	headings string
	body     string
	terms    termSet
	heads    termSet
	length   float32 // stems in every column, for BM25's length norm
	// units caches the body split into sentences with their stems, for
	// extractive answers; filled the first time the section answers.
	units atomic.Pointer[[]unit]
	// static caches what the section model needs of the section alone,
	// filled on first use.
	static atomic.Pointer[sectionStatic]
}

// posting is one section's weighted frequency of a stem.
type posting struct {
	sec int32
	tf  float32
}

// sectionIndex holds every section's stems and the posting lists.
type sectionIndex struct {
	ix     *Index // for vocab
	secs   []memSection
	post   map[string][]posting // while building; finish moves it to byIDs
	byIDs  [][]posting          // posting lists by vocabulary ID
	avgLen float64
	// byDoc lists each document's sections (indexes into secs) in order.
	byDoc map[string][]int32
	accs  sync.Pool // *accumulator
	slots sync.Pool // *[]int32, for candidateSlots
}

// Column weights for bm25() and the in-memory scorer: title, tags,
// headings, body.
const (
	colTitle    = 10.0
	colTags     = 6.0
	colHeadings = 3.0
	colBody     = 1.0
)

// BM25Weights are the column weights as the arguments of FTS5's bm25()
// after the table name, for a search of a knowledge base too large to
// hold in memory.
var BM25Weights = fmt.Sprintf("%.1f, %.1f, %.1f, %.1f", colTitle, colTags, colHeadings, colBody)

func newSectionIndex(ix *Index) *sectionIndex {
	return &sectionIndex{ix: ix, post: map[string][]posting{}, byDoc: map[string][]int32{}, accs: sync.Pool{New: func() any { return &accumulator{} }}}
}

// headStems are the stems a section's headings count with: its heading
// path and the ways people ask for it.
func headStems(headings, asked string) []string { return stems(headings + "\n" + asked) }

// add indexes one section. terms are the stems of its headings and body
// (as stored in kb_chunks.terms, repeats kept); d gives title and tags.
func (si *sectionIndex) add(id int64, docID string, ord int, headings, asked, body string, terms []string, d *docMeta) {
	heads := headStems(headings, asked)
	tf := map[string]float32{}
	for _, s := range terms {
		tf[s] += colBody
	}
	for _, s := range heads {
		tf[s] += colHeadings - colBody // headings are in terms already
	}
	length := len(terms)
	if d != nil {
		for _, s := range d.titleStems {
			tf[s] += colTitle
		}
		for _, s := range d.tagStems {
			tf[s] += colTags
		}
		length += len(d.titleStems) + len(d.tagStems)
	}
	n := int32(len(si.secs))
	si.byDoc[docID] = append(si.byDoc[docID], n)
	si.secs = append(si.secs, memSection{pos: n, id: id, docID: docID, doc: d, ord: ord, headings: headings, body: body,
		terms: si.ix.termSet(terms), heads: si.ix.termSet(heads), length: float32(length)})
	for s, f := range tf {
		si.post[s] = append(si.post[s], posting{sec: n, tf: f})
	}
}

func (si *sectionIndex) finish() {
	var total float64
	for i := range si.secs {
		total += float64(si.secs[i].length)
	}
	if len(si.secs) > 0 {
		si.avgLen = total / float64(len(si.secs))
	}
	si.byIDs = make([][]posting, len(si.ix.vocab)+1)
	for s, l := range si.post {
		si.byIDs[si.ix.vocab[s]] = l
	}
	si.post = nil
}

// byID is the posting list of a stem by its vocabulary ID.
func (si *sectionIndex) byID(id uint32) []posting {
	if int(id) >= len(si.byIDs) {
		return nil
	}
	return si.byIDs[id]
}

// candidateSlots maps each section to its place among cands (+1; 0 for
// a section that is not a candidate), in a pooled array; give it back
// with releaseSlots.
func (si *sectionIndex) candidateSlots(cands []candidate) *[]int32 {
	p, _ := si.slots.Get().(*[]int32)
	if p == nil || len(*p) < len(si.secs) {
		slot := make([]int32, len(si.secs))
		p = &slot
	}
	for i, c := range cands {
		if c.sec > 0 {
			(*p)[c.sec-1] = int32(i + 1)
		}
	}
	return p
}

func (si *sectionIndex) releaseSlots(p *[]int32, cands []candidate) {
	for _, c := range cands {
		if c.sec > 0 {
			(*p)[c.sec-1] = 0
		}
	}
	si.slots.Put(p)
}

// search scores every section matching any of the alternatives (as
// chosen by queryAlts, the same as the FTS5 query would hold) and returns
// the best limit of them as candidates, and each alternative's postings
// (the section model scores sections with them again).
func (si *sectionIndex) search(alts []alt, limit int) ([]candidate, [][]posting) {
	altHits := make([][]posting, len(alts))
	n := float64(len(si.secs))
	// A dense accumulator, reused across questions: cheaper than a map
	// when many sections match, and only the touched entries are reset.
	acc := si.accs.Get().(*accumulator)
	defer si.accs.Put(acc)
	if len(acc.score) < len(si.secs) {
		acc.score = make([]float64, len(si.secs))
	}
	acc.touched = acc.touched[:0]
	for ai, a := range alts {
		if len(a.stems) == 0 {
			continue
		}
		hits := si.phrase(a.ids)
		if len(hits) == 0 {
			continue
		}
		altHits[ai] = hits
		// FTS5's idf, floored the same way for words in most sections.
		idf := math.Log((n - float64(len(hits)) + 0.5) / (float64(len(hits)) + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		for _, p := range hits {
			norm := 1 - bm25B + bm25B*float64(si.secs[p.sec].length)/si.avgLen
			tf := float64(p.tf)
			if acc.score[p.sec] == 0 {
				acc.touched = append(acc.touched, p.sec)
			}
			acc.score[p.sec] += idf * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
	}
	all := acc.touched
	slices.SortFunc(all, func(a, b int32) int {
		if x, y := acc.score[a], acc.score[b]; x != y {
			if x > y {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	top := all
	if len(top) > limit {
		top = top[:limit]
	}
	out := make([]candidate, len(top))
	for i, sec := range top {
		out[i] = candidate{memSection: &si.secs[sec], sec: int(sec) + 1, bm25: -acc.score[sec]}
	}
	for _, sec := range all {
		acc.score[sec] = 0
	}
	return out, altHits
}

// accumulator holds per-section scores for one search.
type accumulator struct {
	score   []float64
	touched []int32
}

// phrase returns the postings of the sections holding every stem, with
// the rarest stem's frequency: a multi-word alternative ("pre election")
// counts where all its words are, as FTS5's phrase would, near enough.
func (si *sectionIndex) phrase(ids []uint32) []posting {
	if len(ids) == 1 {
		return si.byID(ids[0])
	}
	lists := make([][]posting, len(ids))
	for i, id := range ids {
		lists[i] = si.byID(id)
		if len(lists[i]) == 0 {
			return nil
		}
	}
	slices.SortFunc(lists, func(a, b []posting) int { return len(a) - len(b) })
	var out []posting
	for _, p := range lists[0] {
		tf, ok := p.tf, true
		for _, l := range lists[1:] {
			// Postings are in section order: binary search.
			j, found := slices.BinarySearchFunc(l, p.sec, func(q posting, sec int32) int { return int(q.sec - sec) })
			if !found {
				ok = false
				break
			}
			tf = min(tf, l[j].tf)
		}
		if ok {
			out = append(out, posting{p.sec, tf})
		}
	}
	return out
}

// matchQuery builds an FTS5 query that only ever contains quoted words:
// alternatives of the question's concepts, OR-ed. User text never reaches
// MATCH as syntax. On a large corpus, common words would make BM25 score
// most of the index, so alternatives are added rarest first until about
// postingBudget sections are covered; the re-ranker still scores every
// concept on the candidates. Small knowledge bases get the full query.
func (ix *Index) matchQuery(cs []concept) string {
	alts := ix.queryAlts(cs)
	parts := make([]string, len(alts))
	for i, a := range alts {
		parts[i] = `"` + strings.ReplaceAll(a.surface, `"`, `""`) + `"`
	}
	return strings.Join(parts, " OR ")
}

// queryAlts picks the alternatives a search looks up, rarest first, within
// the posting budget on large indexes.
func (ix *Index) queryAlts(cs []concept) []alt {
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
	sec  int     // index+1 in Index.sections, 0 when FTS5 found it
	bm25 float64 // FTS5 rank: negative, lower is better
}

// loadSection makes a section read from SQLite (a knowledge base too large
// to hold in memory) into the shape the in-memory index hands out.
func (ix *Index) loadSection(s Section) *memSection {
	m := &memSection{pos: -1, id: s.ID, docID: s.DocID, ord: s.Ord, headings: s.Headings, body: s.Body}
	m.doc = ix.docs[m.docID]
	m.terms = ix.termSet(strings.Fields(s.Terms))
	m.heads = ix.termSet(headStems(m.headings, s.Asked))
	return m
}

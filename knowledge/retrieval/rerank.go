package retrieval

import (
	"math"
	"slices"
	"sync"
)

// The re-ranker scores every candidate section on how much of the
// question it covers (each concept by its best alternative), in its own
// text, its headings and its document's title and tags, and keeps each
// document's best section.

// docAgg is what the re-ranker gathers about one document.
type docAgg struct {
	meta    *docMeta
	inField bits // the question's stems in the title and tags
	best    float64
	f       Features
	bestIdx int
	// covered is per concept, the best strength anywhere in the doc.
	covered []float64
	// passIdx is the section quoted in the answer: the one whose own
	// text covers the question best. The ranking score counts title and
	// tag matches in every section alike, so on its own it would pick
	// whichever section echoes the title, usually the lead.
	passIdx  int
	passBest float64
}

// reranker holds one question's working state through the stages of
// rerank, reused through a pool: a question at full speed would otherwise
// allocate a dozen arrays.
type reranker struct {
	concepts []concept
	total    float64 // the question's summed concept weight
	cands    []candidate
	// uniq are the question's distinct stem IDs; a bit set of words
	// uint64s marks which of them something holds (see questionStems).
	uniq  []uint32
	words int

	candDoc  []int32 // document of each candidate, -1 when it has gone
	docMetas []*docMeta
	aggs     []docAgg
	covered  []float64
	fields   bits
	bodies   bits
	inHead   bits
	order    []int32
	final    []float64
}

var rerankPool = sync.Pool{New: func() any { return new(reranker) }}

// sized returns s with length n and every element zero, reusing its
// array when it is big enough.
func sized[S ~[]E, E any](s S, n int) S {
	if cap(s) < n {
		return make(S, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// rerank fills r.hits from the candidates, best document first. total is
// the question's summed concept weight. Its stages: number the question's
// stems, group the candidates by document, find which stems each
// document's title and tags and each section's own text hold, score every
// section, then order the documents and build their hits.
func (r *Ranking) rerank(ix *Index, cands []candidate, total float64) {
	rr := rerankPool.Get().(*reranker)
	defer rr.release()
	rr.concepts, rr.total, rr.cands = r.concepts, total, cands
	rr.uniq, rr.words = questionStems(r.concepts)
	rr.groupByDocument()
	rr.matchFields()
	rr.matchSections(ix)
	rr.scoreSections(minBM25(cands))
	rr.rankDocuments()
	r.hits = rr.hits(r.q)
}

// release drops the pointers into this question and index, so a pooled
// reranker does not keep an old snapshot alive, and pools it.
func (rr *reranker) release() {
	rr.concepts, rr.cands, rr.uniq = nil, nil, nil
	clear(rr.docMetas[:cap(rr.docMetas)])
	clear(rr.aggs[:cap(rr.aggs)])
	rerankPool.Put(rr)
}

// minBM25 is the best (lowest, as FTS5 ranks) BM25 of the candidates, or
// 0 when none is below zero.
func minBM25(cands []candidate) float64 {
	minBM := 0.0
	for _, c := range cands {
		minBM = math.Min(minBM, c.bm25)
	}
	return minBM
}

// groupByDocument lists the candidates' documents in order of first
// appearance and notes each candidate's, so the per-document state is
// sized once.
func (rr *reranker) groupByDocument() {
	cands := rr.cands
	candDoc := sized(rr.candDoc, len(cands))
	docMetas := rr.docMetas[:0]
	for i := range cands {
		candDoc[i] = -1
		d := cands[i].doc
		if d == nil {
			continue
		}
		di := slices.Index(docMetas, d)
		if di < 0 {
			di = len(docMetas)
			docMetas = append(docMetas, d)
		}
		candDoc[i] = int32(di)
	}
	rr.candDoc, rr.docMetas = candDoc, docMetas
}

// matchFields starts each document's tally with which of the question's
// stems its title and tags hold.
func (rr *reranker) matchFields() {
	docMetas, words, nc := rr.docMetas, rr.words, len(rr.concepts)
	aggs := sized(rr.aggs, len(docMetas))
	covered := sized(rr.covered, len(docMetas)*nc)
	fields := sized(rr.fields, len(docMetas)*words)
	rr.aggs, rr.covered, rr.fields = aggs, covered, fields
	for di, d := range docMetas {
		field := fields[di*words : (di+1)*words : (di+1)*words]
		for k, id := range rr.uniq {
			if d.fieldIDs.has(id) {
				field.set(k)
			}
		}
		aggs[di] = docAgg{meta: d, inField: field, bestIdx: -1, passIdx: -1, covered: covered[di*nc : (di+1)*nc : (di+1)*nc]}
	}
}

// matchSections finds which of the question's stems each candidate's own
// text (headings and body) holds.
func (rr *reranker) matchSections(ix *Index) {
	rr.bodies = sized(rr.bodies, len(rr.cands)*rr.words)
	rr.inHead = sized(rr.inHead, rr.words)
	candDoc, aggs := rr.candDoc, rr.aggs
	sectionStems(ix, rr.cands, rr.uniq, rr.words, func(i int) bits {
		if candDoc[i] < 0 {
			return nil
		}
		return aggs[candDoc[i]].inField
	}, rr.bodies)
}

// scoreSections scores every candidate section on how much of the question
// it covers, with its document's title and tags, its headings and its
// BM25 relative to minBM; each document keeps its best section for the
// ranking and the one whose own text covers most for quoting.
func (rr *reranker) scoreSections(minBM float64) {
	cands, uniq, words, total := rr.cands, rr.uniq, rr.words, rr.total
	candDoc, aggs, bodies, inHead := rr.candDoc, rr.aggs, rr.bodies, rr.inHead
	concepts := rr.concepts
	for i := range cands {
		c := &cands[i]
		if candDoc[i] < 0 {
			continue
		}
		agg := &aggs[candDoc[i]]
		inBody := bodies[i*words : (i+1)*words : (i+1)*words]
		clear(inHead)
		for k, id := range uniq {
			if inBody.has(k) && c.heads.has(id) { // headings are part of terms
				inHead.set(k)
			}
		}
		var cov, own, tt, hd float64
		for ci := range concepts {
			con := &concepts[ci]
			if !con.mask.meets(inBody, agg.inField) {
				continue // none of its words here: it adds nothing
			}
			// The concept's strongest alternative whose stems are all in
			// the section's own text or the document's title and tags (m),
			// or in its own text alone (mOwn); and whether that strongest
			// one is all in the title and tags, and in the headings.
			m, mOwn, mField, mHead := 0.0, 0.0, false, false
			for _, a := range con.alts {
				if a.strength <= m && a.strength <= mOwn {
					continue
				}
				allBody, allField := a.mask.within(inBody), a.mask.within(agg.inField)
				if (allBody || allField) && a.strength > m {
					m = a.strength
					mField, mHead = allField, a.mask.within(inHead)
				}
				if allBody && a.strength > mOwn {
					mOwn = a.strength
				}
			}
			cov += con.weight * m
			own += con.weight * mOwn
			if mField && m >= matchSynonym {
				tt += con.weight * m
			}
			if mHead {
				hd += con.weight * m
			}
			agg.covered[ci] = math.Max(agg.covered[ci], m)
		}
		cov, own, tt, hd = cov/total, own/total, tt/total, hd/total
		bm := 0.0
		if minBM < 0 {
			bm = c.bm25 / minBM
		}
		score := cov + wTitleTags*tt + wHeadings*hd + wBM25*bm
		if pass := own + wHeadings*hd + wBM25*bm; pass > agg.passBest || agg.passIdx < 0 {
			agg.passBest, agg.passIdx = pass, i
		}
		if score > agg.best {
			agg.best, agg.bestIdx = score, i
			agg.f = Features{Cov: cov, TitleTags: tt, Heads: hd, BM25: bm}
		}
	}
}

// rankDocuments adds each document's coverage of the question across all
// its candidate sections to its best section's score and orders the
// documents best first: indexes are sorted, not whole hits.
func (rr *reranker) rankDocuments() {
	order := rr.order[:0]
	final := sized(rr.final, len(rr.aggs))
	rr.final = final
	for di := range rr.aggs {
		agg := &rr.aggs[di]
		if agg.bestIdx < 0 {
			continue
		}
		var dc float64
		for ci, con := range rr.concepts {
			dc += con.weight * agg.covered[ci]
		}
		agg.f.DocCov = dc / rr.total
		final[di] = agg.best + wDocCover*agg.f.DocCov
		order = append(order, int32(di))
	}
	rr.order = order
	slices.SortStableFunc(order, func(a, b int32) int { return cmpDesc(final[a], final[b]) })
}

// hits builds the ranked documents, each with the section it would quote
// and its calibrated confidence for a question of features q.
func (rr *reranker) hits(q QuestionFeatures) []Hit {
	hits := make([]Hit, len(rr.order))
	for i, di := range rr.order {
		agg := &rr.aggs[di]
		c := rr.cands[agg.passIdx]
		if agg.meta.vec != nil && q.errand != 0 {
			// Gated by what the passage leaves uncovered: a question the
			// document answers word for word is not doubted for its topic.
			agg.f.Errand = (q.errand - agg.meta.errand) * (1 - agg.f.Cov)
		}
		hits[i] = Hit{
			ID: agg.meta.ID, Title: agg.meta.Title, Kind: agg.meta.Kind, URL: agg.meta.URL, Updated: agg.meta.Updated,
			Score:    rr.final[di],
			Coverage: agg.f.Cov,
			Passage:  c.body, Headings: c.headings,
			feats:      agg.f,
			confidence: confidence(agg.f, q, false).p,
		}
	}
	return hits
}

// questionStems lists the distinct stem IDs of every alternative, sorted,
// and gives each alternative (and concept) a bit set of its stems' places
// in that list: the re-ranker then looks each stem up once per section,
// and tests an alternative with a few word operations.
func questionStems(cs []concept) (uniq []uint32, words int) {
	for _, c := range cs {
		for _, a := range c.alts {
			uniq = append(uniq, a.ids...)
		}
	}
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	words = (len(uniq) + 63) / 64
	n := 0
	for _, c := range cs {
		n += 1 + len(c.alts)
	}
	backing := make(bits, n*words)
	next := func() bits {
		b := backing[:words:words]
		backing = backing[words:]
		return b
	}
	for i := range cs {
		c := &cs[i]
		c.mask = next()
		for j := range c.alts {
			a := &c.alts[j]
			a.mask = next()
			for _, id := range a.ids {
				p, _ := slices.BinarySearch(uniq, id)
				a.mask.set(p)
			}
			c.mask.or(a.mask)
		}
	}
	return uniq, words
}

// sectionStems fills out, for each candidate, with which of the
// question's stems its own text (headings and body) holds: words bit-set
// words per candidate. A stem found in few sections is looked up through its
// posting list, one pass for all the candidates; a common one in each
// candidate's term set. Postings also count the document's title and
// tags, so where field (the candidate's title and tag stems; nil for a
// candidate with no document) has the stem, the term set decides.
func sectionStems(ix *Index, cands []candidate, uniq []uint32, words int, field func(i int) bits, out bits) {
	var viaPostings []bool
	if si := ix.sections; si != nil && len(cands) > 0 {
		// Binary search costs about log2 of a section's terms per
		// candidate; a posting list costs its length.
		budget := len(cands) * 6
		var slot []int32 // section -> candidate index+1
		for k, id := range uniq {
			post := si.byID(id)
			if id == 0 || len(post) > budget {
				continue
			}
			if slot == nil {
				viaPostings = make([]bool, len(uniq))
				p := si.candidateSlots(cands)
				defer si.releaseSlots(p, cands)
				slot = *p
			}
			viaPostings[k] = true
			for _, p := range post {
				ci := int(slot[p.sec]) - 1
				if ci < 0 {
					continue
				}
				if f := field(ci); f != nil && f.has(k) && !cands[ci].terms.has(id) {
					continue // in the title or tags only
				}
				out[ci*words+k/64] |= 1 << (k % 64)
			}
		}
	}
	for i := range cands {
		row := out[i*words : (i+1)*words]
		for k, id := range uniq {
			if (viaPostings == nil || !viaPostings[k]) && cands[i].terms.has(id) {
				row.set(k)
			}
		}
	}
}

// bits is a small bit set.
type bits []uint64

func (b bits) set(i int) { b[i/64] |= 1 << (i % 64) }

func (b bits) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b bits) or(o bits) {
	for i := range b {
		b[i] |= o[i]
	}
}

// within reports whether every bit of b is in o.
func (b bits) within(o bits) bool {
	for i, w := range b {
		if w&^o[i] != 0 {
			return false
		}
	}
	return true
}

// meets reports whether b shares a bit with o or p.
func (b bits) meets(o, p bits) bool {
	for i, w := range b {
		if w&(o[i]|p[i]) != 0 {
			return true
		}
	}
	return false
}

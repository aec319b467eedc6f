package retrieval

import (
	"slices"
	"strings"
)

// Learnt answers: when an organiser points a question at a section (kb
// link) or confirms a helpful answer (kb confirm), the question's wording
// is kept as a phrasing of that section, and so are the front-matter
// questions a document lists. A later question asked much the same way is
// answered from that section, whatever the ranking would have chosen.
// Phrasings are matched as whole questions, not mixed into the section's
// words: the situation a member described ("the page is silent on
// Saturdays") would otherwise draw other questions to it.

// learntPhrasing is one phrasing with its stems.
type learntPhrasing struct {
	docID, anchor string
	stems         []string // sorted, each once; stop words left out
	// weights are the stems' (stemWeight), and total their sum, worked
	// out once the snapshot's document frequencies are known.
	weights []float64
	total   float64
	first   int // where its stems start among all phrasings' (indexLearnt)
}

// Matching: how much of the question a phrasing covers and how much of
// the phrasing the question covers, as a harmonic mean.
const (
	// learntMatch is the least match that answers from a phrasing's
	// section.
	learntMatch = 0.6
	// learntConfidence is the confidence of an answer found that way at
	// a perfect match; it falls with the match, staying above the
	// default threshold at learntMatch.
	learntConfidence = 0.95
)

// appendPhrasings adds the phrasings of one section (one question per
// line of text) to ps.
func appendPhrasings(ps []learntPhrasing, docID, anchor, text string) []learntPhrasing {
	for _, line := range strings.Split(text, "\n") {
		var ss []string
		for _, t := range expandShorthand(tokenize(line)) {
			if !isStop(t) && len(t.word) > 1 {
				ss = append(ss, t.stem)
			}
		}
		slices.Sort(ss)
		if ss = slices.Compact(ss); len(ss) > 0 {
			ps = append(ps, learntPhrasing{docID: docID, anchor: anchor, stems: ss})
		}
	}
	return ps
}

// stemWeight weighs a phrasing's stem as a concept would be weighed.
func (ix *Index) stemWeight(s string) float64 {
	w := ix.docIDF(max(ix.docDF[s], 1))
	if isGeneric(token{word: s, stem: s}) {
		w *= genericWeight
	}
	return w
}

// learntSoft is the least match that counts as evidence for a phrasing's
// section (a bonus to its score and its document's), short of answering
// from it outright.
const learntSoft = 0.35

// learntMatchOf is one phrasing's match with the question.
type learntMatchOf struct {
	p     *learntPhrasing
	score float64
}

// stemIn is one phrasing holding a stem, at place k of its stems.
type stemIn struct{ p, k int32 }

// indexLearnt lists, for each stem, the phrasings that hold it, so a
// question is matched only against the phrasings that share a word with
// it (a starter's few hundred phrasings made that worth it), and works out
// each phrasing's stem weights.
func (ix *Index) indexLearnt() {
	ix.learntBy = map[string][]stemIn{}
	n := 0
	for i := range ix.learnt {
		p := &ix.learnt[i]
		p.weights, p.total, p.first = make([]float64, len(p.stems)), 0, n
		n += len(p.stems)
		for k, s := range p.stems {
			ix.learntBy[s] = append(ix.learntBy[s], stemIn{int32(i), int32(k)})
			p.weights[k] = ix.stemWeight(s)
			p.total += p.weights[k]
		}
	}
	ix.learntStems = n
}

// matchLearnt scores the question against the phrasings and keeps, per
// section, the best match of at least learntSoft, best first. A
// phrasing's match is the harmonic mean of how much of the question it
// covers (each concept by its best alternative whose stems it holds) and
// how much of it the question covers (its stems those alternatives hold).
// Only the phrasings holding an alternative's first stem are visited.
func (r *Ranking) matchLearnt() []learntMatchOf {
	ix := r.ix
	if len(ix.learnt) == 0 || len(r.concepts) == 0 {
		return nil
	}
	nc := len(r.concepts)
	var total float64
	// A touched phrasing p's best strength per concept is at
	// best[seen[p]:][:nc]; covered marks the stems it matched.
	seen := map[int32]int{}
	var best []float64
	covered := make([]bool, ix.learntStems)
	var at []int32
	for ci, c := range r.concepts {
		total += c.weight
		for _, a := range c.alts {
			if len(a.stems) == 0 || a.strength <= 0 {
				continue
			}
			for _, in := range ix.learntBy[a.stems[0]] {
				p := &ix.learnt[in.p]
				off, ok := seen[in.p]
				if ok && a.strength <= best[off+ci] {
					continue
				}
				at = append(at[:0], in.k)
				for _, s := range a.stems[1:] {
					k, found := slices.BinarySearch(p.stems, s)
					if !found {
						break
					}
					at = append(at, int32(k))
				}
				if len(at) < len(a.stems) {
					continue
				}
				if !ok {
					off = len(best)
					seen[in.p] = off
					best = append(best, make([]float64, nc)...)
				}
				best[off+ci] = a.strength
				for _, k := range at {
					covered[p.first+int(k)] = true
				}
			}
		}
	}
	touched := make([]int32, 0, len(seen))
	for i := range seen {
		touched = append(touched, i)
	}
	slices.Sort(touched) // phrasings in order, so ties go to the one loaded first (the newest learnt)
	var out []learntMatchOf
	for _, i := range touched {
		p := &ix.learnt[i]
		var qcov float64
		for ci, c := range r.concepts {
			qcov += c.weight * best[seen[i]+ci]
		}
		if qcov == 0 {
			continue
		}
		qcov /= total
		var pc float64
		for k, w := range p.weights {
			if covered[p.first+k] {
				pc += w
			}
		}
		pcov := pc / p.total
		f := 2 * qcov * pcov / (qcov + pcov)
		if f < learntSoft {
			continue
		}
		j := slices.IndexFunc(out, func(m learntMatchOf) bool { return m.p.docID == p.docID && m.p.anchor == p.anchor })
		switch {
		case j < 0:
			out = append(out, learntMatchOf{p, f})
		case f > out[j].score:
			out[j].score = f
		}
	}
	slices.SortStableFunc(out, func(a, b learntMatchOf) int { return cmpDesc(a.score, b.score) })
	return out
}

// learntDocBonus is how much a soft match adds to its document's ranking
// score, per unit of match.
const learntDocBonus = 0.5

// ApplyLearnt uses what organisers taught: a question asked like a
// phrasing (learntMatch or more) is answered from its section, its
// document first with a confidence above the threshold; a looser match
// (learntSoft or more) lifts its document's score, and scoreSections its
// section's.
func (r *Ranking) ApplyLearnt() {
	r.learnt = r.matchLearnt()
	if len(r.learnt) == 0 {
		return
	}
	for _, m := range r.learnt {
		if i := slices.IndexFunc(r.hits, func(h Hit) bool { return h.ID == m.p.docID }); i >= 0 && m.score < learntMatch {
			r.hits[i].Score += learntDocBonus * m.score
		}
	}
	slices.SortStableFunc(r.hits, func(a, b Hit) int { return cmpDesc(a.Score, b.Score) })
	best := r.learnt[0]
	if best.score < learntMatch {
		return
	}
	i := slices.IndexFunc(r.hits, func(h Hit) bool { return h.ID == best.p.docID })
	var h Hit
	if i >= 0 {
		h = r.hits[i]
		r.hits = slices.Delete(r.hits, i, i+1)
	} else if d := r.ix.docs[best.p.docID]; d != nil {
		h = Hit{ID: d.ID, Title: d.Title, Kind: d.Kind, URL: d.URL, Updated: d.Updated}
	} else {
		return // its document has gone
	}
	h.confidence = max(h.confidence, learntConfidence*best.score)
	if len(r.hits) > 0 {
		h.Score = max(h.Score, r.hits[0].Score)
	}
	r.hits = slices.Insert(r.hits, 0, h)
}

// learntSame is the match at which a question counts as asked the way a
// phrasing was: its section is quoted whatever the section model thinks.
// Looser matches (learntMatch and up) leave the choice to the model with
// learntBonus; forcing them too took the replay streams' first askings of
// other needs in the same document from 0.70 to 0.63 (sections_g) and 0.97
// to 0.90 (sections_u).
const learntSame = 0.9

// learntFirst puts first the section of a phrasing the question matches
// by learntSame or more: ApplyLearnt made its document first, and the
// answer must quote that section even when an organiser pointed the
// question at one that shares none of its words (the section model would
// then rank others of the document above it).
func (r *Ranking) learntFirst(ps []Passage) {
	if len(r.learnt) == 0 || r.learnt[0].score < learntSame {
		return
	}
	best := r.learnt[0].p
	i := slices.IndexFunc(ps, func(p Passage) bool { return p.sec.docID == best.docID && p.anchor == best.anchor })
	promote(ps, i)
}

// learntAgree is the least match that answers from a phrasing's section
// when ranking puts that section first anyway, in the best document: two
// signals agree that a looser match would not earn alone. On the replay
// streams it answered two or three more later askings of 60 on three of
// four, with no more off-topic questions answered after learning; at
// 0.35 to 0.45 the off-topic ones began to be answered.
const learntAgree = 0.5

// agreeLearnt answers from the best passage when a learnt phrasing of its
// section matches the question by learntAgree or more and its document
// ranks first: the confidence an answer through the phrasing would have
// (ApplyLearnt). ps are the passages, best first.
func (r *Ranking) agreeLearnt(ps []Passage) {
	if len(ps) == 0 || len(r.hits) == 0 {
		return
	}
	if p := ps[0]; p.learnt >= learntAgree && p.sec.docID == r.hits[0].ID {
		r.hits[0].confidence = max(r.hits[0].confidence, learntConfidence*p.learnt)
	}
}

// learntScoreFor is the best match of a learnt phrasing of a section,
// named by its document and page anchor, with the question (0 for none).
func (r *Ranking) learntScoreFor(docID, anchor string) float64 {
	for _, l := range r.learnt {
		if l.p.docID == docID && l.p.anchor == anchor {
			return l.score
		}
	}
	return 0
}

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
			ps = append(ps, learntPhrasing{docID, anchor, ss})
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

// matchLearnt scores the question against every phrasing and keeps, per
// section, the best match of at least learntSoft, best first.
func (r *Ranking) matchLearnt() []learntMatchOf {
	ix := r.ix
	if len(ix.learnt) == 0 || len(r.concepts) == 0 {
		return nil
	}
	var total float64
	for _, c := range r.concepts {
		total += c.weight
	}
	var out []learntMatchOf
	covered := map[string]bool{}
	for i := range ix.learnt {
		p := &ix.learnt[i]
		clear(covered)
		var qcov float64
		for _, c := range r.concepts {
			m := 0.0
			for _, a := range c.alts {
				if a.strength <= m || len(a.stems) == 0 {
					continue
				}
				all := true
				for _, s := range a.stems {
					if _, ok := slices.BinarySearch(p.stems, s); !ok {
						all = false
						break
					}
				}
				if all {
					m = a.strength
					for _, s := range a.stems {
						covered[s] = true
					}
				}
			}
			qcov += c.weight * m
		}
		if qcov == 0 {
			continue
		}
		qcov /= total
		var pw, pc float64
		for _, s := range p.stems {
			w := ix.stemWeight(s)
			pw += w
			if covered[s] {
				pc += w
			}
		}
		pcov := pc / pw
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
	slices.SortFunc(out, func(a, b learntMatchOf) int { return cmpDesc(a.score, b.score) })
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

// learntScoreFor is the best match of a learnt phrasing of a section with
// the question (0 for none).
func (r *Ranking) learntScoreFor(m *memSection) float64 {
	for _, l := range r.learnt {
		if l.p.docID == m.docID && l.p.anchor == m.statics().anchor {
			return l.score
		}
	}
	return 0
}

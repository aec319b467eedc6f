package retrieval

import (
	"math"
	"slices"
)

// The section model: which section of a well-ranked document answers the
// question, from how much of it the section's own text and heading
// cover, whether its heading asks what the question asks, its length,
// BM25 and word-vector closeness, and its document's rank.

// SectionFeatures describe how well one section answers the question.
type SectionFeatures struct {
	Own  float64 // share of the question's weight its own text covers
	Head float64 // ... its own heading path covers
	// Dis is Own counting each concept by how well it tells the
	// document's sections apart: words of the document's topic, found in
	// most of its sections, say which document, not which section.
	Dis  float64
	Lead float64 // 1 for a document's lead (text before the first heading)
	Ask  float64 // the heading asks what the question asks (who, when, can...)
	Len  float64 // log of its length in words
	Sim  float64 // word-vector similarity of the heading's words to the question's
	BM25 float64 // the section's BM25 for the question, over the best of these sections
	Doc  float64 // the document's ranking score
	Top  float64 // 1 for a section of the best document
	Conf float64 // the document's confidence
	// NeedSim is how near the section's words come by word vector to those
	// of the question's asking clause (needTokens): each clause word's best
	// similarity to a word of the section, averaged. A question that tells
	// its story first asks for one thing at its end ("..., who do I tell").
	NeedSim float64
	// VecCos is the cosine of the question's and the section's summed
	// word vectors: what the two are about as a whole.
	VecCos float64
	// NumAsk is 1 when the question asks how long, how many or when and
	// the section gives numbers (scaled down for fewer than three).
	NumAsk float64
}

// secModel weighs the section features: a conditional logit over the
// sections of the best two documents, fitted by
// knowledge/testdata/fit_models.py (mode sections) on the 19 section-level
// bases. Left out one base at a time it puts the right section first for
// 0.38 to 0.88 of questions, mean 0.721 (0.701 for the eleven features
// before NeedSim, VecCos and NumAsk: 32 questions gained, 9 lost), and
// 0.60 on sections_i, never fitted on. The hard bases are those whose
// questions describe a situation in words no section uses.
var secModel = SectionFeatures{
	Own: 2.57, Head: 0.70, Dis: 1.37, Lead: -0.55, Ask: 1.26, Len: 0.42, Sim: 1.81, BM25: 2.07,
	Doc: 2.67, Top: 0.87, Conf: 0.55, NeedSim: 2.56, VecCos: 1.81, NumAsk: 0.92,
}

// learntBonus is how much a learnt phrasing's match (0.6 to 1) adds to
// its section's score: enough to put it first over sections that answer
// about as well, not over one that plainly answers better. It was 2.5
// until the section model gained three features and spread its scores
// wider; on sections_g's stream 2.5 then lifted later askings by one
// question where it had lifted them by two.
const learntBonus = 3.0

func (f SectionFeatures) dot(w SectionFeatures) float64 {
	return f.Own*w.Own + f.Head*w.Head + f.Dis*w.Dis + f.Lead*w.Lead + f.Ask*w.Ask + f.Len*w.Len +
		f.Sim*w.Sim + f.BM25*w.BM25 + f.Doc*w.Doc + f.Top*w.Top + f.Conf*w.Conf +
		f.NeedSim*w.NeedSim + f.VecCos*w.VecCos + f.NumAsk*w.NumAsk
}

// scoreSections scores a document's sections for the question, appending
// them to out.
func (r *Ranking) scoreSections(out []Passage, secs []*memSection, h Hit, rank int) []Passage {
	var total float64
	for _, c := range r.concepts {
		total += c.weight
	}
	nc := len(r.concepts)
	// Each concept's best match in each section's own text and heading.
	inBody := make([]float64, len(secs)*nc)
	inHead := make([]float64, len(secs)*nc)
	found := make([]int, nc) // sections holding the concept
	for si, m := range secs {
		for ci, c := range r.concepts {
			var best, bestHead float64
			for _, a := range c.alts {
				if len(a.ids) == 0 || a.strength <= best && a.strength <= bestHead {
					continue
				}
				body, head := true, true
				for _, id := range a.ids {
					body = body && m.terms.has(id)
					head = head && m.heads.has(id)
				}
				if body {
					best = max(best, a.strength)
				}
				if head {
					bestHead = max(bestHead, a.strength)
				}
			}
			inBody[si*nc+ci], inHead[si*nc+ci] = best, bestHead
			if best > 0 {
				found[ci]++
			}
		}
	}
	// How well each concept tells this document's sections apart.
	sep := make([]float64, nc)
	var sepTotal float64
	for ci, c := range r.concepts {
		if found[ci] > 0 {
			sep[ci] = c.weight * math.Log(float64(len(secs)+1)/float64(found[ci]))
			sepTotal += sep[ci]
		}
	}
	bm := r.sectionBM25(secs)
	heads := make([]string, len(secs))
	for si, m := range secs {
		heads[si] = m.headings
	}
	anchors := PageAnchors(heads)
	for si, m := range secs {
		p := Passage{doc: m.doc, sec: m, anchor: anchors[si]}
		f := SectionFeatures{Doc: h.Score, Conf: h.confidence, BM25: bm[si]}
		var own, head, dis float64
		for ci, c := range r.concepts {
			own += c.weight * inBody[si*nc+ci]
			head += c.weight * inHead[si*nc+ci]
			dis += sep[ci] * inBody[si*nc+ci]
		}
		if total > 0 {
			f.Own, f.Head = own/total, head/total
		}
		if sepTotal > 0 {
			f.Dis = dis / sepTotal
		}
		st := m.statics()
		if m.headings == "" {
			f.Lead = 1
		} else {
			f.Ask = asksAlike(r.toks, st.asks)
		}
		if rank == 0 {
			f.Top = 1
		}
		f.Len = st.logLen
		f.Sim = r.headingSim(st.headVecs)
		f.NeedSim = r.needSim(st.bodyVecs)
		f.VecCos = r.vecCos(st.vec)
		if r.asksNumber() {
			f.NumAsk = st.numbers
		}
		p.feats = f
		p.Score = f.dot(secModel)
		p.learnt = r.learntScoreFor(m.docID, anchors[si])
		p.Score += learntBonus * p.learnt
		out = append(out, p)
	}
	return out
}

// askWords are how questions and question-shaped headings begin; a
// heading that asks what the question asks ("Who leads...?" for "who do
// I tell") is likely its answer, whatever words they share.
var askWords = [][]string{
	{"how", "long"}, {"how", "soon"}, {"how", "quickly"}, {"how", "often"}, {"how", "many"}, {"how", "much"},
	{"who"}, {"when"}, {"why"}, {"where"}, {"which"},
	{"can"}, {"should"}, {"is"}, {"are"}, {"do"}, {"does"}, {"what"}, {"how"},
}

// asksAlike is 1 when the heading (its first words, h) opens with an
// asking phrase the question uses, 0.5 for the common ones (what, how, do,
// is...), else 0.
func asksAlike(q []token, h []token) float64 {
	for _, aw := range askWords {
		if len(h) < len(aw) {
			continue
		}
		match := true
		for i, w := range aw {
			match = match && h[i].word == w
		}
		if !match {
			continue
		}
		for i := 0; i+len(aw) <= len(q); i++ {
			same := true
			for j, w := range aw {
				same = same && q[i+j].word == w
			}
			if same {
				if len(aw) > 1 || slices.Contains([]string{"who", "when", "why", "where", "which"}, aw[0]) {
					return 1
				}
				return 0.5
			}
		}
		return 0
	}
	return 0
}

// sectionBM25 scores sections with the same BM25 the search uses, each
// relative to the best of them (0 when the index is not in memory).
func (r *Ranking) sectionBM25(secs []*memSection) []float64 {
	out := make([]float64, len(secs))
	si := r.ix.sections
	if si == nil {
		return out
	}
	n := float64(len(si.secs))
	var best float64
	for _, hits := range r.altHits {
		if len(hits) == 0 {
			continue
		}
		idf := math.Log((n - float64(len(hits)) + 0.5) / (float64(len(hits)) + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		for i, m := range secs {
			if m.pos < 0 {
				continue
			}
			j, ok := slices.BinarySearchFunc(hits, m.pos, func(p posting, sec int32) int { return int(p.sec - sec) })
			if !ok {
				continue
			}
			tf := float64(hits[j].tf)
			norm := 1 - bm25B + bm25B*float64(m.length)/si.avgLen
			out[i] += idf * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
	}
	for _, v := range out {
		best = max(best, v)
	}
	if best > 0 {
		for i := range out {
			out[i] /= best
		}
	}
	return out
}

// sectionStatic is what the section model reads of a section that does
// not depend on the question.
type sectionStatic struct {
	logLen   float64 // log(1 + its words)
	asks     []token // its heading's first words, for asksAlike
	headVecs []int32 // its heading's content words in the vector table
	bodyVecs []int32 // ... and its heading's and text's, for needSim
	vec      []int8  // their summed vector's direction, for vecCos
	numbers  float64 // how plainly it gives numbers, 0 to 1 (numberWords)
}

// statics returns the section's question-independent features.
func (m *memSection) statics() *sectionStatic {
	if st := m.static.Load(); st != nil {
		return st
	}
	head := tokenize(SectionName(m.headings))
	body := tokenize(m.body)
	st := &sectionStatic{headVecs: tokenVecs(head)}
	n, in := 0, false
	for _, r := range m.body {
		sp := r == ' ' || r == '\n' || r == '\t'
		if !sp && !in {
			n++
		}
		in = !sp
	}
	st.logLen = math.Log1p(float64(n))
	st.bodyVecs = tokenVecs(slices.Concat(head, body))
	st.vec = int8Unit(st.bodyVecs)
	st.numbers = numberWords(body)
	st.asks = head[:min(len(head), 2)]
	m.static.Store(st)
	return st
}

// askOpeners are the words that open an asking clause.
var askOpeners = map[string]bool{
	"who": true, "what": true, "whats": true, "when": true, "where": true, "which": true, "why": true, "how": true,
	"can": true, "could": true, "should": true, "would": true, "will": true, "is": true, "are": true, "do": true, "does": true,
	"any": true,
}

// needTokens is the clause that says what the question asks for: from the
// last clause that opens with an asking word to the end, or the last
// clause when none does. "Walker found a dead buzzard by the road, thinks
// it was poisoned, can we post about it" asks "can we post about it".
func needTokens(toks []token) []token {
	last, ask := 0, -1
	for i, t := range toks {
		if t.clause {
			last = i
			if askOpeners[t.word] {
				ask = i
			}
		}
	}
	if ask >= 0 {
		return toks[ask:]
	}
	return toks[last:]
}

// asksNumber reports whether the question asks for a number: how long,
// how many, how soon, when, what notice or deadline.
func (r *Ranking) asksNumber() bool {
	if r.asksNum == 0 {
		r.asksNum = -1
		for i, t := range r.toks {
			switch t.word {
			case "long", "many", "much", "soon", "often", "quickly":
				if i > 0 && r.toks[i-1].word == "how" {
					r.asksNum = 1
				}
			case "when", "deadline", "deadlines", "turnaround", "notice", "days", "weeks", "hours":
				r.asksNum = 1
			}
		}
	}
	return r.asksNum > 0
}

// numberUnits are the words that give a number or a span of time.
var numberUnits = map[string]bool{
	"one": true, "two": true, "three": true, "four": true, "five": true, "six": true, "seven": true, "eight": true,
	"nine": true, "ten": true, "twelve": true, "minutes": true, "hours": true, "days": true, "weeks": true, "months": true,
	"working": true,
}

// numberWords is how plainly a text gives numbers: its digits and number
// words, a third for each, up to 1.
func numberWords(toks []token) float64 {
	n := 0
	for _, t := range toks {
		if t.word != "" && t.word[0] >= '0' && t.word[0] <= '9' || numberUnits[t.word] {
			n++
		}
	}
	return math.Min(1, float64(n)/3)
}

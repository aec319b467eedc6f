package retrieval

import (
	"math"
	"slices"

	"github.com/bothy-chat/bothy/knowledge/wordvec"
)

// Word vectors give retrieval a sense of meaning beyond shared stems:
// "kit" is near "equipment", "pupils" near "students". They are used word
// to word, never as averaged document vectors (which measured worse).

// headingSim is how close a heading's words come to the question's: for
// each heading word, its best similarity to any question word, averaged.
// A heading word's best similarity is worked out once per question.
func (r *Ranking) headingSim(heading []int32) float64 {
	q := r.questionVecs()
	if len(heading) == 0 || len(q) == 0 {
		return 0
	}
	if r.simCache == nil {
		r.simCache = make(map[int32]float32, 32)
	}
	tb := wordvec.Default()
	var sum float64
	for _, h := range heading {
		best, ok := r.simCache[h]
		if !ok {
			for _, w := range q {
				best = max(best, tb.Sim(int(h), int(w)))
			}
			r.simCache[h] = best
		}
		sum += float64(best)
	}
	return sum / float64(len(heading))
}

// vecWords lists a text's distinct content words' places in the vector
// table.
func vecWords(s string) []int32 { return tokenVecs(tokenize(s)) }

// tokenVecs lists the distinct content words' places in the vector table.
func tokenVecs(toks []token) []int32 {
	tb := wordvec.Default()
	var out []int32
	seen := map[int32]bool{}
	for _, t := range toks {
		if isStop(t) || len(t.word) < 3 {
			continue
		}
		if i, ok := tb.Lookup(t.word); ok && !seen[int32(i)] {
			seen[int32(i)] = true
			out = append(out, int32(i))
		}
	}
	return out
}

// maxSimWords bounds the question words a heading is compared with: the
// rarest in the knowledge base, where a long question's meaning lies.
const maxSimWords = 8

// questionVecs lists the question's content words known to the vector
// table, the rarest maxSimWords of them.
func (r *Ranking) questionVecs() []int32 {
	if r.qwords != nil {
		return r.qwords
	}
	tb := wordvec.Default()
	type word struct {
		vec int32
		df  int
	}
	var ws []word
	for _, t := range r.toks {
		if isStop(t) || isGeneric(t) || len(t.word) < 3 {
			continue
		}
		i, ok := tb.Lookup(t.word)
		if !ok || slices.ContainsFunc(ws, func(w word) bool { return w.vec == int32(i) }) {
			continue
		}
		ws = append(ws, word{int32(i), r.ix.df[t.stem]})
	}
	slices.SortStableFunc(ws, func(a, b word) int { return a.df - b.df })
	r.qwords = make([]int32, 0, min(len(ws), maxSimWords))
	for _, w := range ws[:min(len(ws), maxSimWords)] {
		r.qwords = append(r.qwords, w.vec)
	}
	return r.qwords
}

// needSim is NeedSim for a section whose content words are ws: for each
// word of the question's asking clause, its best similarity to any of ws,
// averaged. Each section word is compared with all of the clause's words
// at once (wordvec.Probe); remembering the similarities of words the
// sections share cost about as much as working them out again.
func (r *Ranking) needSim(ws []int32) float64 {
	if r.need == nil {
		ids := tokenVecs(needTokens(r.toks))
		r.need = wordvec.Default().NewProbe(ids[:min(len(ids), maxNeedWords)])
		r.needBest = make([]float32, 2*r.need.Len())
	}
	n := r.need.Len()
	if n == 0 || len(ws) == 0 {
		return 0
	}
	best, sims := r.needBest[:n], r.needBest[n:]
	clear(best)
	tb := wordvec.Default()
	for _, w := range ws {
		tb.SimsTo(r.need, int(w), sims)
		for k, s := range sims {
			best[k] = max(best[k], s)
		}
	}
	var sum float64
	for _, b := range best {
		sum += float64(b)
	}
	return sum / float64(n)
}

// vecCos is the cosine of the question's summed word vectors with a
// section's (its unit vector scaled to int8, sectionStatic.vec).
func (r *Ranking) vecCos(vec []int8) float64 {
	if len(vec) == 0 || r.qunit == nil {
		return 0
	}
	var dot float32
	for k, x := range vec[:len(r.qunit)] {
		dot += float32(x) * r.qunit[k]
	}
	return float64(dot) / 127
}

// int8Unit is the direction of the sum of the words ws, scaled to int8
// (nil for none): a section's vector in a tenth of a float32 one's room.
func int8Unit(ws []int32) []int8 {
	if len(ws) == 0 {
		return nil
	}
	u := UnitVec(sumVecs(nil, ws))
	if u == nil {
		return nil
	}
	out := make([]int8, len(u))
	for k, x := range u {
		out[k] = int8(math.Round(float64(x) * 127))
	}
	return out
}

// maxNeedWords bounds the asking clause's words needSim compares: its
// first ones say what is asked ("who do I tell"); the rest tell the story.
const maxNeedWords = 4

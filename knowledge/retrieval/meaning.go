package retrieval

import (
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

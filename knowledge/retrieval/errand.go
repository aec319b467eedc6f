package retrieval

import (
	"math"

	"github.com/bothy-chat/bothy/knowledge/wordvec"
)

// The errand feature of the confidence model. Off-topic questions in a
// community of practice are mostly errands: pay, leave, claims, contracts,
// kit, a personal account. Such a question shares words with the guidance
// ("holiday pay for the weekend on-call" against out-of-hours cover) but
// its meaning lies elsewhere. The mean of a text's word vectors, projected
// on errandDir, says how errand-like it is. The feature is how much more
// errand-like the question is than the document that would answer it, so
// a knowledge base that is itself about pay or leave is not doubted for
// it, times the share of the question the passage leaves uncovered
// (rerank.go), so a question the document answers word for word is not
// doubted for its topic.

// sumVecs adds the vectors of the words ids to sum (Dims long, or nil to
// start one) and returns it.
func sumVecs(sum []float32, ids []int32) []float32 {
	tb := wordvec.Default()
	if sum == nil {
		sum = make([]float32, tb.Dims())
	}
	for _, i := range ids {
		tb.AddTo(sum, int(i))
	}
	return sum
}

// errandOf projects the direction of sum (a sum of word vectors) on
// errandDir; 0 for no words.
func errandOf(sum []float32) float64 {
	var n2, dot float64
	for k, x := range sum {
		n2 += float64(x) * float64(x)
		if k < len(errandDir) {
			dot += float64(x) * float64(errandDir[k])
		}
	}
	if n2 == 0 {
		return 0
	}
	return dot / math.Sqrt(n2)
}

// UnitVec scales v to unit length; nil for an all-zero v, which has no
// direction. Word-vector sums and embeddings alike go through it.
func UnitVec(v []float32) []float32 {
	var n2 float64
	for _, x := range v {
		n2 += float64(x) * float64(x)
	}
	if n2 == 0 {
		return nil
	}
	n := float32(1 / math.Sqrt(n2))
	out := make([]float32, len(v))
	for k, x := range v {
		out[k] = x * n
	}
	return out
}

package llmtest

import (
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Dims is the length of every vector this server returns.
const Dims = 64

// stopWords carry no meaning for the fake embedding; dropping them makes
// similarity follow the content words, as a real model's roughly would.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true,
	"by": true, "can": true, "do": true, "for": true, "from": true, "how": true, "i": true,
	"if": true, "in": true, "is": true, "it": true, "of": true, "on": true, "or": true,
	"our": true, "so": true, "that": true, "the": true, "this": true, "to": true,
	"we": true, "what": true, "when": true, "with": true, "you": true, "your": true,
}

// Embed is the deterministic embedding the server returns for text: each
// content word (lower case, trailing plural "s" removed) is hashed into
// one of Dims buckets, counts are summed and the vector is scaled to
// length 1. Text with no content words gives the zero vector.
func Embed(text string) []float32 {
	v := make([]float32, Dims)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%Dims]++
	}
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return v
	}
	norm := float32(math.Sqrt(sum))
	for i := range v {
		v[i] /= norm
	}
	return v
}

// Cosine is the cosine similarity of two vectors of the same length
// (the dot product, for vectors from Embed).
func Cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

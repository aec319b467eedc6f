package wordvec

import "testing"

// A probe's packed sums are exact: each equals Sim's, for an odd and an
// even number of words, the same word twice, and opposite corners of the
// table.
func TestProbeAgreesWithSim(t *testing.T) {
	tb := Default()
	last := int32(tb.Len() - 1)
	for _, js := range [][]int32{{1}, {10, 200}, {10, 200, 3000}, {10, 200, 3000, 40000}, {123, 123}, {0, last, 5, 6, 7}} {
		p := tb.NewProbe(js)
		if p.Len() != len(js) {
			t.Fatalf("probe of %v holds %d words", js, p.Len())
		}
		out := make([]float32, len(js))
		for _, i := range []int{0, 123, int(last)} {
			tb.SimsTo(p, i, out)
			for k, j := range js {
				if want := tb.Sim(i, int(j)); out[k] != want {
					t.Errorf("SimsTo(%v, %d)[%d] = %v, Sim = %v", js, i, k, out[k], want)
				}
			}
		}
	}
}

// BenchmarkSims compares a hundred words with four, as the section model
// does: through a probe and one by one.
func BenchmarkSims(b *testing.B) {
	tb := Default()
	js := []int32{10, 200, 3000, 40000}
	out := make([]float32, len(js))
	b.Run("probe", func(b *testing.B) {
		p := tb.NewProbe(js)
		for b.Loop() {
			for w := range 100 {
				tb.SimsTo(p, w*7, out)
			}
		}
	})
	b.Run("one by one", func(b *testing.B) {
		for b.Loop() {
			for w := range 100 {
				for k, j := range js {
					out[k] = tb.Sim(w*7, int(j))
				}
			}
		}
	})
}

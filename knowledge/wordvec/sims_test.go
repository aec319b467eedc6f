package wordvec

import "testing"

func TestSimsAgreeWithSim(t *testing.T) {
	tb := Default()
	for _, js := range [][]int32{{1}, {10, 200}, {10, 200, 3000, 40000}, {5, 6, 7, 8, 9, 10, 11}} {
		out := make([]float32, len(js))
		tb.Sims(123, js, out)
		for k, j := range js {
			if want := tb.Sim(123, int(j)); out[k] != want {
				t.Errorf("Sims(123, %v)[%d] = %v, Sim = %v", js, k, out[k], want)
			}
		}
	}
}

// BenchmarkSims compares a hundred words with four, as the section model
// does, four at a time and one by one.
func BenchmarkSims(b *testing.B) {
	tb := Default()
	js := []int32{10, 200, 3000, 40000}
	out := make([]float32, len(js))
	b.Run("four at a time", func(b *testing.B) {
		for b.Loop() {
			for w := range 100 {
				tb.Sims(w*7, js, out)
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

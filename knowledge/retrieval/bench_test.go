package retrieval

import (
	"fmt"
	"testing"
)

// BenchmarkRank measures retrieval alone, without SQLite or the bot, over
// synthetic indexes held in memory (1k and 10k sections). Each
// sub-benchmark runs the stages up to and including its name, so a
// stage's cost is the difference from the one before it. Run:
//
//	go test ./knowledge/retrieval -run '^$' -bench Rank -benchtime 5000x
func BenchmarkRank(b *testing.B) {
	for _, size := range []int{1000, 10000} {
		ix := testIndex(b, size/5, 5, 1)
		qs := testQuestions(200, size, 2)
		found := 0 // questions that found a passage
		stages := []struct {
			name string
			run  func(q string)
		}{
			{"analyse", func(q string) { ix.Analyse(q) }},
			{"search", func(q string) {
				if r := ix.Analyse(q); r.Searchable() {
					r.Search()
				}
			}},
			{"rerank", func(q string) { rank(ix, q) }},
			{"passages", func(q string) {
				ps, err := rank(ix, q).Passages(noSections)
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) > 0 {
					found++
				}
			}},
			{"extract", func(q string) {
				r := rank(ix, q)
				ps, err := r.Passages(noSections)
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) > 0 {
					r.Extract(ps)
				}
			}},
		}
		for _, st := range stages {
			b.Run(fmt.Sprintf("%dk/%s", size/1000, st.name), func(b *testing.B) {
				for _, q := range qs {
					st.run(q) // caches: word vectors, sections' units
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					st.run(qs[i%len(qs)])
				}
				if st.name == "passages" && found == 0 {
					b.Fatal("no question found a passage: the benchmark measures nothing")
				}
			})
		}
	}
}

// BenchmarkBuild measures building an index of 10k synthetic sections,
// which a knowledge base does after every ingest (the synthetic corpus is
// generated inside the loop too, the same for every build). Run:
//
//	go test ./knowledge/retrieval -run '^$' -bench Build -benchtime 10x
func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if ix := testIndex(b, 2000, 5, 1); ix.Sections() != 10000 {
			b.Fatalf("%d sections, want 10000", ix.Sections())
		}
	}
}

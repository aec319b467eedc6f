package knowledge

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval/synth"
)

// synthCorpus writes nDocs documents of sectionsPer sections each.
func synthCorpus(tb testing.TB, dir string, nDocs, sectionsPer int, seed int64) {
	tb.Helper()
	rng := rand.New(rand.NewSource(seed))
	files := map[string]string{}
	word := func() string { return synth.Words[rng.Intn(len(synth.Words))] }
	sentence := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = word()
		}
		// A rare, document-specific word makes some questions answerable.
		ws[rng.Intn(n)] = fmt.Sprintf("topic%d", rng.Intn(nDocs*sectionsPer))
		return strings.Join(ws, " ") + "."
	}
	for d := 0; d < nDocs; d++ {
		var b strings.Builder
		fmt.Fprintf(&b, "---\nid: doc-%d\ntitle: %s %s %s\nkind: guidance\ntags: [%s, %s]\nupdated: 2024-01-01\n---\n", d, word(), word(), word(), word(), word())
		for s := 0; s < sectionsPer; s++ {
			fmt.Fprintf(&b, "\n## %s %s\n\n", word(), word())
			for p := 0; p < 3; p++ {
				b.WriteString(sentence(12) + " ")
			}
			b.WriteString("\n")
		}
		files[fmt.Sprintf("d%05d.md", d)] = b.String()
	}
	writeFiles(tb, dir, files)
}

func benchAsk(b *testing.B, chunks int) {
	ctx := context.Background()
	dir := b.TempDir()
	const per = 5
	synthCorpus(b, dir, chunks/per, per, 1)
	base := openBase(b, Options{NoStarter: true})
	rep, err := base.Ingest(ctx, dir)
	if err != nil || len(rep.Errors) > 0 {
		b.Fatalf("ingest: %v %v", err, rep.Errors)
	}
	if _, n, _ := base.Count(ctx); n != chunks {
		b.Fatalf("indexed %d sections, want %d", n, chunks)
	}
	rng := rand.New(rand.NewSource(2))
	questions := make([]string, 200)
	for i := range questions {
		questions[i] = fmt.Sprintf("how should the %s handle %s %s during topic%d?", synth.Words[rng.Intn(len(synth.Words))],
			synth.Words[rng.Intn(len(synth.Words))], synth.Words[rng.Intn(len(synth.Words))], rng.Intn(chunks))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := base.Ask(ctx, Question{Text: questions[i%len(questions)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkAsk measures answering (retrieval, ranking, extract) without
// recording; run: go test ./knowledge -run '^$' -bench Ask -benchtime 2000x
// Up to retrieval's memSections sections are scored from memory; the 100k base goes
// through FTS5.
func BenchmarkAsk1kChunks(b *testing.B)   { benchAsk(b, 1000) }
func BenchmarkAsk10kChunks(b *testing.B)  { benchAsk(b, 10000) }
func BenchmarkAsk100kChunks(b *testing.B) { benchAsk(b, 100000) }

// BenchmarkIngestChunks measures a full ingest of five-section documents
// into a fresh database at three sizes: documents and sections per second,
// and the database file's size afterwards. Run:
//
//	go test ./knowledge -run '^$' -bench IngestChunks -benchtime 1x
func BenchmarkIngestChunks(b *testing.B) {
	for _, chunks := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("%dk", chunks/1000), func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			const per = 5
			docs := chunks / per
			synthCorpus(b, dir, docs, per, 4)
			var total time.Duration
			var size int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), "bothy.db")
				db, err := store.Open(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				base, err := Open(ctx, db, Options{NoStarter: true})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				rep, err := base.Ingest(ctx, dir)
				total += time.Since(start)
				b.StopTimer()
				if err != nil || rep.Added != docs {
					b.Fatalf("ingest: %+v %v", rep, err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					b.Fatal(err)
				}
				size = fi.Size()
				b.StartTimer()
			}
			b.ReportMetric(float64(docs*b.N)/total.Seconds(), "docs/s")
			b.ReportMetric(float64(chunks*b.N)/total.Seconds(), "sections/s")
			b.ReportMetric(float64(size)/(1<<20), "DB-MB")
		})
	}
}

// BenchmarkIngest1000Docs measures a full ingest of 1,000 three-section
// documents into a fresh database, reported as documents per second.
func BenchmarkIngest1000Docs(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	synthCorpus(b, dir, 1000, 3, 3)
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		base := openBase(b, Options{NoStarter: true})
		b.StartTimer()
		start := time.Now()
		rep, err := base.Ingest(ctx, dir)
		total += time.Since(start)
		if err != nil || rep.Added != 1000 {
			b.Fatalf("ingest: %+v %v", rep, err)
		}
	}
	b.ReportMetric(1000*float64(b.N)/total.Seconds(), "docs/s")
}

// TestSyntheticCorpusIsAnswerable keeps the benchmark honest: the corpus
// generator's rare words must actually retrieve their documents.
func TestSyntheticCorpusIsAnswerable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	synthCorpus(t, dir, 50, 2, 9)
	base := openBase(t, Options{NoStarter: true})
	if _, err := base.Ingest(ctx, dir); err != nil {
		t.Fatal(err)
	}
	matches, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(matches) != 50 {
		t.Fatalf("corpus has %d files, %v", len(matches), err)
	}
	if _, n, _ := base.Count(ctx); n != 100 {
		t.Fatalf("sections = %d, want 100", n)
	}
}

// BenchmarkAskStarter answers the starter eval questions from the starter
// knowledge base, as the chat throughput benchmark does, without the bot
// or the question log: the CPU cost of one answer. Run:
//
//	go test ./knowledge -run '^$' -bench AskStarter -benchtime 5000x
func BenchmarkAskStarter(b *testing.B) {
	ctx := context.Background()
	base := openBase(b, Options{})
	qs, err := ReadEvalFile(filepath.Join("testdata", "starter_questions.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := base.Ask(ctx, Question{Text: "warm up"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := base.Ask(ctx, Question{Text: qs[i%len(qs)].Q}); err != nil {
			b.Fatal(err)
		}
	}
}

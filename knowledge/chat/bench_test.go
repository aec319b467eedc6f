package chat

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge"
)

// benchAdapter feeds the bot from a channel and stamps each reply against
// the time its question was handed over.
type benchAdapter struct {
	in   chan bot.Event
	mu   sync.Mutex
	sent map[string]time.Time
	lat  []time.Duration
	all  chan struct{}
	want int
}

var _ bot.Adapter = (*benchAdapter)(nil)

func (a *benchAdapter) Name() string { return "bench" }

func (a *benchAdapter) Run(ctx context.Context, events chan<- bot.Event) error {
	for ev := range a.in {
		events <- ev
	}
	return nil
}

func (a *benchAdapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	now := time.Now()
	a.mu.Lock()
	a.lat = append(a.lat, now.Sub(a.sent[to.ReplyTo]))
	if len(a.lat) == a.want {
		close(a.all)
	}
	a.mu.Unlock()
	return bot.MessageRef{Platform: "bench", ID: to.ReplyTo}, nil
}

// BenchmarkQuestionThroughput is the whole path a question takes: Bot.Run
// fans it in, the router parses it, the ask handler retrieves from the
// starter knowledge base, records the question and its answer message in a
// real SQLite file, and the reply goes out. The questions are the starter
// eval set (in scope and out of scope), so nothing is answered from a
// single cached query plan. Run:
//
//	go test ./knowledge/chat -run '^$' -bench QuestionThroughput -benchtime 5000x
func BenchmarkQuestionThroughput(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bothy.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	base, err := knowledge.Open(ctx, db, knowledge.Options{})
	if err != nil {
		b.Fatal(err)
	}
	qs, err := knowledge.ReadEvalFile(filepath.Join("..", "testdata", "starter_questions.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	bt := bot.New(bot.Options{})
	ad := &benchAdapter{in: make(chan bot.Event, 1024), sent: make(map[string]time.Time, b.N), all: make(chan struct{}), want: b.N}
	bt.AddAdapter(ad)
	Register(bt, base)
	// Warm the index snapshot so the first message does not pay for loading it.
	if _, err := base.Ask(ctx, knowledge.Question{Text: "warm up"}); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = "m" + strconv.Itoa(i)
	}
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	go func() { done <- bt.Run(ctx) }()
	for i := 0; i < b.N; i++ {
		ad.mu.Lock()
		ad.sent[ids[i]] = time.Now()
		ad.mu.Unlock()
		ad.in <- bot.Message{Platform: "bench", ID: ids[i], UserID: "u" + strconv.Itoa(i%50), RoomID: "dm",
			Text: "ask " + qs[i%len(qs)].Q, Direct: true}
	}
	<-ad.all
	elapsed := time.Since(start)
	b.StopTimer()
	close(ad.in)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	// Every question must have been recorded, or the figure flatters.
	var recorded int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM kb_questions`).Scan(&recorded); err != nil {
		b.Fatal(err)
	}
	if recorded < b.N {
		b.Fatalf("%d questions recorded, want %d", recorded, b.N)
	}
	sort.Slice(ad.lat, func(i, j int) bool { return ad.lat[i] < ad.lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(ad.lat[len(ad.lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ad.lat[len(ad.lat)*99/100].Microseconds()), "p99-µs")
}

package bot_test

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// latencyAdapter stamps each message on the way in and records the delay
// to its reply, for the core throughput benchmark.
type latencyAdapter struct {
	in   chan bot.Event
	mu   sync.Mutex
	sent map[string]time.Time
	lat  []time.Duration
	all  chan struct{}
	want int
}

func (a *latencyAdapter) Name() string { return "bench" }

func (a *latencyAdapter) Run(ctx context.Context, events chan<- bot.Event) error {
	for ev := range a.in {
		events <- ev
	}
	return nil
}

func (a *latencyAdapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	now := time.Now()
	a.mu.Lock()
	a.lat = append(a.lat, now.Sub(a.sent[to.ReplyTo]))
	if len(a.lat) == a.want {
		close(a.all)
	}
	a.mu.Unlock()
	return bot.MessageRef{Platform: "bench", ID: to.ReplyTo}, nil
}

// BenchmarkCoreThroughput pushes b.N direct messages through Bot.Run (router,
// registry, worker pool, reply) and reports messages per second, p50/p99
// latency from hand-over to reply, and allocations per message.
func BenchmarkCoreThroughput(b *testing.B) {
	bt := bot.New(bot.Options{})
	ad := &latencyAdapter{in: make(chan bot.Event, 1024), sent: make(map[string]time.Time, b.N), all: make(chan struct{}), want: b.N}
	bt.AddAdapter(ad)
	bt.Register(&bot.Command{Name: "ask", Run: func(ctx context.Context, req *bot.Request) error {
		return req.Reply(ctx, bot.Reply{Text: "an answer to " + req.Args})
	}})
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = "m" + strconv.Itoa(i)
	}
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	go func() { done <- bt.Run(context.Background()) }()
	for i := 0; i < b.N; i++ {
		ad.mu.Lock()
		ad.sent[ids[i]] = time.Now()
		ad.mu.Unlock()
		ad.in <- bot.Message{Platform: "bench", ID: ids[i], UserID: "u", RoomID: "dm", Text: "what is purdah?", Direct: true}
	}
	<-ad.all
	elapsed := time.Since(start)
	b.StopTimer()
	close(ad.in)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	sort.Slice(ad.lat, func(i, j int) bool { return ad.lat[i] < ad.lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(ad.lat[len(ad.lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ad.lat[len(ad.lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkParse measures the chat grammar alone.
func BenchmarkParse(b *testing.B) {
	known := func(n string) bool { return n == "help" || n == "meetup" }
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bot.Parse("meetup add #tartantm summer social on 16 June 2027 18:00", true, false, known)
	}
}

package bot_test

import (
	"context"
	"testing"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

// BenchmarkCoreThroughput pushes b.N direct messages through Bot.Run (router,
// registry, worker pool, reply) and reports messages per second, p50/p99
// latency from hand-over to reply, and allocations per message.
func BenchmarkCoreThroughput(b *testing.B) {
	bt := bot.New(bot.Options{DefaultCommand: "ask"})
	ad := bottest.NewFlood(b.N)
	bt.AddAdapter(ad)
	bt.Register(&bot.Command{Name: "ask", Run: func(ctx context.Context, req *bot.Request) error {
		return req.Reply(ctx, bot.Reply{Text: "an answer to " + req.Args})
	}})
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	ad.Start()
	go func() { done <- bt.Run(context.Background()) }()
	for i := 0; i < b.N; i++ {
		ad.Push(i, "u", "what is purdah?")
	}
	ad.Wait()
	b.StopTimer()
	ad.End()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	ad.Report(b)
}

// BenchmarkParse measures the chat grammar alone.
func BenchmarkParse(b *testing.B) {
	known := func(n string) bool { return n == "help" || n == "meetup" }
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bot.Parse("meetup add #tartantm summer social on 16 June 2027 18:00", true, false, known)
	}
}

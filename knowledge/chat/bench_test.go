package chat

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge"
)

// BenchmarkQuestionThroughput is the whole path a question takes: Bot.Run
// fans it in, the router parses it, the ask handler retrieves from the
// starter knowledge base, records the question and its answer message in a
// real SQLite file, and the reply goes out. The questions are the starter
// eval set (in scope and out of scope), so nothing is answered from a
// single cached query plan. Run:
//
//	go test ./knowledge/chat -run '^$' -bench QuestionThroughput -benchtime 20000x -count 8
func BenchmarkQuestionThroughput(b *testing.B) { benchQuestions(b, false) }

// BenchmarkQuestionLatency is the same path with one question in flight at
// a time, so its p50/p99 are what answering one message takes (both
// commits included), not time spent queueing behind a flood. Run:
//
//	go test ./knowledge/chat -run '^$' -bench QuestionLatency -benchtime 5000x
func BenchmarkQuestionLatency(b *testing.B) { benchQuestions(b, true) }

func benchQuestions(b *testing.B, oneAtATime bool) {
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
	bt := bot.New(bot.Options{DefaultCommand: AskCommand})
	ad := bottest.NewFlood(b.N)
	bt.AddAdapter(ad)
	Register(bt, base, Options{})
	// Warm the index snapshot so the first message does not pay for loading it.
	if _, err := base.Ask(ctx, knowledge.Question{Text: "warm up"}); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	ad.Start()
	go func() { done <- bt.Run(ctx) }()
	for i := 0; i < b.N; i++ {
		push := ad.Push
		if oneAtATime {
			push = ad.PushWait
		}
		push(i, "u"+strconv.Itoa(i%50), "ask "+qs[i%len(qs)].Q)
	}
	ad.Wait()
	b.StopTimer()
	ad.End()
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
	ad.Report(b)
}

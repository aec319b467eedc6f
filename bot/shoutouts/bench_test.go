package shoutouts

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

// TestQuotaUnderConcurrency gives many shout-outs from one person at once:
// the quota check and the insert share a transaction, so exactly the quota
// is recorded and every other attempt is told why.
func TestQuotaUnderConcurrency(t *testing.T) {
	e := newEnv(t, true, func(o *Options) { o.DailyQuota = 5 })
	var wg sync.WaitGroup
	var mu sync.Mutex
	recorded, blocked := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.svc.Give(context.Background(), GiveRequest{Platform: "slack", Giver: bot.User{ID: "UALICE"},
				Recipients: []bot.User{{ID: fmt.Sprintf("U%d", i)}}, Reason: "a really helpful thread"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case len(res.Recorded) == 1:
				recorded++
			case res.Blocked != "":
				blocked++
			}
		}()
	}
	wg.Wait()
	if recorded != 5 || blocked != 15 {
		t.Errorf("recorded %d, blocked %d; want 5 and 15", recorded, blocked)
	}
}

func benchService(b *testing.B, rows int) *Service {
	db := bottest.OpenDBAt(b, filepath.Join(b.TempDir(), "bothy.db"))
	clock := bottest.NewClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	svc, err := New(Options{DB: db, Clock: clock, Location: london(b)})
	if err != nil {
		b.Fatal(err)
	}
	for i := range rows {
		clock.Add(17 * time.Minute)
		if _, err := svc.Give(context.Background(), GiveRequest{Platform: "slack", Giver: bot.User{ID: fmt.Sprintf("G%d", i%50)},
			Recipients: []bot.User{{ID: fmt.Sprintf("R%d", i%200), Name: fmt.Sprintf("Person %d", i%200)}},
			Reason:     fmt.Sprintf("great work on thread %d", i), Category: []string{"crisis", "records", ""}[i%3]}); err != nil {
			b.Fatal(err)
		}
	}
	return svc
}

// BenchmarkGive records one shout-out (rules checked, one transaction)
// into a database that already holds 10,000.
func BenchmarkGive(b *testing.B) {
	svc := benchService(b, 10000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := svc.Give(context.Background(), GiveRequest{Platform: "slack", Giver: bot.User{ID: fmt.Sprintf("B%d", i)},
			Recipients: []bot.User{{ID: "R1"}}, Reason: "another really great thread"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLeaderboard ranks 10,000 shout-outs for all time.
func BenchmarkLeaderboard(b *testing.B) {
	svc := benchService(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Leaderboard(context.Background(), AllTime, ""); err != nil {
			b.Fatal(err)
		}
	}
}

package slack

import (
	"context"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/store"
)

// TestEventLogClaimAndPrune: an event is claimed once, stored with the
// store's time encoding, and claimable again once pruned a day later.
func TestEventLogClaimAndPrune(t *testing.T) {
	ctx := context.Background()
	db := bottest.OpenDB(t)
	l := &eventLog{db: db, keep: 24 * time.Hour}
	now := time.Date(2026, 3, 1, 9, 30, 15, 250_000_000, time.UTC)
	for i, want := range []bool{true, false} {
		if got, err := l.claim(ctx, "Ev1", now); err != nil || got != want {
			t.Fatalf("claim %d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	var seen string
	if err := db.Read.QueryRowContext(ctx, "SELECT seen_at FROM slack_events WHERE event_id = 'Ev1'").Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if seen != "2026-03-01T09:30:15.250Z" {
		t.Fatalf("seen_at = %q, want store.Time", seen)
	}
	if err := l.prune(ctx, now.Add(23*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.claim(ctx, "Ev1", now); got {
		t.Fatal("pruned an event seen within the day")
	}
	if err := l.prune(ctx, now.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := l.claim(ctx, "Ev1", now.Add(25*time.Hour)); err != nil || !got {
		t.Fatalf("claim after prune = %v, %v; want true", got, err)
	}
}

// TestSlackEventTimesMigration: rows 0045 stored as Unix seconds are
// converted by 0046 and pruned by age as before.
func TestSlackEventTimesMigration(t *testing.T) {
	ctx := context.Background()
	db := bottest.OpenDB(t)
	migs, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	sqlOf := map[int]string{}
	for _, m := range migs {
		sqlOf[m.Version] = m.SQL
	}
	if sqlOf[45] == "" || sqlOf[46] == "" {
		t.Fatal("migrations 0045 and 0046 not found")
	}
	// Back to the table as 0045 left it, holding an old and a recent event.
	old := time.Date(2026, 3, 1, 9, 30, 15, 0, time.UTC)
	recent := old.Add(20 * time.Hour)
	if _, err := db.Write.ExecContext(ctx, "DROP TABLE slack_events"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, sqlOf[45]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, "INSERT INTO slack_events(event_id, seen_at) VALUES ('Old', ?), ('Recent', ?)", old.Unix(), recent.Unix()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, sqlOf[46]); err != nil {
		t.Fatal(err)
	}
	var seen, kind string
	if err := db.Read.QueryRowContext(ctx, "SELECT seen_at, typeof(seen_at) FROM slack_events WHERE event_id = 'Old'").Scan(&seen, &kind); err != nil {
		t.Fatal(err)
	}
	if seen != store.Time(old) || kind != "text" {
		t.Fatalf("converted seen_at = %q (%s), want %q (text)", seen, kind, store.Time(old))
	}
	l := &eventLog{db: db, keep: 24 * time.Hour}
	if err := l.prune(ctx, old.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.claim(ctx, "Recent", recent); got {
		t.Fatal("the recent event was pruned")
	}
	if got, _ := l.claim(ctx, "Old", recent); !got {
		t.Fatal("the old event was not pruned")
	}
}

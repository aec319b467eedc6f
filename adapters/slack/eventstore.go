package slack

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// eventLog persists accepted event IDs, and when each was seen (as
// store.Time), in the slack_events table (migrations 0045, 0046). The
// in-memory seenSet answers almost every retry; this catches the ones
// that arrive after a restart.
type eventLog struct {
	db      *store.DB
	keep    time.Duration
	inserts atomic.Int64
}

// claim records id and reports whether it was new.
func (l *eventLog) claim(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := l.db.Write.ExecContext(ctx,
		"INSERT INTO slack_events(event_id, seen_at) VALUES (?, ?) ON CONFLICT(event_id) DO NOTHING",
		id, store.Time(now))
	if err != nil {
		return false, fmt.Errorf("slack: record event %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("slack: record event %s: %w", id, err)
	}
	// Prune now and then rather than on every insert.
	if n == 1 && l.inserts.Add(1)%500 == 0 {
		if err := l.prune(ctx, now); err != nil {
			return n == 1, err
		}
	}
	return n == 1, nil
}

// forget drops id, so a retry of a delivery that could not be queued is
// accepted.
func (l *eventLog) forget(ctx context.Context, id string) error {
	if _, err := l.db.Write.ExecContext(ctx, "DELETE FROM slack_events WHERE event_id = ?", id); err != nil {
		return fmt.Errorf("slack: forget event %s: %w", id, err)
	}
	return nil
}

func (l *eventLog) prune(ctx context.Context, now time.Time) error {
	if _, err := l.db.Write.ExecContext(ctx, "DELETE FROM slack_events WHERE seen_at < ?", store.Time(now.Add(-l.keep))); err != nil {
		return fmt.Errorf("slack: prune events: %w", err)
	}
	return nil
}

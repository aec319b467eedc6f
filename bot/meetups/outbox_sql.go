package meetups

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
)

// Outbox row states. A row is written "scheduled" with its due time; just
// before sending it becomes "pending" (the intent, committed); after the
// platform accepts it, "sent". A pending row found at start-up was
// interrupted between those two writes and is sent again with the same
// idempotency key.
const (
	outScheduled = "scheduled"
	outPending   = "pending"
	outSent      = "sent"
	outSkipped   = "skipped"
	outFailed    = "failed"
)

// delivery is one outbox row.
type delivery struct {
	ID        int64
	MeetupID  int64
	Platform  string
	RoomID    string
	Kind      string
	Key       string
	Status    string
	DueAt     time.Time
	Attempts  int
	MessageID string
}

// idemKey is stable for a (meetup, channel, kind), so a re-send after a
// crash carries the key of the first attempt.
func idemKey(meetupUID string, platform, room, kind string) string {
	h := sha256.Sum256([]byte(meetupUID + "\x00" + platform + "\x00" + room + "\x00" + kind))
	return "bothy-meetup-" + hex.EncodeToString(h[:12])
}

// enqueue adds a delivery unless the same (meetup, channel, kind) exists.
func enqueue(ctx context.Context, q execer, m Meetup, ch bot.Channel, kind string, due time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO meetup_outbox(meetup_id, platform, room_id, kind, idem_key, due_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		m.ID, ch.Platform, ch.RoomID, kind, idemKey(m.UID, ch.Platform, ch.RoomID, kind), store.Time(due))
	if err != nil {
		return fmt.Errorf("meetups: enqueue %s for %d: %w", kind, m.ID, err)
	}
	return nil
}

// dropScheduledReminders retires reminders not yet begun (after an edit
// of the time, or a cancellation); sent rows stay as history.
func dropScheduledReminders(ctx context.Context, q execer, meetupID int64, why string) error {
	_, err := q.ExecContext(ctx, `UPDATE meetup_outbox SET status = 'skipped', last_error = ?
		WHERE meetup_id = ? AND status = 'scheduled' AND kind LIKE 'remind-%'`, why, meetupID)
	if err != nil {
		return fmt.Errorf("meetups: drop reminders for %d: %w", meetupID, err)
	}
	return nil
}

// dropRemindersExcept retires a meetup's reminders not yet begun whose
// kind is not in keep.
func dropRemindersExcept(ctx context.Context, q execer, meetupID int64, keep []string, why string) error {
	args := []any{why, meetupID}
	marks := make([]string, len(keep))
	for i, k := range keep {
		marks[i] = "?"
		args = append(args, k)
	}
	cond := ""
	if len(keep) > 0 {
		cond = " AND kind NOT IN (" + strings.Join(marks, ", ") + ")"
	}
	_, err := q.ExecContext(ctx, `UPDATE meetup_outbox SET status = 'skipped', last_error = ?
		WHERE meetup_id = ? AND status = 'scheduled' AND kind LIKE 'remind-%'`+cond, args...)
	if err != nil {
		return fmt.Errorf("meetups: drop reminders for %d: %w", meetupID, err)
	}
	return nil
}

const deliveryCols = "id, meetup_id, platform, room_id, kind, idem_key, status, due_at, attempts, message_id"

func scanDelivery(sc store.Scanner) (delivery, error) {
	var d delivery
	var due string
	if err := sc.Scan(&d.ID, &d.MeetupID, &d.Platform, &d.RoomID, &d.Kind, &d.Key, &d.Status, &due, &d.Attempts, &d.MessageID); err != nil {
		return d, err
	}
	var err error
	d.DueAt, err = store.ParseTime(due)
	return d, err
}

// nextDue returns the next row to work on: pending ones first (they were
// interrupted), then scheduled ones by due time.
func nextDue(ctx context.Context, q execer, now time.Time, after int64) (delivery, bool, error) {
	d, ok, err := store.One(ctx, q, scanDelivery, `SELECT `+deliveryCols+` FROM meetup_outbox
		WHERE status IN ('pending', 'scheduled') AND due_at <= ? AND (next_try_at = '' OR next_try_at <= ?) AND id > ?
		ORDER BY status = 'scheduled', due_at, id LIMIT 1`, store.Time(now), store.Time(now), after)
	if err != nil {
		return d, false, fmt.Errorf("meetups: next delivery: %w", err)
	}
	return d, ok, nil
}

func setStatus(ctx context.Context, q execer, id int64, status, note string) error {
	_, err := q.ExecContext(ctx, "UPDATE meetup_outbox SET status = ?, last_error = ? WHERE id = ?", status, note, id)
	if err != nil {
		return fmt.Errorf("meetups: delivery %d -> %s: %w", id, status, err)
	}
	return nil
}

func markSent(ctx context.Context, q execer, id int64, messageID string, at time.Time) error {
	_, err := q.ExecContext(ctx, "UPDATE meetup_outbox SET status = 'sent', message_id = ?, sent_at = ?, last_error = '' WHERE id = ?",
		messageID, store.Time(at), id)
	if err != nil {
		return fmt.Errorf("meetups: delivery %d sent: %w", id, err)
	}
	return nil
}

func markRetry(ctx context.Context, q execer, id int64, attempts int, next time.Time, why string) error {
	_, err := q.ExecContext(ctx, "UPDATE meetup_outbox SET attempts = ?, next_try_at = ?, last_error = ? WHERE id = ?",
		attempts, store.Time(next), why, id)
	if err != nil {
		return fmt.Errorf("meetups: delivery %d retry: %w", id, err)
	}
	return nil
}

// laterReminderDue reports whether a later reminder for the same meetup
// and channel is also due, in which case this one is stale.
func laterReminderDue(ctx context.Context, q execer, d delivery, now time.Time) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM meetup_outbox WHERE meetup_id = ? AND platform = ? AND room_id = ?
		AND kind LIKE 'remind-%' AND id != ? AND due_at > ? AND due_at <= ? AND status IN ('scheduled', 'pending', 'sent')`,
		d.MeetupID, d.Platform, d.RoomID, d.ID, store.Time(d.DueAt), store.Time(now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("meetups: later reminders: %w", err)
	}
	return n > 0, nil
}

// meetupForMessage maps a posted announcement back to its meetup.
func meetupForMessage(ctx context.Context, q execer, platform, messageID string) (int64, bool, error) {
	if messageID == "" {
		return 0, false, nil
	}
	id, ok, err := store.One(ctx, q, store.Column[int64],
		`SELECT meetup_id FROM meetup_outbox WHERE platform = ? AND message_id = ? AND kind != 'cancel' LIMIT 1`, platform, messageID)
	if err != nil {
		return 0, false, fmt.Errorf("meetups: message lookup: %w", err)
	}
	return id, ok, nil
}

// countByStatus is for logs and tests.
func countByStatus(ctx context.Context, q execer) (map[string]int, error) {
	type count struct {
		status string
		n      int
	}
	counts, err := store.List(ctx, q, func(sc store.Scanner) (count, error) {
		var c count
		err := sc.Scan(&c.status, &c.n)
		return c, err
	}, "SELECT status, count(*) FROM meetup_outbox GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("meetups: outbox counts: %w", err)
	}
	out := make(map[string]int, len(counts))
	for _, c := range counts {
		out[c.status] = c.n
	}
	return out, nil
}

// kindLabel is the metrics label of a delivery kind.
func kindLabel(kind string) string {
	switch {
	case strings.HasPrefix(kind, "remind-"):
		return "reminder"
	case strings.HasPrefix(kind, "edit-"):
		return "edit"
	}
	return kind
}

package shoutouts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for the shoutouts table.

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const shoutoutCols = `id, giver_id, giver_name, recipient_id, recipient_name, reason, category,
	platform, room_id, message_id, created_at, retracted_at, retracted_by, retract_reason`

func scanShoutout(r store.Scanner) (Shoutout, error) {
	var s Shoutout
	var created, retracted string
	err := r.Scan(&s.ID, &s.GiverID, &s.GiverName, &s.RecipientID, &s.RecipientName, &s.Reason,
		&s.Category, &s.Platform, &s.RoomID, &s.MessageID, &created, &retracted, &s.RetractedBy, &s.RetractReason)
	if err != nil {
		return s, err
	}
	if s.CreatedAt, err = store.ParseTime(created); err != nil {
		return s, err
	}
	s.RetractedAt, err = store.ParseTime(retracted)
	return s, err
}

func queryShoutouts(ctx context.Context, q querier, query string, args ...any) ([]Shoutout, error) {
	return store.List(ctx, q, scanShoutout, "SELECT "+shoutoutCols+" FROM shoutouts "+query, args...)
}

func insertShoutout(ctx context.Context, q querier, s Shoutout) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO shoutouts(giver_id, giver_name, recipient_id, recipient_name,
		reason, reason_key, category, platform, room_id, message_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.GiverID, s.GiverName, s.RecipientID, s.RecipientName, s.Reason, reasonKey(s.Reason),
		s.Category, s.Platform, s.RoomID, s.MessageID, store.Time(s.CreatedAt))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// countGivenSince counts the giver's standing shout-outs since t, for the
// daily quota. Retracted ones do not count against the giver.
func countGivenSince(ctx context.Context, q querier, giverID string, t time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM shoutouts
		WHERE giver_id = ? AND created_at >= ? AND retracted_at = ''`, giverID, store.Time(t)).Scan(&n)
	return n, err
}

// findDuplicate finds a standing shout-out from giver to recipient with the
// same folded reason since t.
func findDuplicate(ctx context.Context, q querier, giverID, recipientID, reason string, since time.Time) (int64, bool, error) {
	return store.One(ctx, q, store.Column[int64], `SELECT id FROM shoutouts
		WHERE giver_id = ? AND recipient_id = ? AND reason_key = ? AND created_at >= ? AND retracted_at = ''
		ORDER BY id DESC LIMIT 1`, giverID, recipientID, reasonKey(reason), store.Time(since))
}

// ErrNotFound is returned for a shout-out, round or nomination that does
// not exist.
var ErrNotFound = errors.New("not found")

// Get returns one shout-out, retracted or not.
func (s *Service) Get(ctx context.Context, id int64) (Shoutout, error) {
	sh, ok, err := store.One(ctx, s.db.Read, scanShoutout, "SELECT "+shoutoutCols+" FROM shoutouts WHERE id = ?", id)
	if err != nil {
		return sh, fmt.Errorf("shoutouts: get #%d: %w", id, err)
	}
	if !ok {
		return sh, fmt.Errorf("shoutouts: #%d: %w", id, ErrNotFound)
	}
	return sh, nil
}

// markRetracted retracts a standing shout-out; false if it already was.
func markRetracted(ctx context.Context, q querier, id int64, by, reason string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE shoutouts SET retracted_at = ?, retracted_by = ?, retract_reason = ?
		WHERE id = ? AND retracted_at = ''`, store.Time(at), by, reason, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Since returns every shout-out created at or after since (zero: all),
// retracted ones included, oldest first: the full record for exports.
func (s *Service) Since(ctx context.Context, since time.Time) ([]Shoutout, error) {
	out, err := queryShoutouts(ctx, s.db.Read, "WHERE created_at >= ? ORDER BY created_at, id", store.Time(since))
	if err != nil {
		return nil, fmt.Errorf("shoutouts: list: %w", err)
	}
	return out, nil
}

// Recent returns the newest standing shout-outs, newest first, for the
// community page. Erased members appear under the erased name.
func (s *Service) Recent(ctx context.Context, limit int) ([]Shoutout, error) {
	if limit <= 0 {
		limit = 20
	}
	out, err := queryShoutouts(ctx, s.db.Read, "WHERE retracted_at = '' ORDER BY created_at DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: recent: %w", err)
	}
	return out, nil
}

// Received returns the standing shout-outs a person received, newest first.
func (s *Service) Received(ctx context.Context, userID string, limit int) ([]Shoutout, error) {
	out, err := queryShoutouts(ctx, s.db.Read, "WHERE recipient_id = ? AND retracted_at = '' ORDER BY created_at DESC, id DESC LIMIT ?", userID, limit)
	if err != nil {
		return nil, fmt.Errorf("shoutouts: received: %w", err)
	}
	return out, nil
}

// between returns standing shout-outs in [from, to), oldest first.
func (s *Service) between(ctx context.Context, from, to time.Time) ([]Shoutout, error) {
	return queryShoutouts(ctx, s.db.Read, "WHERE retracted_at = '' AND created_at >= ? AND created_at < ? ORDER BY created_at, id", store.Time(from), store.Time(to))
}

// Count is one line of a leaderboard.
type Count struct {
	ID    string
	Name  string
	Count int
}

// countRecipients ranks recipients of standing shout-outs since a time,
// optionally in one category; the name is the one on their latest
// shout-out in the period.
func countRecipients(ctx context.Context, q querier, since time.Time, category string, limit int) ([]Count, error) {
	return store.List(ctx, q, func(sc store.Scanner) (Count, error) {
		var c Count
		err := sc.Scan(&c.ID, &c.Count, &c.Name)
		return c, err
	}, `SELECT c.recipient_id, c.n, l.recipient_name FROM
		(SELECT recipient_id, count(*) AS n, max(id) AS last FROM shoutouts
		 WHERE retracted_at = '' AND created_at >= ? AND (? = '' OR category = ?)
		 GROUP BY recipient_id) c
		JOIN shoutouts l ON l.id = c.last
		ORDER BY c.n DESC, l.recipient_name COLLATE NOCASE, c.recipient_id LIMIT ?`,
		store.Time(since), category, category, limit)
}

// countCategories ranks categories of standing shout-outs since a time.
func countCategories(ctx context.Context, q querier, since time.Time, category string) ([]Count, error) {
	return store.List(ctx, q, func(sc store.Scanner) (Count, error) {
		var c Count
		err := sc.Scan(&c.Name, &c.Count)
		c.ID = c.Name
		return c, err
	}, `SELECT category, count(*) AS n FROM shoutouts
		WHERE retracted_at = '' AND created_at >= ? AND category != '' AND (? = '' OR category = ?)
		GROUP BY category ORDER BY n DESC, category`, store.Time(since), category, category)
}

// totals counts standing shout-outs, givers and recipients since a time.
func totals(ctx context.Context, q querier, since time.Time, category string) (n, givers, recipients int, err error) {
	err = q.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT giver_id), count(DISTINCT recipient_id)
		FROM shoutouts WHERE retracted_at = '' AND created_at >= ? AND (? = '' OR category = ?)`,
		store.Time(since), category, category).Scan(&n, &givers, &recipients)
	return n, givers, recipients, err
}

// byUser returns every shout-out the user gave or received, any state.
func byUser(ctx context.Context, q querier, userID string) (given, received []Shoutout, err error) {
	given, err = queryShoutouts(ctx, q, "WHERE giver_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, nil, err
	}
	received, err = queryShoutouts(ctx, q, "WHERE recipient_id = ? ORDER BY id", userID)
	return given, received, err
}

// eraseShoutouts replaces the member's ID and names with the pseudonym
// and the erased name, erases the reasons they wrote, and scrubs them from
// every other reason. Rows are kept so counts stay honest.
func eraseShoutouts(ctx context.Context, q querier, s *privacy.Subject) (int64, error) {
	var total int64
	for _, stmt := range []string{
		// Their words, and where they wrote them (a direct message with
		// the bot is a room only they share with it).
		"UPDATE shoutouts SET reason = ?4, reason_key = ?5, room_id = '', message_id = '' WHERE giver_id = ?1",
		"UPDATE shoutouts SET giver_id = ?2, giver_name = ?3 WHERE giver_id = ?1",
		"UPDATE shoutouts SET recipient_id = ?2, recipient_name = ?3 WHERE recipient_id = ?1",
		"UPDATE shoutouts SET retracted_by = ?2 WHERE retracted_by = ?1",
	} {
		res, err := q.ExecContext(ctx, stmt, s.UserID, s.Pseudonym, privacy.ErasedName, privacy.ErasedText, reasonKey(privacy.ErasedText))
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	type texts struct {
		id                    int64
		reason, retractReason string
	}
	all, err := store.List(ctx, q, func(sc store.Scanner) (texts, error) {
		var t texts
		err := sc.Scan(&t.id, &t.reason, &t.retractReason)
		return t, err
	}, "SELECT id, reason, retract_reason FROM shoutouts")
	if err != nil {
		return total, err
	}
	for _, t := range all {
		reason, retractReason := s.Scrub(t.reason), s.Scrub(t.retractReason)
		if reason == t.reason && retractReason == t.retractReason {
			continue
		}
		if _, err := q.ExecContext(ctx, "UPDATE shoutouts SET reason = ?, reason_key = ?, retract_reason = ? WHERE id = ?",
			reason, reasonKey(reason), retractReason, t.id); err != nil {
			return total, err
		}
		total++
	}
	return total, nil
}

// namesOf collects the display names recorded for a user in shout-outs.
func namesOf(ctx context.Context, q querier, userID string) ([]string, error) {
	return store.List(ctx, q, store.Column[string], `SELECT giver_name FROM shoutouts WHERE giver_id = ?1
		UNION SELECT recipient_name FROM shoutouts WHERE recipient_id = ?1`, userID)
}

package shoutouts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for the award_rounds table.

// Round is an awards round.
type Round struct {
	ID         int64
	Name       string
	Categories []string
	OpenedBy   string
	OpenedAt   time.Time
	ClosedBy   string
	ClosedAt   time.Time
}

// Open reports whether the round still takes nominations.
func (r Round) Open() bool { return r.ClosedAt.IsZero() }

// HasCategory reports whether c is one of the round's categories.
func (r Round) HasCategory(c string) bool {
	for _, have := range r.Categories {
		if have == c {
			return true
		}
	}
	return false
}

const roundCols = "id, name, categories, opened_by, opened_at, closed_by, closed_at"

func scanRound(r store.Scanner) (Round, error) {
	var rd Round
	var cats, opened, closed string
	if err := r.Scan(&rd.ID, &rd.Name, &cats, &rd.OpenedBy, &opened, &rd.ClosedBy, &closed); err != nil {
		return rd, err
	}
	if err := json.Unmarshal([]byte(cats), &rd.Categories); err != nil {
		return rd, fmt.Errorf("round %d categories: %w", rd.ID, err)
	}
	var err error
	if rd.OpenedAt, err = store.ParseTime(opened); err != nil {
		return rd, err
	}
	rd.ClosedAt, err = store.ParseTime(closed)
	return rd, err
}

func insertRound(ctx context.Context, q querier, r Round) (int64, error) {
	cats, err := json.Marshal(r.Categories)
	if err != nil {
		return 0, err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO award_rounds(name, name_key, categories, opened_by, opened_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT(name_key) DO NOTHING`,
		r.Name, strings.ToLower(r.Name), string(cats), r.OpenedBy, store.Time(r.OpenedAt))
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, ErrRoundExists
	}
	return res.LastInsertId()
}

func roundByName(ctx context.Context, q querier, name string) (Round, error) {
	r, ok, err := store.One(ctx, q, scanRound, "SELECT "+roundCols+" FROM award_rounds WHERE name_key = ?", strings.ToLower(name))
	if err == nil && !ok {
		return r, ErrNotFound
	}
	return r, err
}

func listRounds(ctx context.Context, q querier, where string, args ...any) ([]Round, error) {
	return store.List(ctx, q, scanRound, "SELECT "+roundCols+" FROM award_rounds "+where, args...)
}

func closeRound(ctx context.Context, q querier, id int64, by string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, "UPDATE award_rounds SET closed_by = ?, closed_at = ? WHERE id = ? AND closed_at = ''", by, store.Time(at), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// eraseRounds replaces the user's ID as opener or closer of rounds.
func eraseRounds(ctx context.Context, q querier, userID, pseudonym string) (int64, error) {
	var total int64
	for _, stmt := range []string{
		"UPDATE award_rounds SET opened_by = ?2 WHERE opened_by = ?1",
		"UPDATE award_rounds SET closed_by = ?2 WHERE closed_by = ?1",
	} {
		res, err := q.ExecContext(ctx, stmt, userID, pseudonym)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

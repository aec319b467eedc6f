package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for admin_triage: what organisers decided about rated answers.

const (
	triageConfirmed = "confirmed"
	triageFlagged   = "flagged"
)

// review is a section flagged from a wrong answer.
type review struct {
	QuestionID int64
	DocID      string
	Section    string
	Note       string
	By         string
	At         time.Time
}

type triage struct {
	Action string
	By     string
	At     time.Time
}

// setTriage records a decision; a later one replaces an earlier one.
func setTriage(ctx context.Context, ex store.Execer, qid int64, action, docID, section, note, by string, at time.Time) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO admin_triage(question_id, action, doc_id, section, note, by, at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(question_id) DO UPDATE SET action = excluded.action, doc_id = excluded.doc_id, section = excluded.section,
		note = excluded.note, by = excluded.by, at = excluded.at, reviewed_at = '', reviewed_by = ''`,
		qid, action, docID, section, note, by, stamp(at))
	if err != nil {
		return fmt.Errorf("admin: record %s: %w", action, err)
	}
	return nil
}

func getTriage(ctx context.Context, db *store.DB, qid int64) (triage, bool, error) {
	var t triage
	var at string
	err := db.Read.QueryRowContext(ctx, "SELECT action, by, at FROM admin_triage WHERE question_id = ?", qid).Scan(&t.Action, &t.By, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("admin: read triage: %w", err)
	}
	t.At = parseStamp(at)
	return t, true, nil
}

func queryReviews(ctx context.Context, db *store.DB, where string, args ...any) ([]review, error) {
	out, err := store.List(ctx, db.Read, func(sc store.Scanner) (review, error) {
		var rv review
		var at string
		err := sc.Scan(&rv.QuestionID, &rv.DocID, &rv.Section, &rv.Note, &rv.By, &at)
		rv.At = parseStamp(at)
		return rv, err
	}, `SELECT question_id, doc_id, section, note, by, at FROM admin_triage
		WHERE action = 'flagged' AND reviewed_at = '' `+where+` ORDER BY at DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("admin: list reviews: %w", err)
	}
	return out, nil
}

// openReviews lists flagged sections nobody has reviewed yet.
func openReviews(ctx context.Context, db *store.DB) ([]review, error) {
	return queryReviews(ctx, db, "")
}

// docReviews lists one document's open reviews.
func docReviews(ctx context.Context, db *store.DB, docID string) ([]review, error) {
	return queryReviews(ctx, db, "AND doc_id = ?", docID)
}

// markReviewed closes a flagged section's review.
func markReviewed(ctx context.Context, ex store.Execer, qid int64, by string, at time.Time) (bool, error) {
	res, err := ex.ExecContext(ctx, "UPDATE admin_triage SET reviewed_at = ?, reviewed_by = ? WHERE question_id = ? AND action = 'flagged' AND reviewed_at = ''", stamp(at), by, qid)
	if err != nil {
		return false, fmt.Errorf("admin: mark reviewed: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

type triageRecord struct {
	QuestionID int64  `json:"question_id"`
	Action     string `json:"action"`
	At         string `json:"at"`
}

func userTriage(ctx context.Context, db *store.DB, userID string) ([]triageRecord, error) {
	out, err := store.List(ctx, db.Read, func(sc store.Scanner) (triageRecord, error) {
		var t triageRecord
		err := sc.Scan(&t.QuestionID, &t.Action, &t.At)
		return t, err
	}, "SELECT question_id, action, at FROM admin_triage WHERE by = ?1 OR reviewed_by = ?1 ORDER BY at", userID)
	if err != nil {
		return nil, fmt.Errorf("admin: export decisions: %w", err)
	}
	if out == nil {
		out = []triageRecord{}
	}
	return out, nil
}

// pseudonymiseTriage replaces a person's ID on decisions they made.
func pseudonymiseTriage(ctx context.Context, db *store.DB, userID, pseudonym string) (int64, error) {
	a, err := db.Write.ExecContext(ctx, "UPDATE admin_triage SET by = ? WHERE by = ?", pseudonym, userID)
	if err != nil {
		return 0, err
	}
	b, err := db.Write.ExecContext(ctx, "UPDATE admin_triage SET reviewed_by = ? WHERE reviewed_by = ?", pseudonym, userID)
	if err != nil {
		return 0, err
	}
	n, _ := a.RowsAffected()
	m, _ := b.RowsAffected()
	return n + m, nil
}

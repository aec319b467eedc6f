package knowledge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for kb_feedback: helpful / not helpful on answers.

// Feedback records whether an answer helped. One vote per person per
// question: a later vote replaces an earlier one.
func (b *Base) Feedback(ctx context.Context, questionID int64, userID string, helpful bool) error {
	_, sources, _, err := b.question(ctx, questionID)
	if err != nil {
		return err
	}
	_, err = b.db.Write.ExecContext(ctx, `INSERT INTO kb_feedback(question_id, at, user_id, helpful, sources) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(question_id, user_id) DO UPDATE SET helpful = excluded.helpful, at = excluded.at`,
		questionID, stamp(b.clock.Now()), userID, helpful, sources)
	if err != nil {
		return fmt.Errorf("knowledge: record feedback on question %d: %w", questionID, err)
	}
	return nil
}

// RemoveFeedback withdraws a person's vote (a reaction taken back).
func (b *Base) RemoveFeedback(ctx context.Context, questionID int64, userID string, helpful bool) error {
	_, err := b.db.Write.ExecContext(ctx, "DELETE FROM kb_feedback WHERE question_id = ? AND user_id = ? AND helpful = ?", questionID, userID, helpful)
	if err != nil {
		return fmt.Errorf("knowledge: remove feedback on question %d: %w", questionID, err)
	}
	return nil
}

// FeedbackCounts returns how many people found answers helpful or not,
// per document, for organisers' reports.
func (b *Base) FeedbackCounts(ctx context.Context, questionID int64) (helpful, unhelpful int, err error) {
	err = b.db.Read.QueryRowContext(ctx, "SELECT coalesce(sum(helpful), 0), coalesce(sum(1 - helpful), 0) FROM kb_feedback WHERE question_id = ?", questionID).Scan(&helpful, &unhelpful)
	if err != nil {
		return 0, 0, fmt.Errorf("knowledge: count feedback: %w", err)
	}
	return helpful, unhelpful, nil
}

// Rated is a recorded question whose answer people rated.
type Rated struct {
	QuestionID int64
	At         time.Time // the latest rating
	UserID     string    // who asked
	Platform   string
	Text       string
	Answered   bool
	Sources    []string // document ids, best first, as answered
	// Passage is the section the answer quoted, "doc#anchor" ("doc" for
	// its lead; "" for questions recorded before passages were kept).
	Passage string
	// AlsoQuoted is the second section the answer quoted, when it quoted
	// two (see Confirmable).
	AlsoQuoted string
	Helpful    int
	Unhelpful  int
}

// RatedAnswers lists rated answers, most recently rated first.
func (b *Base) RatedAnswers(ctx context.Context, limit int) ([]Rated, error) {
	if limit <= 0 {
		limit = 50
	}
	out, err := store.List(ctx, b.db.Read, scanRated, `SELECT q.id, max(f.at), q.user_id, q.platform, q.text, q.answered, q.sources, q.passage, q.also_quoted,
			sum(f.helpful != 0), sum(f.helpful = 0)
		FROM kb_feedback f JOIN kb_questions q ON q.id = f.question_id
		GROUP BY q.id ORDER BY max(f.at) DESC, q.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge: rated answers: %w", err)
	}
	return out, nil
}

func scanRated(sc store.Scanner) (Rated, error) {
	var r Rated
	var at, srcs string
	if err := sc.Scan(&r.QuestionID, &at, &r.UserID, &r.Platform, &r.Text, &r.Answered, &srcs, &r.Passage, &r.AlsoQuoted, &r.Helpful, &r.Unhelpful); err != nil {
		return r, err
	}
	r.At, _ = store.ParseTime(at)
	r.Sources = strings.Fields(srcs)
	return r, nil
}

// FeedbackDay is one UTC day's ratings.
type FeedbackDay struct {
	Day                string
	Helpful, Unhelpful int
}

// FeedbackByDay counts ratings given since a time per UTC day, oldest first.
func (b *Base) FeedbackByDay(ctx context.Context, since time.Time) ([]FeedbackDay, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (FeedbackDay, error) {
		var d FeedbackDay
		err := sc.Scan(&d.Day, &d.Helpful, &d.Unhelpful)
		return d, err
	}, `SELECT substr(at, 1, 10) AS day, sum(helpful != 0), sum(helpful = 0)
		FROM kb_feedback WHERE at >= ? GROUP BY day ORDER BY day`, stamp(since))
	if err != nil {
		return nil, fmt.Errorf("knowledge: feedback by day: %w", err)
	}
	return out, nil
}

package knowledge

import (
	"context"
	"fmt"
)

// SQL for kb_feedback: helpful / not helpful on answers.

// Feedback records whether an answer helped. One vote per person per
// question: a later vote replaces an earlier one.
func (b *Base) Feedback(ctx context.Context, questionID int64, userID string, helpful bool) error {
	_, sources, err := b.question(ctx, questionID)
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

package knowledge

import (
	"context"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

// Privacy is the knowledge base's privacy.Provider: the questions people
// asked and their feedback on answers.
type Privacy struct{ b *Base }

var _ privacy.Provider = Privacy{}

// Privacy returns the provider for data-protection requests.
func (b *Base) Privacy() Privacy { return Privacy{b} }

// Name labels this provider's section of an export.
func (Privacy) Name() string { return "knowledge" }

type exportQuestion struct {
	ID        int64   `json:"id"`
	At        string  `json:"at"`
	Platform  string  `json:"platform"`
	Room      string  `json:"room"`
	Text      string  `json:"text"`
	Answered  bool    `json:"answered"`
	Confident float64 `json:"confidence"`
	Sources   string  `json:"sources"`
}

type exportFeedback struct {
	QuestionID int64  `json:"question_id"`
	At         string `json:"at"`
	Helpful    bool   `json:"helpful"`
}

// ExportUser returns the user's questions and feedback.
func (p Privacy) ExportUser(ctx context.Context, userID string) (any, error) {
	out := struct {
		Questions []exportQuestion `json:"questions"`
		Feedback  []exportFeedback `json:"feedback"`
	}{Questions: []exportQuestion{}, Feedback: []exportFeedback{}}
	rows, err := p.b.db.Read.QueryContext(ctx, `SELECT id, at, platform, room_id, text, answered, confidence, sources
		FROM kb_questions WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("knowledge: export questions: %w", err)
	}
	for rows.Next() {
		var q exportQuestion
		if err := rows.Scan(&q.ID, &q.At, &q.Platform, &q.Room, &q.Text, &q.Answered, &q.Confident, &q.Sources); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: export questions: %w", err)
		}
		out.Questions = append(out.Questions, q)
	}
	rows.Close()
	rows, err = p.b.db.Read.QueryContext(ctx, "SELECT question_id, at, helpful FROM kb_feedback WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("knowledge: export feedback: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f exportFeedback
		if err := rows.Scan(&f.QuestionID, &f.At, &f.Helpful); err != nil {
			return nil, fmt.Errorf("knowledge: export feedback: %w", err)
		}
		out.Feedback = append(out.Feedback, f)
	}
	return out, rows.Err()
}

// EraseUser anonymises the user's questions (their text may identify
// them, so it goes too) and feedback, keeping the counts of questions,
// gaps and votes honest.
func (p Privacy) EraseUser(ctx context.Context, userID string) (int64, error) {
	if userID == "" {
		return 0, nil
	}
	tx, err := p.b.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("knowledge: erase: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE kb_questions SET user_id = '', room_id = '', text = '[erased]', message_id = '' WHERE user_id = ?", userID)
	if err != nil {
		return 0, fmt.Errorf("knowledge: erase questions: %w", err)
	}
	nq, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, "UPDATE kb_feedback SET user_id = 'erased-' || id WHERE user_id = ?", userID)
	if err != nil {
		return 0, fmt.Errorf("knowledge: erase feedback: %w", err)
	}
	nf, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("knowledge: erase: %w", err)
	}
	return nq + nf, nil
}

// Prune deletes questions (and their feedback) asked before a time.
func (p Privacy) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := p.b.db.Write.ExecContext(ctx, "DELETE FROM kb_questions WHERE at < ?", stamp(before))
	if err != nil {
		return 0, fmt.Errorf("knowledge: prune questions: %w", err)
	}
	return res.RowsAffected()
}

// PrivacyProvider returns the provider for a database without opening the
// index, for admin commands (bothy privacy ...) that only touch the
// question and feedback tables.
func PrivacyProvider(db *store.DB) Privacy { return Privacy{&Base{db: db}} }

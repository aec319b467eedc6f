package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// SQL for kb_questions: every recorded question, and the unanswered ones
// that make up the organisers' gaps list.

// maxStoredQuestion bounds what one question stores.
const maxStoredQuestion = 4000

func (b *Base) recordQuestion(ctx context.Context, q Question, text string, a Answer) (int64, error) {
	if len(text) > maxStoredQuestion {
		text = strings.ToValidUTF8(text[:maxStoredQuestion], "")
	}
	ids := make([]string, len(a.Sources))
	for i, h := range a.Sources {
		ids[i] = h.ID
	}
	passage, also := "", ""
	if a.Confident && len(a.Passages) > 0 {
		passage = a.Passages[0].ID
		// The extractive answer quotes a close second passage too; a
		// written answer is not Extract's.
		if !a.ByLLM && retrieval.QuotesSecond(a.Passages) {
			also = a.Passages[1].ID
		}
	}
	// Questions are the busiest write: batched, so a burst shares commits.
	var id int64
	err := b.db.Batch(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, b.insertQuestion).ExecContext(ctx, stamp(b.clock.Now()), q.UserID, q.Platform, q.RoomID, text, a.Confident, a.Confidence, strings.Join(ids, " "), passage, also)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("knowledge: record question: %w", err)
	}
	return id, nil
}

// stamp is the store's one time encoding.
func stamp(t time.Time) string { return store.Time(t) }

// SetAnswerMessage remembers which chat message carried the answer to a
// question, so reactions on it count as feedback.
func (b *Base) SetAnswerMessage(ctx context.Context, questionID int64, platform, messageID string) error {
	if questionID == 0 || messageID == "" {
		return nil
	}
	err := b.db.Batch(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, b.setAnswerMessage).ExecContext(ctx, messageID, platform, questionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("knowledge: remember answer message: %w", err)
	}
	return nil
}

// QuestionForMessage finds the question an answer message belongs to.
func (b *Base) QuestionForMessage(ctx context.Context, platform, messageID string) (int64, bool, error) {
	var id int64
	err := b.db.Read.QueryRowContext(ctx, "SELECT id FROM kb_questions WHERE platform = ? AND message_id = ? ORDER BY id DESC LIMIT 1", platform, messageID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || messageID == "" {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("knowledge: find question for message: %w", err)
	}
	return id, true, nil
}

// Gap is an unanswered question.
type Gap struct {
	ID       int64
	At       time.Time
	UserID   string
	Platform string
	Text     string
	// Nearest are the closest documents' ids, if any were close.
	Nearest []string
}

// Gaps lists unanswered questions that no one has answered with kb answer
// yet, newest first.
func (b *Base) Gaps(ctx context.Context, limit int) ([]Gap, error) {
	if limit <= 0 {
		limit = 20
	}
	out, err := store.List(ctx, b.db.Read, scanGap, `SELECT id, at, user_id, platform, text, sources FROM kb_questions
		WHERE answered = 0 AND resolved = '' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge: list gaps: %w", err)
	}
	return out, nil
}

func scanGap(sc store.Scanner) (Gap, error) {
	var g Gap
	var at, srcs string
	if err := sc.Scan(&g.ID, &at, &g.UserID, &g.Platform, &g.Text, &srcs); err != nil {
		return g, err
	}
	g.At, _ = store.ParseTime(at)
	g.Nearest = strings.Fields(srcs)
	return g, nil
}

// question loads one recorded question's text, and the id of the
// document kb answer wrote for it, if any.
func (b *Base) question(ctx context.Context, id int64) (text, sources, resolved string, err error) {
	err = b.db.Read.QueryRowContext(ctx, "SELECT text, sources, resolved FROM kb_questions WHERE id = ?", id).Scan(&text, &sources, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", fmt.Errorf("%w: no question %d", ErrNotFound, id)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("knowledge: load question %d: %w", id, err)
	}
	return text, sources, resolved, nil
}

// QuestionText is a recorded question as asked, for replies that name it
// (so an organiser who typed the wrong number sees so at once).
func (b *Base) QuestionText(ctx context.Context, id int64) (string, error) {
	text, _, _, err := b.question(ctx, id)
	return text, err
}

// ErrNotFound is returned for a question id that does not exist.
var ErrNotFound = errors.New("not found")

func (b *Base) markResolved(ctx context.Context, id int64, docID string) error {
	if _, err := b.db.Write.ExecContext(ctx, "UPDATE kb_questions SET resolved = ? WHERE id = ?", docID, id); err != nil {
		return fmt.Errorf("knowledge: mark question %d answered: %w", id, err)
	}
	return nil
}

// ResolvedDismissed marks a gap an organiser dismissed (kb_questions.resolved).
const ResolvedDismissed = "dismissed"

// DismissGap takes an unanswered question off the gaps list without
// answering it (spam, off-topic, already covered). The caller records the
// reason where it keeps its audit trail.
func (b *Base) DismissGap(ctx context.Context, questionID int64) error {
	res, err := b.db.Write.ExecContext(ctx, "UPDATE kb_questions SET resolved = ? WHERE id = ? AND answered = 0 AND resolved = ''", ResolvedDismissed, questionID)
	if err != nil {
		return fmt.Errorf("knowledge: dismiss question %d: %w", questionID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: no open gap %d", ErrNotFound, questionID)
	}
	return nil
}

// DayCount is one day's questions (UTC day, 2006-01-02).
type DayCount struct {
	Day        string
	Answered   int
	Unanswered int
}

// QuestionsByDay counts questions asked since a time, answered or not, per
// UTC day, oldest first (the organisers' dashboard).
func (b *Base) QuestionsByDay(ctx context.Context, since time.Time) ([]DayCount, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (DayCount, error) {
		var d DayCount
		err := sc.Scan(&d.Day, &d.Answered, &d.Unanswered)
		return d, err
	}, `SELECT substr(at, 1, 10) AS day, sum(answered != 0), sum(answered = 0)
		FROM kb_questions WHERE at >= ? GROUP BY day ORDER BY day`, stamp(since))
	if err != nil {
		return nil, fmt.Errorf("knowledge: questions by day: %w", err)
	}
	return out, nil
}

// DocCount is how often a document answered first.
type DocCount struct {
	ID, Title string
	Count     int
}

// TopDocuments ranks the documents that answered questions asked since a
// time (by the document answered from), most asked first.
func (b *Base) TopDocuments(ctx context.Context, since time.Time, limit int) ([]DocCount, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (DocCount, error) {
		var d DocCount
		err := sc.Scan(&d.ID, &d.Title, &d.Count)
		return d, err
	}, `SELECT t.doc, coalesce(d.title, t.doc), t.n FROM (
			SELECT CASE instr(sources, ' ') WHEN 0 THEN sources ELSE substr(sources, 1, instr(sources, ' ') - 1) END AS doc, count(*) AS n
			FROM kb_questions WHERE answered != 0 AND sources != '' AND at >= ? GROUP BY doc
		) t LEFT JOIN kb_documents d ON d.id = t.doc ORDER BY t.n DESC, t.doc LIMIT ?`, stamp(since), limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge: top documents: %w", err)
	}
	return out, nil
}

// ResolveGap marks an unanswered question as answered by an existing
// document (a near-duplicate of a gap an organiser just answered).
func (b *Base) ResolveGap(ctx context.Context, questionID int64, docID string) error {
	res, err := b.db.Write.ExecContext(ctx, "UPDATE kb_questions SET resolved = ? WHERE id = ? AND answered = 0 AND resolved = ''", docID, questionID)
	if err != nil {
		return fmt.Errorf("knowledge: resolve question %d: %w", questionID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: no open gap %d", ErrNotFound, questionID)
	}
	return nil
}

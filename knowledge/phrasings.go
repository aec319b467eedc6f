package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// SQL for kb_phrasings: other ways people ask for a section, learnt from
// the community (see migration 0011), so the next person who asks that
// way is answered from it.

// maxPhrasing bounds one stored phrasing.
const maxPhrasing = 300

// askedBySection gives each section (by heading path) the phrasings that
// are indexed with its headings: the document's front-matter questions,
// which go with its lead (the first section when it has no lead). Learnt
// phrasings are not mixed into a section's words, where their situations
// would draw other questions; they answer questions asked like them (see
// retrieval's learnt.go).
func askedBySection(heads []string, questions string) []string {
	out := make([]string, len(heads))
	lead := 0
	for i, h := range heads {
		if h == "" {
			lead = i
			break
		}
	}
	if len(heads) > 0 {
		out[lead] = questions
	}
	return out
}

// ErrNotHelpful is returned when confirming an answer nobody found helpful.
var ErrNotHelpful = errors.New("nobody has marked that answer helpful")

// LinkGap answers an unanswered question by pointing it at an existing
// section (kb link GAP_ID DOC_ID[#section]): the asker's wording becomes a
// phrasing of that section and the gap leaves the list. section is the
// heading as written or its anchor ("" for the document's lead). by is
// the organiser. ErrNotFound for an unknown question, document or
// section.
func (b *Base) LinkGap(ctx context.Context, questionID int64, docID, section, by string) error {
	anchor, err := b.findSection(ctx, docID, section)
	if err != nil {
		return err
	}
	return b.addPhrasing(ctx, questionID, docID, anchor, "link", by, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE kb_questions SET resolved = ? WHERE id = ?", docID+anchorSuffix(anchor), questionID)
		return err
	})
}

// ConfirmHelpful confirms a "Helpful" on an answered question: its
// wording becomes a phrasing of the section the answer quoted.
// ErrNotFound for an unknown question, ErrNotHelpful when nobody rated it
// helpful.
func (b *Base) ConfirmHelpful(ctx context.Context, questionID int64, by string) error {
	var passage string
	var helpful int
	err := b.db.Read.QueryRowContext(ctx, `SELECT q.passage, (SELECT count(*) FROM kb_feedback f WHERE f.question_id = q.id AND f.helpful)
		FROM kb_questions q WHERE q.id = ?`, questionID).Scan(&passage, &helpful)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: no question %d", ErrNotFound, questionID)
	case err != nil:
		return fmt.Errorf("knowledge: confirm question %d: %w", questionID, err)
	case helpful == 0:
		return fmt.Errorf("question %d: %w", questionID, ErrNotHelpful)
	case passage == "":
		return fmt.Errorf("%w: question %d has no quoted section on record", ErrNotFound, questionID)
	}
	docID, anchor, _ := strings.Cut(passage, "#")
	if _, err := b.findSection(ctx, docID, anchor); err != nil {
		return err
	}
	return b.addPhrasing(ctx, questionID, docID, anchor, "helpful", by, nil)
}

func anchorSuffix(anchor string) string {
	if anchor == "" {
		return ""
	}
	return "#" + anchor
}

// findSection resolves a section named by heading or anchor in a
// document to its anchor ("" for the lead, named by the document's title
// or not at all).
func (b *Base) findSection(ctx context.Context, docID, section string) (string, error) {
	var title string
	_ = b.db.Read.QueryRowContext(ctx, "SELECT title FROM kb_documents WHERE id = ?", docID).Scan(&title)
	all, err := store.List(ctx, b.db.Read, store.Column[string], "SELECT headings FROM kb_chunks WHERE doc_id = ? ORDER BY ord", docID)
	if err != nil {
		return "", fmt.Errorf("knowledge: find section: %w", err)
	}
	if len(all) == 0 {
		return "", fmt.Errorf("%w: no document %q", ErrNotFound, docID)
	}
	want := strings.TrimPrefix(strings.TrimSpace(section), "#")
	if want == "" || sameSection(want, title) {
		return "", nil // the lead, or the document as a whole
	}
	anchors := retrieval.PageAnchors(all)
	for i, heads := range all {
		if heads != "" && (anchors[i] == want || sameSection(retrieval.SectionName(heads), want)) {
			return anchors[i], nil
		}
	}
	return "", fmt.Errorf("%w: document %s has no section %q", ErrNotFound, docID, section)
}

// addPhrasing stores a question's wording as a phrasing of a section and
// re-indexes that document's sections, in one transaction; also, when set,
// runs more in it.
func (b *Base) addPhrasing(ctx context.Context, questionID int64, docID, anchor, origin, by string, also func(*sql.Tx) error) error {
	text, _, _, err := b.question(ctx, questionID)
	if err != nil {
		return err
	}
	var userID string
	_ = b.db.Read.QueryRowContext(ctx, "SELECT user_id FROM kb_questions WHERE id = ?", questionID).Scan(&userID)
	text = bot.OneLine(text)
	if r := []rune(text); len(r) > maxPhrasing {
		text = string(r[:maxPhrasing])
	}
	b.ingestMu.Lock()
	defer b.ingestMu.Unlock()
	tx, err := b.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("knowledge: add phrasing: %w", err)
	}
	defer tx.Rollback()
	// A question points at one section: linking it again, or linking a
	// confirmed answer elsewhere, replaces what it taught before.
	if _, err := tx.ExecContext(ctx, "DELETE FROM kb_phrasings WHERE question_id = ? AND NOT (doc_id = ? AND anchor = ?)", questionID, docID, anchor); err != nil {
		return fmt.Errorf("knowledge: add phrasing: %w", err)
	}
	// One row per question, even when another's has the same words: each
	// is someone's, goes with their erasure, and marks their question
	// dealt with (kb gaps).
	var dup int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM kb_phrasings WHERE question_id = ? AND doc_id = ? AND anchor = ? AND text = ?", questionID, docID, anchor, text).Scan(&dup); err != nil {
		return fmt.Errorf("knowledge: add phrasing: %w", err)
	}
	if dup == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_phrasings(doc_id, anchor, text, origin, question_id, user_id, added_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			docID, anchor, text, origin, questionID, userID, by, stamp(b.clock.Now())); err != nil {
			return fmt.Errorf("knowledge: add phrasing: %w", err)
		}
	}
	if also != nil {
		if err := also(tx); err != nil {
			return fmt.Errorf("knowledge: add phrasing: %w", err)
		}
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return fmt.Errorf("knowledge: add phrasing: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("knowledge: add phrasing: %w", err)
	}
	return b.refresh(ctx, true)
}

// Confirmable is an answer people found helpful that no organiser has
// confirmed yet (kb gaps lists them; kb confirm keeps the wording), or,
// from Disputed, one they found unhelpful.
type Confirmable struct {
	QuestionID int64
	Text       string
	Passage    string // the quoted section's id, doc#anchor
	// AlsoQuoted is the second section the answer quoted, "" when it
	// quoted one: the "Helpful" may have been for it.
	AlsoQuoted string
	Helpful    int
	Unhelpful  int // filled by Disputed
}

// Confirmable lists helpful answers awaiting an organiser's confirmation,
// newest first.
func (b *Base) Confirmable(ctx context.Context, limit int) ([]Confirmable, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (Confirmable, error) {
		var c Confirmable
		err := sc.Scan(&c.QuestionID, &c.Text, &c.Passage, &c.AlsoQuoted, &c.Helpful)
		return c, err
	}, `SELECT q.id, q.text, q.passage, q.also_quoted, count(*) FROM kb_questions q JOIN kb_feedback f ON f.question_id = q.id AND f.helpful
		WHERE q.answered AND q.passage != '' AND NOT EXISTS (SELECT 1 FROM kb_phrasings p WHERE p.question_id = q.id)
		GROUP BY q.id ORDER BY q.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge: list helpful answers: %w", err)
	}
	return out, nil
}

// Disputed lists answers people marked not helpful more often than
// helpful that no organiser has corrected yet (with kb link), newest
// first: kb gaps shows them, so "Not helpful" reaches someone who can act.
func (b *Base) Disputed(ctx context.Context, limit int) ([]Confirmable, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (Confirmable, error) {
		var c Confirmable
		err := sc.Scan(&c.QuestionID, &c.Text, &c.Passage, &c.AlsoQuoted, &c.Helpful, &c.Unhelpful)
		return c, err
	}, `SELECT q.id, q.text, q.passage, q.also_quoted, sum(f.helpful != 0), sum(f.helpful = 0) FROM kb_questions q JOIN kb_feedback f ON f.question_id = q.id
		WHERE q.answered AND q.resolved = '' AND NOT EXISTS (SELECT 1 FROM kb_phrasings p WHERE p.question_id = q.id)
		GROUP BY q.id HAVING sum(f.helpful = 0) > sum(f.helpful != 0) ORDER BY q.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge: list answers marked not helpful: %w", err)
	}
	return out, nil
}

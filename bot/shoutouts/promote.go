package shoutouts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge"
)

// ErrAlreadyRetracted is returned when retracting a shout-out twice.
var ErrAlreadyRetracted = errors.New("already retracted")

// Retract withdraws a shout-out: it stays in the database (and exports)
// marked as retracted, leaves the leaderboards and digests, and the action
// is written to the audit log.
func (s *Service) Retract(ctx context.Context, id int64, actor, reason string) (Shoutout, error) {
	sh, err := s.Get(ctx, id)
	if err != nil {
		return sh, err
	}
	if sh.Retracted() {
		return sh, fmt.Errorf("shoutouts: retract #%d: %w", id, ErrAlreadyRetracted)
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		ok, err := markRetracted(ctx, tx, id, actor, reason, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAlreadyRetracted
		}
		return store.AuditIn(ctx, tx, actor, "shoutout.retract", fmt.Sprintf("shoutout:%d", id), reason)
	})
	if err != nil {
		return sh, fmt.Errorf("shoutouts: retract #%d: %w", id, err)
	}
	sh.RetractedAt, sh.RetractedBy, sh.RetractReason = now, actor, reason
	return sh, nil
}

// ErrNoKnowledgeDir is returned by Promote when no knowledge folder is
// configured.
var ErrNoKnowledgeDir = errors.New("no knowledge folder is configured")

// ErrAlreadyPromoted is returned when the case study file exists already.
var ErrAlreadyPromoted = errors.New("already promoted")

// Promote writes a draft case study from a shout-out into the knowledge
// folder and returns its path. The draft is not answered from until an
// organiser publishes it. It never overwrites a file, and the file gets
// the folder's documents' permissions.
func (s *Service) Promote(ctx context.Context, id int64, actor string) (string, error) {
	if s.kbDir == "" {
		return "", ErrNoKnowledgeDir
	}
	sh, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if sh.Retracted() {
		return "", fmt.Errorf("shoutouts: promote #%d: %w", id, ErrAlreadyRetracted)
	}
	docID := caseStudyID(sh.ID)
	body, err := s.caseStudy(docID, sh)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(s.kbDir, 0o750); err != nil {
		return "", fmt.Errorf("shoutouts: promote #%d: %w", id, err)
	}
	path, err := knowledge.CreateDocument(s.kbDir, docID+".md", body)
	if errors.Is(err, knowledge.ErrExists) {
		return path, fmt.Errorf("shoutouts: promote #%d: %s: %w", id, path, ErrAlreadyPromoted)
	}
	if err != nil {
		return "", fmt.Errorf("shoutouts: promote #%d: %w", id, err)
	}
	// The file first, then its audit row: a file cannot join the database
	// transaction, and a row for a file that was never written would be a
	// false record. If the row fails, the file goes again.
	if err := s.db.Audit(ctx, actor, "shoutout.promote", fmt.Sprintf("shoutout:%d", id), path); err != nil {
		unrecorded := &UnrecordedError{ID: id, Path: path, Err: err}
		if rmErr := s.remove(path); rmErr != nil {
			unrecorded.Kept, unrecorded.Err = true, errors.Join(err, rmErr)
			return path, unrecorded
		}
		return "", unrecorded
	}
	return path, nil
}

// UnrecordedError is Promote's error when the case study was written but
// its audit record could not be. Promote then removes the file, so a
// promotion is either written and recorded or neither; Kept says the
// removal failed too and the file is there without a record.
type UnrecordedError struct {
	ID   int64
	Path string
	Kept bool
	Err  error
}

func (e *UnrecordedError) Error() string {
	if e.Kept {
		return fmt.Sprintf("shoutouts: promote #%d: %s was written but not recorded in the audit log, and could not be removed: %v", e.ID, e.Path, e.Err)
	}
	return fmt.Sprintf("shoutouts: promote #%d: %s was removed again because the audit log could not record it: %v", e.ID, e.Path, e.Err)
}

func (e *UnrecordedError) Unwrap() error { return e.Err }

func (s *Service) caseStudy(docID string, sh Shoutout) ([]byte, error) {
	today := s.now().In(s.loc)
	tags := []string{"shout-out", "good-practice"}
	if sh.Category != "" {
		tags = append(tags, sh.Category)
	}
	meta := knowledge.Meta{
		ID: docID, Title: caseStudyTitle(sh.Reason), Kind: "case-study", Tags: tags,
		Updated: today.Format(time.DateOnly), ReviewBy: today.AddDate(0, 1, 0).Format(time.DateOnly), Draft: true,
	}
	given := sh.CreatedAt.In(s.loc).Format("2 January 2006")
	var b strings.Builder
	fmt.Fprintf(&b, "\n# %s\n\n", meta.Title)
	fmt.Fprintf(&b, "> **Draft.** Bothy wrote this from shout-out #%d, and it is not answered from yet. An organiser should check the facts with %s, fill in the organisation and the sections below, remove this note, and then say: kb publish %s\n\n", sh.ID, sh.RecipientName, docID)
	b.WriteString("## What happened\n\n")
	fmt.Fprintf(&b, "%s received a shout-out from %s on %s for: %s\n\n", sh.RecipientName, sh.GiverName, given, sh.Reason)
	b.WriteString("## What worked and why\n\n- (what did they do, and what made it work?)\n\n")
	b.WriteString("## How others can do the same\n\n- (steps, templates or contacts a colleague could reuse)\n\n")
	b.WriteString("## Source\n\n")
	fmt.Fprintf(&b, "Shout-out #%d, given on %s", sh.ID, sh.Platform)
	if sh.Category != "" {
		fmt.Fprintf(&b, " in #%s", sh.Category)
	}
	b.WriteString(".\n")
	return knowledge.NewDocument(meta, b.String())
}

// caseStudyTitle is the title of a case study promoted from a reason.
func caseStudyTitle(reason string) string { return "Case study: " + titleFrom(reason) }

// titleFrom makes a short title from a reason: its first sentence, cut at a
// word boundary, with a capital letter.
func titleFrom(reason string) string {
	t := strings.TrimSpace(reason)
	if i := strings.IndexAny(t, ".!?\n"); i > 0 {
		t = t[:i]
	}
	const max = 80
	if utf8.RuneCountInString(t) > max {
		r := []rune(t)[:max]
		cut := string(r)
		if i := strings.LastIndexByte(cut, ' '); i > 20 {
			cut = cut[:i]
		}
		t = strings.TrimSpace(cut) + "…"
	}
	r, n := utf8.DecodeRuneInString(t)
	return string(unicode.ToUpper(r)) + t[n:]
}

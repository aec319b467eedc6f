package admin

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

var (
	_ privacy.Provider   = Privacy{}
	_ privacy.Identifier = Privacy{}
)

// Privacy is the console's share of data-protection requests: an
// organiser's sessions and sign-in links, and their name on triage
// decisions.
type Privacy struct{ c *Console }

// Privacy returns the console's privacy provider.
func (c *Console) Privacy() Privacy { return Privacy{c} }

// PrivacyProvider answers privacy requests for the console's tables
// without a running console (the CLI).
func PrivacyProvider(db *store.DB) Privacy {
	return Privacy{&Console{db: db, log: slog.New(slog.DiscardHandler), now: time.Now}}
}

// Name labels the console's section of an export.
func (Privacy) Name() string { return "admin" }

// Identify adds the names the person signed in under.
func (p Privacy) Identify(ctx context.Context, s *privacy.Subject) error {
	names, err := store.List(ctx, p.c.db.Read, store.Column[string], `SELECT user_name FROM admin_sessions WHERE user_id = ?1
		UNION SELECT user_name FROM admin_logins WHERE user_id = ?1`, s.UserID)
	if err != nil {
		return fmt.Errorf("admin: identify: %w", err)
	}
	for _, name := range names {
		s.AddName(name)
	}
	return nil
}

// ExportUser lists a person's sessions, links and decisions (never the
// tokens, which are not stored), and decision notes that name them.
func (p Privacy) ExportUser(ctx context.Context, s *privacy.Subject) (any, error) {
	userID := s.UserID
	sessions, err := userSessions(ctx, p.c.db, userID)
	if err != nil {
		return nil, err
	}
	links, err := userLogins(ctx, p.c.db, userID)
	if err != nil {
		return nil, err
	}
	decisions, err := userTriage(ctx, p.c.db, userID)
	if err != nil {
		return nil, err
	}
	notes, err := triageNotesNaming(ctx, p.c.db, s)
	if err != nil {
		return nil, err
	}
	return map[string]any{"sessions": sessions, "sign_in_links": links, "decisions": decisions, "notes_naming_you": notes}, nil
}

// EraseUser ends the person's sessions and links, puts the pseudonym in
// place of their ID on decisions they made and scrubs them from notes.
func (p Privacy) EraseUser(ctx context.Context, s *privacy.Subject) (int64, error) {
	userID := s.UserID
	n, err := deleteUserSessions(ctx, p.c.db.Write, userID)
	if err != nil {
		return n, err
	}
	m, err := deleteUserLogins(ctx, p.c.db.Write, userID)
	if err != nil {
		return n + m, err
	}
	k, err := pseudonymiseTriage(ctx, p.c.db, userID, s.Pseudonym)
	if err != nil {
		return n + m + k, fmt.Errorf("admin: erase: %w", err)
	}
	notes, err := triageNotesNaming(ctx, p.c.db, s)
	if err != nil {
		return n + m + k, err
	}
	for _, t := range notes {
		if _, err := p.c.db.Write.ExecContext(ctx, "UPDATE admin_triage SET note = ? WHERE question_id = ?", s.Scrub(t.Note), t.QuestionID); err != nil {
			return n + m + k, fmt.Errorf("admin: erase: %w", err)
		}
		k++
	}
	return n + m + k, nil
}

// Prune forgets sessions and links older than before (they expire long
// before any retention period anyway).
func (p Privacy) Prune(ctx context.Context, before time.Time) (int64, error) {
	n, err := pruneSessions(ctx, p.c.db, before)
	if err != nil {
		return n, err
	}
	m, err := pruneLogins(ctx, p.c.db, before)
	return n + m, err
}

// triageNote is a decision whose note names someone.
type triageNote struct {
	QuestionID int64  `json:"question_id"`
	Note       string `json:"note"`
}

// triageNotesNaming lists decision notes that name the subject.
func triageNotesNaming(ctx context.Context, db *store.DB, s *privacy.Subject) ([]triageNote, error) {
	all, err := store.List(ctx, db.Read, func(sc store.Scanner) (triageNote, error) {
		var t triageNote
		err := sc.Scan(&t.QuestionID, &t.Note)
		return t, err
	}, "SELECT question_id, note FROM admin_triage WHERE note != '' ORDER BY question_id")
	if err != nil {
		return nil, fmt.Errorf("admin: notes: %w", err)
	}
	out := []triageNote{}
	for _, t := range all {
		if s.Mentions(t.Note) {
			out = append(out, t)
		}
	}
	return out, nil
}

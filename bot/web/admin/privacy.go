package admin

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

var _ privacy.Provider = Privacy{}

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

// ExportUser lists a person's sessions, links and decisions (never the
// tokens, which are not stored).
func (p Privacy) ExportUser(ctx context.Context, userID string) (any, error) {
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
	return map[string]any{"sessions": sessions, "sign_in_links": links, "decisions": decisions}, nil
}

// EraseUser ends the person's sessions and links and puts the pseudonym in
// place of their ID on decisions they made.
func (p Privacy) EraseUser(ctx context.Context, userID string) (int64, error) {
	n, err := deleteUserSessions(ctx, p.c.db, userID)
	if err != nil {
		return n, err
	}
	m, err := deleteUserLogins(ctx, p.c.db, userID)
	if err != nil {
		return n + m, err
	}
	k, err := pseudonymiseTriage(ctx, p.c.db, userID, privacy.Pseudonym(userID))
	if err != nil {
		return n + m + k, fmt.Errorf("admin: erase: %w", err)
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

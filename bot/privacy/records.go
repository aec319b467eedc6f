package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// Records is the provider for what the core keeps about members: audit
// log rows that name them (as the actor or in the text, such as a
// retraction reason) and key/value state keyed by their ID (a platform's
// direct-message room with them).
type Records struct{ db *store.DB }

var (
	_ Provider   = Records{}
	_ Identifier = Records{}
)

// RecordsProvider returns the core records provider for db.
func RecordsProvider(db *store.DB) Records { return Records{db} }

// Name labels the export section.
func (Records) Name() string { return "records" }

// Identify adds nothing: the core holds no names of its own.
func (Records) Identify(context.Context, *Subject) error { return nil }

// AuditEntry is one audit log row as exported.
type AuditEntry struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
}

// StateEntry is one key/value row as exported.
type StateEntry struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

type recordsExport struct {
	Audit []AuditEntry `json:"audit_log"`
	State []StateEntry `json:"state"`
}

func (r Records) audit(ctx context.Context, s *Subject) ([]AuditEntry, error) {
	rows, err := r.db.Read.QueryContext(ctx, "SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	// Streamed, not store.List: the log is never pruned and only the few rows naming the member are kept.
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, err
		}
		if s.Mentions(e.Actor) || s.Mentions(e.Subject) || s.Mentions(e.Detail) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

func (r Records) state(ctx context.Context, s *Subject) ([]StateEntry, error) {
	rows, err := r.db.Read.QueryContext(ctx, "SELECT namespace, key, value FROM kv ORDER BY namespace, key")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StateEntry{}
	// Streamed, not store.List: kv grows by a row per question Matrix answers and only the member's rows are kept.
	for rows.Next() {
		var e StateEntry
		if err := rows.Scan(&e.Namespace, &e.Key, &e.Value); err != nil {
			return nil, err
		}
		if s.MentionsID(e.Key) || s.MentionsID(e.Value) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// ExportUser lists the audit entries that name the member and the state
// kept under their ID.
func (r Records) ExportUser(ctx context.Context, s *Subject) (any, error) {
	a, err := r.audit(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("privacy: export audit log: %w", err)
	}
	st, err := r.state(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("privacy: export state: %w", err)
	}
	return recordsExport{Audit: a, State: st}, nil
}

// EraseUser scrubs the member from the audit log (the entries stay, so the
// log still says what was done) and deletes state kept under their ID.
func (r Records) EraseUser(ctx context.Context, s *Subject) (int64, error) {
	entries, err := r.audit(ctx, s)
	if err != nil {
		return 0, fmt.Errorf("privacy: erase audit log: %w", err)
	}
	state, err := r.state(ctx, s)
	if err != nil {
		return 0, fmt.Errorf("privacy: erase state: %w", err)
	}
	tx, err := r.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("privacy: erase records: %w", err)
	}
	defer tx.Rollback()
	for _, e := range entries {
		if _, err := tx.ExecContext(ctx, "UPDATE audit_log SET actor = ?, subject = ?, detail = ? WHERE id = ?",
			s.Scrub(e.Actor), s.Scrub(e.Subject), s.Scrub(e.Detail), e.ID); err != nil {
			return 0, fmt.Errorf("privacy: erase audit log: %w", err)
		}
	}
	for _, e := range state {
		if _, err := tx.ExecContext(ctx, "DELETE FROM kv WHERE namespace = ? AND key = ?", e.Namespace, e.Key); err != nil {
			return 0, fmt.Errorf("privacy: erase state: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("privacy: erase records: %w", err)
	}
	return int64(len(entries) + len(state)), nil
}

// Prune keeps the audit log: it is the record of what organisers did.
func (Records) Prune(context.Context, time.Time) (int64, error) { return 0, nil }

package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for admin_sessions: signed-in browsers.

func insertSession(ctx context.Context, ex store.Execer, tok string, who Identity, now time.Time) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO admin_sessions(token_hash, platform, user_id, user_name, created_at, seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hashToken(tok), who.Platform, who.UserID, who.Name, stamp(now), stamp(now))
	if err != nil {
		return fmt.Errorf("admin: save session: %w", err)
	}
	return nil
}

// lookupSession finds a live session (seen within idle of now).
func lookupSession(ctx context.Context, db *store.DB, tok string, now time.Time, idle time.Duration) (who Identity, seen time.Time, ok bool, err error) {
	var seenAt string
	err = db.Read.QueryRowContext(ctx, `SELECT platform, user_id, user_name, seen_at FROM admin_sessions
		WHERE token_hash = ? AND seen_at > ?`, hashToken(tok), stamp(now.Add(-idle))).Scan(&who.Platform, &who.UserID, &who.Name, &seenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return who, seen, false, nil
	}
	if err != nil {
		return who, seen, false, fmt.Errorf("admin: read session: %w", err)
	}
	return who, parseStamp(seenAt), true, nil
}

func touchSession(ctx context.Context, db *store.DB, tok string, now time.Time) error {
	if _, err := db.Write.ExecContext(ctx, "UPDATE admin_sessions SET seen_at = ? WHERE token_hash = ?", stamp(now), hashToken(tok)); err != nil {
		return fmt.Errorf("admin: touch session: %w", err)
	}
	return nil
}

func deleteSession(ctx context.Context, ex store.Execer, tok string) error {
	if _, err := ex.ExecContext(ctx, "DELETE FROM admin_sessions WHERE token_hash = ?", hashToken(tok)); err != nil {
		return fmt.Errorf("admin: end session: %w", err)
	}
	return nil
}

// deleteUserSessions ends every session of one person.
func deleteUserSessions(ctx context.Context, ex store.Execer, userID string) (int64, error) {
	res, err := ex.ExecContext(ctx, "DELETE FROM admin_sessions WHERE user_id = ?", userID)
	if err != nil {
		return 0, fmt.Errorf("admin: end sessions: %w", err)
	}
	return res.RowsAffected()
}

// pruneSessions deletes sessions idle since before.
func pruneSessions(ctx context.Context, db *store.DB, before time.Time) (int64, error) {
	res, err := db.Write.ExecContext(ctx, "DELETE FROM admin_sessions WHERE seen_at < ?", stamp(before))
	if err != nil {
		return 0, fmt.Errorf("admin: prune sessions: %w", err)
	}
	return res.RowsAffected()
}

type sessionRecord struct {
	Platform  string `json:"platform"`
	CreatedAt string `json:"created_at"`
	SeenAt    string `json:"seen_at"`
}

func userSessions(ctx context.Context, db *store.DB, userID string) ([]sessionRecord, error) {
	out, err := store.List(ctx, db.Read, func(sc store.Scanner) (sessionRecord, error) {
		var s sessionRecord
		err := sc.Scan(&s.Platform, &s.CreatedAt, &s.SeenAt)
		return s, err
	}, "SELECT platform, created_at, seen_at FROM admin_sessions WHERE user_id = ? ORDER BY created_at", userID)
	if err != nil {
		return nil, fmt.Errorf("admin: export sessions: %w", err)
	}
	if out == nil {
		out = []sessionRecord{}
	}
	return out, nil
}

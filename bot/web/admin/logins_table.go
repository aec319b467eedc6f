package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for admin_logins: the one-time sign-in links `web login` sends.

// Identity is the organiser behind a link or a session.
type Identity struct {
	Platform string
	UserID   string
	Name     string
}

// Display is how pages and the audit log name the person.
func (id Identity) Display() string {
	if id.Name != "" && id.Name != id.UserID {
		return id.Name + " (" + id.UserID + ")"
	}
	return id.UserID
}

// stamp and parseStamp are the store's one time encoding.
func stamp(t time.Time) string { return store.Time(t) }

func parseStamp(s string) time.Time {
	t, _ := store.ParseTime(s)
	return t
}

// newToken returns 32 random bytes as URL-safe text.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("admin: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// hashToken is what the database keeps of a token.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func insertLogin(ctx context.Context, ex store.Execer, tok string, who Identity, now time.Time, ttl time.Duration) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO admin_logins(token_hash, platform, user_id, user_name, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hashToken(tok), who.Platform, who.UserID, who.Name, stamp(now), stamp(now.Add(ttl)))
	if err != nil {
		return fmt.Errorf("admin: save sign-in link: %w", err)
	}
	return nil
}

// useLogin marks a link used and returns whose it was. ok is false for a
// link that is unknown, used already or expired; the update itself is the
// check, so two clicks racing cannot both win.
func useLogin(ctx context.Context, db *store.DB, tok string, now time.Time) (who Identity, ok bool, err error) {
	h := hashToken(tok)
	res, err := db.Write.ExecContext(ctx, `UPDATE admin_logins SET used_at = ?
		WHERE token_hash = ? AND used_at = '' AND expires_at > ?`, stamp(now), h, stamp(now))
	if err != nil {
		return who, false, fmt.Errorf("admin: use sign-in link: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return who, false, nil
	}
	err = db.Write.QueryRowContext(ctx, "SELECT platform, user_id, user_name FROM admin_logins WHERE token_hash = ?", h).
		Scan(&who.Platform, &who.UserID, &who.Name)
	if err != nil {
		return who, false, fmt.Errorf("admin: use sign-in link: %w", err)
	}
	return who, true, nil
}

// loginState says why a link cannot be used, for the page ("used",
// "expired", or "unknown"); it changes nothing.
func loginState(ctx context.Context, db *store.DB, tok string, now time.Time) (string, error) {
	var used, expires string
	err := db.Read.QueryRowContext(ctx, "SELECT used_at, expires_at FROM admin_logins WHERE token_hash = ?", hashToken(tok)).Scan(&used, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "unknown", nil
	case err != nil:
		return "", fmt.Errorf("admin: read sign-in link: %w", err)
	case used != "":
		return "used", nil
	case expires <= stamp(now):
		return "expired", nil
	}
	return "valid", nil
}

// pruneLogins forgets links that can no longer be used.
func pruneLogins(ctx context.Context, db *store.DB, before time.Time) (int64, error) {
	res, err := db.Write.ExecContext(ctx, "DELETE FROM admin_logins WHERE expires_at < ?", stamp(before))
	if err != nil {
		return 0, fmt.Errorf("admin: prune sign-in links: %w", err)
	}
	return res.RowsAffected()
}

// deleteUserLogins cancels every sign-in link of one person.
func deleteUserLogins(ctx context.Context, ex store.Execer, userID string) (int64, error) {
	res, err := ex.ExecContext(ctx, "DELETE FROM admin_logins WHERE user_id = ?", userID)
	if err != nil {
		return 0, fmt.Errorf("admin: cancel sign-in links: %w", err)
	}
	return res.RowsAffected()
}

type loginRecord struct {
	Platform  string `json:"platform"`
	CreatedAt string `json:"created_at"`
	UsedAt    string `json:"used_at,omitempty"`
}

func userLogins(ctx context.Context, db *store.DB, userID string) ([]loginRecord, error) {
	out, err := store.List(ctx, db.Read, func(sc store.Scanner) (loginRecord, error) {
		var l loginRecord
		err := sc.Scan(&l.Platform, &l.CreatedAt, &l.UsedAt)
		return l, err
	}, "SELECT platform, created_at, used_at FROM admin_logins WHERE user_id = ? ORDER BY created_at", userID)
	if err != nil {
		return nil, fmt.Errorf("admin: export sign-in links: %w", err)
	}
	if out == nil {
		out = []loginRecord{}
	}
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// GetKV reads a value from the kv table; ok is false when it is not set.
func (db *DB) GetKV(ctx context.Context, namespace, key string) (value string, ok bool, err error) {
	err = db.Write.QueryRowContext(ctx, "SELECT value FROM kv WHERE namespace = ? AND key = ?", namespace, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: get %s/%s: %w", namespace, key, err)
	}
	return value, true, nil
}

// SetKV writes a value to the kv table.
func (db *DB) SetKV(ctx context.Context, namespace, key, value string) error {
	return SetKVIn(ctx, db.Write, namespace, key, value)
}

// Execer is the writer pool or a transaction on it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// SetKVIn is SetKV through ex, so a value can change in the same
// transaction as the rows it describes (with one writer connection,
// SetKV itself would wait for that transaction).
func SetKVIn(ctx context.Context, ex Execer, namespace, key, value string) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO kv(namespace, key, value) VALUES (?, ?, ?)
		ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value,
		updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`, namespace, key, value)
	if err != nil {
		return fmt.Errorf("store: set %s/%s: %w", namespace, key, err)
	}
	return nil
}

// DeleteKV removes a value from the kv table.
func (db *DB) DeleteKV(ctx context.Context, namespace, key string) error {
	if _, err := db.Write.ExecContext(ctx, "DELETE FROM kv WHERE namespace = ? AND key = ?", namespace, key); err != nil {
		return fmt.Errorf("store: delete %s/%s: %w", namespace, key, err)
	}
	return nil
}

// Audit writes one audit record on its own. An action that changes data
// records it with AuditIn in the same transaction instead.
func (db *DB) Audit(ctx context.Context, actor, action, subject, detail string) error {
	return AuditIn(ctx, db.Write, actor, action, subject, detail)
}

// AuditIn writes one audit record through ex, so the record commits (or
// rolls back) with the change it describes.
func AuditIn(ctx context.Context, ex Execer, actor, action, subject, detail string) error {
	_, err := ex.ExecContext(ctx, "INSERT INTO audit_log(actor, action, subject, detail) VALUES (?, ?, ?, ?)", actor, action, subject, detail)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// InTx runs fn in one write transaction, committed when fn returns nil
// and rolled back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

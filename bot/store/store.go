// Package store opens Bothy's SQLite database: modernc's pure-Go driver,
// pragmas in the DSN, one writer connection and a pool of readers, and the
// numbered migrations embedded in the binary.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ApplicationID marks a file as a Bothy database (PRAGMA application_id),
// so opening some other SQLite file fails clearly instead of writing to it.
const ApplicationID = 0x426f7468 // "Both"

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open Bothy database. Write has a single connection, so writers
// queue in Go rather than fight over SQLite's lock; Read has several.
type DB struct {
	Write *sql.DB
	Read  *sql.DB
	Path  string
	batch batcher
}

// ErrNotBothy is returned for a SQLite file that some other program made.
var ErrNotBothy = errors.New("not a Bothy database")

// ErrTooNew is returned for a database migrated by a newer Bothy.
var ErrTooNew = errors.New("database was written by a newer version of Bothy")

// DSN builds the connection string. busy_timeout comes first so that even
// the other pragmas wait for a lock instead of failing.
func DSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_txlock", "immediate")
	}
	return "file:" + uriPath(path) + "?" + q.Encode()
}

// uriPath escapes what SQLite's URI syntax would read as something else:
// "?" starts the parameters and "#" a fragment, so a database at
// /tmp/a#1/bothy.db would otherwise open the file /tmp/a.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// dbMode is the mode of a database file and its backups: they hold
// members' data, so only the service account and its group may read them.
const dbMode = 0o640

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
		}
	}
	// SQLite would create a new database as the umask allows, often
	// world readable; it holds members' data, so it is made first, private
	// to the service and its group (SQLite gives its -wal and -shm files
	// the same mode).
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, dbMode); err == nil {
		f.Close()
	}
	w, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, describe(err))
	}
	db := &DB{Write: w, Path: path}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", DSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers for %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	db.Read = r
	db.startBatch()
	return db, nil
}

// Close finishes the queued batched writes, then closes readers, then the
// writer (which checkpoints the WAL).
func (db *DB) Close() error {
	db.closeBatch()
	var errs []error
	if db.Read != nil {
		errs = append(errs, db.Read.Close())
	}
	errs = append(errs, db.Write.Close())
	return errors.Join(errs...)
}

// Ping checks that the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.Read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func describe(err error) error {
	if strings.Contains(err.Error(), "file is not a database") {
		return fmt.Errorf("%w: the file is not SQLite (%v)", ErrNotBothy, err)
	}
	return err
}

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in order. Files are named
// NNNN_name.sql; numbers are grouped by feature (1-9 core, 10-19
// knowledge, 20-29 meetups, 30-39 shout-outs, 40-49 adapters, 50-59
// operations, 60-69 the organisers' web console) so features can add
// migrations without renumbering others.
func Migrations() ([]Migration, error) {
	entries, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		base := filepath.Base(e)
		num, name, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", base)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share number %d", prev, base, v)
		}
		seen[v] = base
		body, err := migrationFS.ReadFile(e)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func (db *DB) migrate(ctx context.Context) error {
	migs, err := Migrations()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	var appID int64
	if err := db.Write.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return describe(err)
	}
	var tables int
	if err := db.Write.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
		return describe(err)
	}
	switch {
	case appID == 0 && tables == 0:
		if _, err := db.Write.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
			return fmt.Errorf("mark database: %w", err)
		}
	case appID != ApplicationID:
		return fmt.Errorf("%w (it holds %d tables of another program); choose another file with --db", ErrNotBothy, tables)
	}
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, db.Write)
	if err != nil {
		return err
	}
	if v, ok := unknownMigration(applied, migs); ok {
		return fmt.Errorf("%w (it has migration %d, this binary knows up to %d); upgrade Bothy", ErrTooNew, v, migs[len(migs)-1].Version)
	}
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// appliedMigrations reads which migrations a database has had.
func appliedMigrations(ctx context.Context, q Querier) (map[int]bool, error) {
	versions, err := List(ctx, q, Column[int], "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	applied := make(map[int]bool, len(versions))
	for _, v := range versions {
		applied[v] = true
	}
	return applied, nil
}

// unknownMigration finds a migration the database has that this binary
// does not know: a newer Bothy wrote it.
func unknownMigration(applied map[int]bool, migs []Migration) (int, bool) {
	known := make(map[int]bool, len(migs))
	for _, m := range migs {
		known[m.Version] = true
	}
	newest := 0
	for v := range applied {
		if !known[v] && v > newest {
			newest = v
		}
	}
	return newest, newest > 0
}

func (db *DB) apply(ctx context.Context, m Migration) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", m.Version, m.Name); err != nil {
		return err
	}
	// user_version mirrors the newest migration applied, for tools that
	// read it; a feature's migration numbered below another feature's can
	// be applied after it, so the newest is asked for, not assumed.
	var newest int
	if err := tx.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&newest); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", newest)); err != nil {
		return err
	}
	return tx.Commit()
}

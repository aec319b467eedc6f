package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "bothy.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	migs, err := Migrations()
	if err != nil || len(migs) == 0 {
		t.Fatalf("Migrations() = %v, %v", migs, err)
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(migs) {
		t.Fatalf("%d migrations recorded, want %d", n, len(migs))
	}
	if err := db.SetKV(ctx, "test", "k", "v1"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Reopening applies nothing new and keeps data.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, ok, err := db.GetKV(ctx, "test", "k"); err != nil || !ok || v != "v1" {
		t.Fatalf("GetKV after reopen = %q %v %v", v, ok, err)
	}
	if err := db.Read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(migs) {
		t.Fatalf("after reopen %d migrations recorded, err %v", n, err)
	}
	var mode string
	if err := db.Write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	var fk int
	if err := db.Write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v", fk, err)
	}
	if _, err := db.Read.ExecContext(ctx, "INSERT INTO kv(namespace,key,value) VALUES ('a','b','c')"); err == nil {
		t.Fatal("reader connection accepted a write")
	}
}

// TestUserVersionIsTheNewestMigration applies a migration numbered below
// one the database already has (features number theirs in their own
// ranges): user_version stays at the newest.
func TestUserVersionIsTheNewestMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bothy.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	newest := migs[len(migs)-1].Version
	// As a database made before 0046 existed, but with the newer 0060.
	for _, q := range []string{
		"DELETE FROM schema_migrations WHERE version = 46",
		"DROP TABLE slack_events",
		"CREATE TABLE slack_events (event_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID",
		"INSERT INTO slack_events VALUES ('Ev1', 1767225600)",
		fmt.Sprintf("PRAGMA user_version = %d", newest),
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.Read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != newest {
		t.Errorf("user_version = %d, %v; want %d", v, err, newest)
	}
	var seen string
	if err := db.Read.QueryRowContext(ctx, "SELECT seen_at FROM slack_events WHERE event_id = 'Ev1'").Scan(&seen); err != nil || seen != "2026-01-01T00:00:00.000Z" {
		t.Errorf("seen_at = %q, %v", seen, err)
	}
}

func TestOpenRejectsForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	other := filepath.Join(dir, "other.db")
	odb, err := sql.Open("sqlite", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec("CREATE TABLE invoices(id INTEGER)"); err != nil {
		t.Fatal(err)
	}
	odb.Close()

	text := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(text, []byte(strings.Repeat("this is not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}

	newer := filepath.Join(dir, "newer.db")
	ndb, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ndb.Write.Exec("INSERT INTO schema_migrations(version, name) VALUES (9999, 'future')"); err != nil {
		t.Fatal(err)
	}
	ndb.Close()

	tests := []struct {
		name string
		path string
		want error
	}{
		{"another program's SQLite file", other, ErrNotBothy},
		{"not SQLite at all", text, ErrNotBothy},
		{"written by a newer Bothy", newer, ErrTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(ctx, tt.path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "bothy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := db.Audit(ctx, "tester", "write", "s", strings.Repeat("x", i)); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, "SELECT count(*) FROM audit_log").Scan(&n); err != nil || n != 200 {
		t.Fatalf("audit rows = %d, %v", n, err)
	}
}

package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestPurgeLeavesNoDeletedBytes: a deleted row survives in the main file's
// free pages and in the WAL until the file is rewritten; Purge rewrites it.
func TestPurgeLeavesNoDeletedBytes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bothy.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret := []byte("U0ERASEME1 wrote this")
	for i := 0; i < 300; i++ {
		if _, err := db.Write.ExecContext(ctx, "INSERT INTO audit_log(actor, action, detail) VALUES (?, 'test', ?)", "keep", string(secret)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, "DELETE FROM audit_log"); err != nil {
		t.Fatal(err)
	}
	found := func() []string {
		var where []string
		for _, f := range []string{path, path + "-wal"} {
			if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, secret) {
				where = append(where, filepath.Base(f))
			}
		}
		return where
	}
	if len(found()) == 0 {
		t.Fatal("the deleted rows left no bytes behind, so this test shows nothing")
	}
	if err := db.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if where := found(); len(where) > 0 {
		t.Errorf("deleted bytes still in %v after Purge", where)
	}
	// The database still works afterwards.
	if _, err := db.Write.ExecContext(ctx, "INSERT INTO audit_log(actor, action) VALUES ('a', 'b')"); err != nil {
		t.Fatal(err)
	}
}

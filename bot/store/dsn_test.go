package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A database path with the characters SQLite's URI syntax reserves opens
// that very file, not the prefix before a "#" or "?".
func TestOpenPathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#1", "b?x=1", "c%41"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name, "bothy.db")
			db, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the database is not where it was asked for: %v", err)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("a file %q was made beside the folders: a path was cut at a URI character", e.Name())
		}
	}
}

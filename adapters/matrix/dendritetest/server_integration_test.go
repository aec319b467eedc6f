//go:build integration

package dendritetest

import (
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// TestCrashedHomeserverComesBack kills Dendrite behind the harness's back,
// as its occasional SQLite panic does, and expects the watcher to bring it
// back on the same address, with Stop still ending it for good.
func TestCrashedHomeserverComesBack(t *testing.T) {
	s := Start(t)
	s.mu.Lock()
	first := s.cmd
	s.mu.Unlock()
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 90*time.Second, "the homeserver back after a crash", func() bool {
		s.mu.Lock()
		cur := s.cmd
		s.mu.Unlock()
		if cur == nil || cur == first {
			return false
		}
		resp, err := http.Get(s.URL + "/_matrix/client/versions")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if s.Crashes() != 1 {
		t.Fatalf("crashes = %d, want 1", s.Crashes())
	}
	s.Stop()
	if s.Running() {
		t.Fatal("still running after Stop")
	}
	if _, err := http.Get(s.URL + "/_matrix/client/versions"); err == nil {
		t.Fatal("homeserver still answers after Stop")
	}
	if s.Crashes() != 1 {
		t.Fatalf("Stop counted as a crash: %d", s.Crashes())
	}
}

// TestDatabasesUseWAL checks that Dendrite kept the WAL mode the harness
// gave its database files, and really uses those files.
func TestDatabasesUseWAL(t *testing.T) {
	s := Start(t)
	cfg, err := os.ReadFile(filepath.Join(s.Dir, "dendrite.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files := sqliteFile.FindAllSubmatch(cfg, -1)
	if len(files) < 5 {
		t.Fatalf("found %d SQLite databases in the config", len(files))
	}
	used := 0
	for _, m := range files {
		db, err := sql.Open("sqlite", "file:"+string(m[1])+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		var tables int
		err = db.QueryRow("PRAGMA journal_mode").Scan(&mode)
		if err == nil {
			err = db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&tables)
		}
		db.Close()
		if err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		if mode != "wal" {
			t.Errorf("%s: journal mode %q, want wal", m[1], mode)
		}
		if tables > 0 {
			used++
		}
	}
	// Some components (relays) create no tables in this configuration.
	if used < 5 {
		t.Errorf("Dendrite created tables in %d of %d database files; it is not using the files the harness made", used, len(files))
	}
}

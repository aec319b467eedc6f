//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A new database and its backups hold members' data: whatever the umask,
// nobody outside the service's group may read them.
func TestNewDatabaseAndBackupArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which leaves files world readable
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dest := filepath.Join(dir, "copy.db")
	if _, err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, dest} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m&0o007 != 0 || m != dbMode {
			t.Errorf("%s has mode %o, want %o", filepath.Base(p), m, dbMode)
		}
	}
}

//go:build linux

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The lock is on the database file, so every name for it finds the lock
// taken: the path itself, a symbolic link and a hard link.
func TestLockFollowsTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "two.db")
	lock, err := LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("two.db", filepath.Join(dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, filepath.Join(dir, "hard.db")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"two.db", "link.db", "hard.db", "./sub/../two.db"} {
		l, err := LockFile(filepath.Join(dir, name))
		if !errors.Is(err, ErrLocked) {
			l.Release()
			t.Errorf("%s: err = %v, want ErrLocked", name, err)
			continue
		}
		if want := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v does not name the holder (%s)", name, err, want)
		}
	}
	lock.Release()
	again, err := LockFile(filepath.Join(dir, "hard.db"))
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
}

// Restore refuses a database path that is a link, running bot or not,
// and leaves the link and the database as they were.
func TestRestoreRefusesLinks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "two.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if _, err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	db.Close()
	symlink, hardlink := filepath.Join(dir, "link.db"), filepath.Join(dir, "hard.db")
	if err := os.Symlink("two.db", symlink); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, hardlink); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{symlink, hardlink, path} {
		if _, err := Restore(ctx, backup, p, time.Now()); !errors.Is(err, ErrLink) {
			t.Errorf("restore to %s: err = %v, want ErrLink", filepath.Base(p), err)
		}
	}
	if st, err := os.Lstat(symlink); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.db is no longer a symbolic link (%v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("restore left files behind: %v", entries)
	}
}

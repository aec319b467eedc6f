//go:build unix && !linux

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile takes the lock on the database at path, creating an empty
// file there if there is none. It fails with ErrLocked when another
// process holds it.
//
// Outside Linux, flock(2) and the fcntl locks SQLite takes may interact on
// one file, so the lock is on a separate file beside the database's
// resolved path (a symbolic link reaches the same lock; a hard link in
// another folder does not). The kernel drops it when the process ends.
func LockFile(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
	}
	db, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	db.Close()
	if r, err := filepath.EvalSymlinks(path); err == nil {
		path = r
	}
	lockPath := path + ".lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: lock file %s: %w", lockPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := "another Bothy process"
		buf := make([]byte, 32)
		n, _ := f.ReadAt(buf, 0)
		if pid := strings.TrimSpace(string(buf[:n])); pid != "" {
			holder += " (pid " + pid + ")"
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w by %s; stop it first", ErrLocked, holder)
		}
		return nil, fmt.Errorf("store: lock file %s: %w", lockPath, err)
	}
	// The process ID is only for the message another process shows.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

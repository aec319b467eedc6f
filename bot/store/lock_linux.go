package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile takes the lock on the database at path, creating an empty
// file there if there is none (SQLite opens an empty file as a new
// database). It fails with ErrLocked when another process holds it.
//
// Here the lock is flock(2) on the database file itself, so it follows the
// file, not the name it was reached by: a symbolic or hard link to a
// locked database is locked too. Linux keeps flock locks independent of
// the fcntl locks SQLite takes on the same file. The kernel drops the lock
// when the process ends, even by kill -9, so there are no stale locks.
func LockFile(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := holderOf(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w by %s; stop it first", ErrLocked, holder)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// holderOf names the process holding the flock on f, from /proc/locks,
// for the message the refused process shows.
func holderOf(f *os.File) string {
	const unknown = "another Bothy process"
	st, err := f.Stat()
	if err != nil {
		return unknown
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return unknown
	}
	dev := uint64(sys.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	want := fmt.Sprintf("%02x:%02x:%d", major, minor, sys.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return unknown
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		// 1: FLOCK  ADVISORY  WRITE 1234 fe:00:9994218 0 EOF
		f := strings.Fields(sc.Text())
		if len(f) >= 6 && f[1] == "FLOCK" && f[5] == want {
			if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
				return "another Bothy process (pid " + f[4] + ")"
			}
		}
	}
	return unknown
}

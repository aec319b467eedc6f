//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dbLock is an advisory lock on DB.lock that `bothy run` holds for as long
// as it runs, and `bothy restore` while it swaps the file. flock is tied to
// the open file, so the kernel drops it when the process ends, even by
// kill -9: there are no stale locks to clean up. A separate lock file is
// used because SQLite has its own (fcntl) locks on the database, and on
// some network filesystems flock and fcntl locks interfere.
type dbLock struct{ f *os.File }

// errLocked is returned when another process holds the lock.
var errLocked = errors.New("the database is in use")

func lockDatabase(dbPath string) (*dbLock, error) {
	path := dbPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w by %s; stop it first", errLocked, holder)
		}
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	// The process ID is only for the message another process shows.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dbLock{f: f}, nil
}

func readHolder(f *os.File) string {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	if pid := strings.TrimSpace(string(buf[:n])); pid != "" {
		return "another Bothy process (pid " + pid + ")"
	}
	return "another Bothy process"
}

// Release drops the lock. The lock file stays; it is empty of meaning
// without the lock.
func (l *dbLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

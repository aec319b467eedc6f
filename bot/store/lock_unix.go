//go:build unix

package store

import (
	"os"
	"syscall"
)

// Lock is an exclusive hold on a database, for `bothy run` for as long as
// it runs and for `bothy restore` while it swaps the file: a flock, on
// the database file itself on Linux (lock_linux.go) and on a file beside
// it elsewhere (lock_other.go).
type Lock struct{ f *os.File }

// Release drops the lock.
func (l *Lock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

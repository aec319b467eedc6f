//go:build !unix

package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// Lock is a no-op where flock is not available: restore cannot tell a
// running bot there, so the README says to stop the bot first.
type Lock struct{}

// LockFile creates the database file if there is none, and takes no lock.
func LockFile(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	f.Close()
	return &Lock{}, nil
}

// Release does nothing.
func (*Lock) Release() {}

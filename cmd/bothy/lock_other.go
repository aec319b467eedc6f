//go:build !unix

package main

import "errors"

// dbLock is a no-op where flock is not available: restore cannot tell a
// running bot there, so the README says to stop the bot first.
type dbLock struct{}

var errLocked = errors.New("the database is in use")

func lockDatabase(string) (*dbLock, error) { return &dbLock{}, nil }

func (*dbLock) Release() {}

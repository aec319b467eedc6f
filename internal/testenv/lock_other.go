//go:build !unix

package testenv

// LockFile is a no-op where flock is missing; parallel work then races
// (the Dendrite build installs with a rename; npm ci may need a rerun).
func LockFile(string) (func(), error) { return func() {}, nil }

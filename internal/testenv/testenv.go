// Package testenv decides what a test does when something it needs from
// outside the repository is absent (the shared eval set beside the clone,
// a Chromium binary): on a developer's machine it skips and says why; in
// CI, where the CI variable is set, it fails, because there the thing must
// be present and a skip would hide that it is not.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TB is the part of testing.TB that Missing uses.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// InCI reports whether the CI variable says the tests run in CI ("1",
// "true" or any other value but "", "0" and "false").
func InCI() bool { return ciValue(os.Getenv("CI")) }

func ciValue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// Missing ends the test because something it needs is absent: a skip
// naming what and how to get it, or in CI a failure.
func Missing(t TB, format string, args ...any) {
	t.Helper()
	missing(t, InCI(), fmt.Sprintf(format, args...))
}

func missing(t TB, ci bool, msg string) {
	t.Helper()
	if ci {
		t.Fatalf("%s (CI is set, so this must be present)", msg)
		return
	}
	t.Skipf("skipped: %s (set CI=1 to make this a failure)", msg)
}

// RepoDir is the folder holding go.mod, found from the working directory
// (a test runs in its package's folder). A path from runtime.Caller would
// not do: the build cache can hand one checkout the compiled package of
// another, with that checkout's paths in it.
func RepoDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

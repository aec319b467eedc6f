package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// npmWait bounds one npm ci: the packages are a few tens of megabytes.
const npmWait = 10 * time.Minute

// NpmPackages makes sure the npm packages pinned by dir's lock file are
// installed (probe is one of them), so the README's one test command does
// the set-up itself: when they are absent and npm is on PATH it runs npm
// ci in dir once, whichever test package asks first. Without npm, or when
// the install fails, the test ends as Missing says.
func NpmPackages(t TB, dir, probe string) {
	t.Helper()
	installed := func() bool {
		_, err := os.Stat(filepath.Join(dir, "node_modules", probe, "package.json"))
		return err == nil
	}
	if installed() {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		Missing(t, "the npm packages in %s are not installed and npm is not on PATH: install Node.js and npm "+
			"(Debian: apt-get install nodejs npm; .ci/run does this)", dir)
		return
	}
	// The lock lives outside the clone, so git status stays clean.
	sum := sha256.Sum256([]byte(dir))
	unlock, err := LockFile(filepath.Join(os.TempDir(), "bothy-npm-"+hex.EncodeToString(sum[:8])+".lock"))
	if err != nil {
		Missing(t, "npm ci in %s: %v", dir, err)
		return
	}
	defer unlock()
	if installed() { // another test package installed them while we waited
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--prefix", dir, "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error")
	if out, err := cmd.CombinedOutput(); err != nil || !installed() {
		Missing(t, "npm ci in %s failed (%v): %s; run it by hand, or .ci/run", dir, err, lastLines(string(out), 5))
	}
}

// lastLines keeps the end of a command's output for a message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

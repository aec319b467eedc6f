package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// After `go run ./cmd/bothy` in a clone, git status must stay clean: every
// file the bot leaves in its working directory is ignored by the
// repository's .gitignore.
func TestRuntimeFilesAreIgnoredByGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git is not installed: %v", err)
	}
	dir := t.TempDir()
	gi, err := os.ReadFile(filepath.Join("..", "..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if _, errOut, code := runBothy(t, dir, "help\nask what is purdah\n", nil); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Written after the run, so git sees only what the bot left.
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), gi, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=all")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git status: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "?? .gitignore" {
		t.Fatalf("git status after running the bot shows more than .gitignore:\n%s", got)
	}
}

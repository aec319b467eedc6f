// Package dendritetest runs a real Matrix homeserver (Dendrite) for
// integration tests: it builds the binaries once into a shared cache,
// starts a fresh server per test on a loopback port, registers users and
// creates rooms, and drives them with mautrix clients acting as people.
package dendritetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// Version is the Dendrite release the tests run against.
const Version = "v0.15.2"

const module = "github.com/element-hq/dendrite"

var binaries = []string{"dendrite", "generate-keys", "generate-config", "create-account"}

// CacheDir is where the binaries are kept between runs:
// ${XDG_CACHE_HOME:-$HOME/.cache}/bothy/dendrite-VERSION.
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("dendritetest: no cache folder: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "bothy", "dendrite-"+Version), nil
}

func haveBinaries(dir string) bool {
	for _, b := range binaries {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// Binaries returns the folder holding the Dendrite binaries, building them
// from the Go module proxy first when they are missing (about two minutes
// cold). A lock file keeps parallel test packages from building twice.
func Binaries(tb testing.TB) string {
	tb.Helper()
	dir, err := EnsureBinaries(context.Background(), func(f string, a ...any) { tb.Logf(f, a...) })
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// EnsureBinaries is Binaries for callers without a testing.TB (scripts).
func EnsureBinaries(ctx context.Context, logf func(string, ...any)) (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	if haveBinaries(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("dendritetest: %w", err)
	}
	unlock, err := testenv.LockFile(dir + ".lock")
	if err != nil {
		return "", fmt.Errorf("dendritetest: lock %s.lock: %w", dir, err)
	}
	defer unlock()
	if haveBinaries(dir) { // another package built them while we waited
		return dir, nil
	}
	logf("building Dendrite %s into %s (once; takes a couple of minutes)", Version, dir)
	start := time.Now()
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "dendrite-build-")
	if err != nil {
		return "", fmt.Errorf("dendritetest: build folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	dl := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+Version)
	dl.Dir = tmp // outside any module, so no go.mod is touched
	dl.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var out, stderr bytes.Buffer
	dl.Stdout, dl.Stderr = &out, &stderr
	if err := dl.Run(); err != nil {
		return "", fmt.Errorf("dendritetest: go mod download %s@%s: %v: %s%s", module, Version, err, stderr.String(), out.String())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out.Bytes(), &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("dendritetest: go mod download gave no folder (%v %s)", err, info.Error)
	}
	bin := filepath.Join(tmp, "bin")
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, b := range binaries {
		args = append(args, "./cmd/"+b)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return "", err
	}
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = info.Dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	if b, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("dendritetest: building Dendrite: %v\n%s", err, b)
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(bin, dir); err != nil {
		return "", fmt.Errorf("dendritetest: install binaries: %w", err)
	}
	logf("built Dendrite in %s", time.Since(start).Round(time.Second))
	return dir, nil
}

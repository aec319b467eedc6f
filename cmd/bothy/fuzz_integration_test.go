//go:build integration

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var fuzzFunc = regexp.MustCompile(`^func (Fuzz\w+)\(f \*testing\.F\)`)

// TestFuzzTargetsBounded runs every fuzz target in the module for a short,
// bounded number of inputs, so CI exercises the fuzzers (not just their
// seed corpora) through the one test command. Targets are found by scanning
// the tree, so a new fuzz test is picked up without editing this list.
//
// The budget is a count of executions ("20000x"), not a duration: with a
// duration, Go 1.26's fuzz coordinator can report its own -fuzztime
// deadline as a failure ("context deadline exceeded", no crasher written)
// when a loaded machine starves the workers at the boundary
// (golang/go#75804, fixed in Go 1.27). A count has no deadline to race.
func TestFuzzTargetsBounded(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fuzzTime := os.Getenv("BOTHY_FUZZTIME")
	if fuzzTime == "" {
		fuzzTime = "20000x"
	}
	type target struct{ pkg, name string }
	var targets []target
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := fuzzFunc.FindStringSubmatch(sc.Text()); m != nil {
				rel, _ := filepath.Rel(root, filepath.Dir(path))
				targets = append(targets, target{"./" + rel, m[1]})
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) == 0 {
		t.Fatal("no fuzz targets found")
	}
	for _, tg := range targets {
		t.Run(strings.TrimPrefix(tg.pkg, "./")+"/"+tg.name, func(t *testing.T) {
			start := time.Now()
			cmd := exec.Command("go", "test", "-run", "^$", "-fuzz", "^"+tg.name+"$", "-fuzztime", fuzzTime, "-parallel", "2", tg.pkg)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("fuzzing %s %s failed after %s:\n%s", tg.pkg, tg.name, time.Since(start).Round(time.Second), out)
			}
		})
	}
}

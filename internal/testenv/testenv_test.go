package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type recorder struct{ skipped, fatal string }

func (r *recorder) Helper()                           {}
func (r *recorder) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

func TestMissingSkipsOutsideCIAndFailsInCI(t *testing.T) {
	for _, tc := range []struct {
		ci       string
		wantSkip bool
	}{
		{"", true}, {"0", true}, {"false", true}, {"1", false}, {"true", false}, {"yes", false},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			r := &recorder{}
			missing(r, ciValue(tc.ci), "../shared/eval is absent")
			if tc.wantSkip {
				if r.fatal != "" || !strings.Contains(r.skipped, "../shared/eval is absent") {
					t.Fatalf("want a skip naming what is missing, got skip %q fatal %q", r.skipped, r.fatal)
				}
				return
			}
			if r.skipped != "" || !strings.Contains(r.fatal, "../shared/eval is absent") {
				t.Fatalf("want a failure in CI, got skip %q fatal %q", r.skipped, r.fatal)
			}
		})
	}
}

func TestEventually(t *testing.T) {
	n := 0
	Eventually(t, time.Second, "the third ask", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Fatalf("asked %d times, want 3", n)
	}
	r := &recorder{}
	Eventually(r, 10*time.Millisecond, "never", func() bool { return false })
	if !strings.Contains(r.fatal, "waited 10ms for never") {
		t.Fatalf("fatal = %q", r.fatal)
	}
}

func TestRepoDir(t *testing.T) {
	root, err := RepoDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go.mod", filepath.Join("internal", "testenv", "testenv.go")} {
		if _, err := os.Stat(filepath.Join(root, want)); err != nil {
			t.Errorf("RepoDir() = %s, which has no %s: %v", root, want, err)
		}
	}
}

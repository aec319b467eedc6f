//go:build unix

package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestIngestRefusesWhatIsNotARegularFileInside plants, among good
// documents, every kind of name that once made ingest read outside the
// folder, fill memory or hang (issue 15.2), and checks each is refused
// with one message while the rest are indexed.
func TestIngestRefusesWhatIsNotARegularFileInside(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	dir := filepath.Join(base, "kb")
	outside := filepath.Join(base, "outside")
	writeFiles(t, dir, map[string]string{
		"good.md":       doc("good", "Gritting guidance", "guidance", "", "Grit the paths before the frost.\n"),
		"sub/inner.md":  doc("inner", "Snow days", "guidance", "", "Post school closures early.\n"),
		"sub/plain.md":  "# Captions\n\nCaption every video.\n",
		"sub/folder/.k": "",
	})
	writeFiles(t, outside, map[string]string{
		"secret.md": doc("secret", "Leaked", "guidance", "", "The outsideword secret lives here.\n"),
	})
	links := map[string]string{
		"env.md":        "/proc/self/environ",
		"zero.md":       "/dev/zero",
		"escape.md":     "../outside/secret.md",
		"abs-escape.md": filepath.Join(outside, "secret.md"),
		"dangling.md":   "nowhere.md",
		"folder.md":     "sub/folder",
		"loop.md":       "loop.md",
		// Links that stay inside the folder are fine, relative or not.
		"alias.md":    "sub/plain.md",
		"absalias.md": filepath.Join(dir, "sub", "plain.md"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linked-folder")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := openBase(t, Options{NoStarter: true})
	type result struct {
		rep IngestReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := b.Ingest(ctx, dir)
		done <- result{rep, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatal("ingest hung (a FIFO in the folder?)")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got []string
	for _, e := range r.rep.Errors {
		got = append(got, e.Error())
	}
	sort.Strings(got)
	var want []string
	for _, name := range []string{"abs-escape.md", "dangling.md", "env.md", "escape.md", "folder.md", "loop.md", "pipe.md", "zero.md"} {
		want = append(want, filepath.Join(dir, name)+": not a regular file inside the knowledge folder")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// good, sub/inner, sub/plain, and sub/plain again through each of
	// the two links that stay inside (ids come from the link's path).
	docs, err := b.RecentDocuments(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	sort.Strings(ids)
	if strings.Join(ids, " ") != "absalias alias good inner sub/plain" {
		t.Errorf("indexed %v", ids)
	}
	for _, q := range []string{"outsideword", "BOTHY", "PATH", "HOME"} {
		ans, err := b.Ask(ctx, Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ans.Sources {
			if s.ID == "secret" || strings.HasPrefix(s.ID, "env") || strings.HasPrefix(s.ID, "escape") {
				t.Errorf("search %q found %q, which came from outside the folder", q, s.ID)
			}
		}
	}
}

// The 4 MB limit is checked on the file a link leads to, not on the link.
func TestIngestSizeLimitFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	big := "# Big\n\n" + strings.Repeat("word ", maxFileBytes/5+10)
	writeFiles(t, dir, map[string]string{"big.txt": big, "ok.md": "# Fine\n\nA fine note.\n"})
	if err := os.Symlink("big.txt", filepath.Join(dir, "small-link.md")); err != nil {
		t.Fatal(err)
	}
	b := openBase(t, Options{NoStarter: true})
	rep, err := b.Ingest(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), "small-link.md:1: file is too large") {
		t.Fatalf("report %v, errors %v", rep, rep.Errors)
	}
}

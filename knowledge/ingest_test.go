package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/internal/testenv"
)

func TestIngestIsIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.md":      doc("a", "Alpha guidance", "guidance", "one", "# Alpha guidance\n\nAlpha text about gritting.\n"),
		"b.md":      doc("b", "Beta policy", "policy", "two", "# Beta policy\n\nBeta text about purdah.\n"),
		"sub/c.md":  "---\ntitle: Gamma\n---\nGamma text about captions.\n",
		"README.md": "# Not a document\n",
	})
	b := openBase(t, Options{NoStarter: true})
	steps := []struct {
		name   string
		change func()
		want   string
	}{
		{"first ingest adds all", func() {}, "added 3, updated 0, removed 0, unchanged 0"},
		{"second ingest changes nothing", func() {}, "added 0, updated 0, removed 0, unchanged 3"},
		{"edit one, delete one, add one", func() {
			writeFiles(t, dir, map[string]string{
				"a.md": doc("a", "Alpha guidance", "guidance", "one", "# Alpha guidance\n\nNew alpha text about snow.\n"),
				"d.md": doc("d", "Delta", "faq", "four", "Delta text.\n"),
			})
			if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
				t.Fatal(err)
			}
		}, "added 1, updated 1, removed 1, unchanged 1"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			rep, err := b.Ingest(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if rep.String() != s.want || len(rep.Errors) != 0 {
				t.Fatalf("report %q errors %v, want %q", rep, rep.Errors, s.want)
			}
		})
	}
	docs, _, err := b.Count(ctx)
	if err != nil || docs != 3 {
		t.Fatalf("count = %d, %v; want 3", docs, err)
	}
	// The edit is searchable and the old text is gone.
	ans, err := b.Ask(ctx, Question{Text: "snow"})
	if err != nil || len(ans.Sources) == 0 || ans.Sources[0].ID != "a" {
		t.Fatalf("ask snow = %+v, %v", ans, err)
	}
	ans, err = b.Ask(ctx, Question{Text: "purdah"})
	if err != nil || len(ans.Sources) != 0 {
		t.Fatalf("removed document still found: %+v, %v", ans.Sources, err)
	}
	// sub/c.md gets its path as id.
	ans, _ = b.Ask(ctx, Question{Text: "captions"})
	if len(ans.Sources) == 0 || ans.Sources[0].ID != "sub/c" {
		t.Fatalf("default id: %+v", ans.Sources)
	}
}

func TestIngestReportsBadFilesAndKeepsTheRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := doc("good", "Good doc", "guidance", "x", "Text about moderation of comments.\n")
	writeFiles(t, dir, map[string]string{
		"good.md":   good,
		"broken.md": "---\ntitle: [unclosed\n---\ntext\n",
		"latin.md":  "---\ntitle: ok\n---\ncaf\xe9\n",
		"zdup.md":   doc("good", "Same id", "faq", "", "dup\n"),
	})
	b := openBase(t, Options{NoStarter: true})
	rep, err := b.Ingest(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 {
		t.Errorf("added %d, want 1", rep.Added)
	}
	var msgs []string
	for _, e := range rep.Errors {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		filepath.Join(dir, "broken.md") + ":2: front matter",
		filepath.Join(dir, "latin.md") + ":4: not valid UTF-8",
		filepath.Join(dir, "zdup.md") + ":1: id \"good\" is already used by " + filepath.Join(dir, "good.md"),
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors\n%s\nlack %q", all, want)
		}
	}
	// A file that breaks later keeps its last good version.
	writeFiles(t, dir, map[string]string{"good.md": "---\ntitle: [oops\n---\n"})
	if err := os.Remove(filepath.Join(dir, "zdup.md")); err != nil {
		t.Fatal(err)
	}
	rep, err = b.Ingest(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Removed != 0 || len(rep.Errors) != 3 {
		t.Fatalf("report %v errors %v", rep, rep.Errors)
	}
	if ans, _ := b.Ask(ctx, Question{Text: "moderation of comments"}); len(ans.Sources) == 0 {
		t.Fatal("last good version was dropped")
	}
}

func TestStarterIsReplacedByIngest(t *testing.T) {
	ctx := context.Background()
	db := bottest.OpenDB(t)
	b, err := Open(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs, _, _ := b.Count(ctx)
	if docs < 3 {
		t.Fatalf("starter has %d documents", docs)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"only.md": doc("only", "Only doc", "faq", "", "Gritting and snow.\n")})
	rep, err := b.Ingest(ctx, dir)
	if err != nil || !rep.StarterReplaced || rep.Added != 1 || rep.Removed != 0 {
		t.Fatalf("ingest = %+v, %v", rep, err)
	}
	// Reopening without folders must not bring the starter back.
	b2, err := Open(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if docs, _, _ := b2.Count(ctx); docs != 1 {
		t.Fatalf("after reopen %d documents, want 1", docs)
	}
	// Recent documents (the weekly digest) lists it.
	recent, err := b2.RecentDocuments(ctx, time.Now().Add(-time.Hour))
	if err != nil || len(recent) != 1 || recent[0].ID != "only" {
		t.Fatalf("recent = %+v, %v", recent, err)
	}
	if recent, _ := b2.RecentDocuments(ctx, time.Now().Add(time.Hour)); len(recent) != 0 {
		t.Fatalf("future cutoff listed %v", recent)
	}
}

func TestOpenWithFoldersIngests(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.md": doc("x", "Crisis comms", "policy", "crisis", "Pause scheduled posts in a major incident.\n")})
	b := openBase(t, Options{Dirs: []string{dir}})
	ans, err := b.Ask(context.Background(), Question{Text: "what happens to scheduled posts in a crisis"})
	if err != nil || !ans.Confident || ans.Sources[0].ID != "x" {
		t.Fatalf("ask = %+v, %v", ans, err)
	}
}

func TestWatchReindexesOnChange(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.md": doc("x", "Crisis comms", "policy", "", "Pause scheduled posts.\n")})
	b := openBase(t, Options{Dirs: []string{dir}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Watch(ctx) }()
	defer func() { cancel(); <-done }()
	// The file is written again, a second apart (longer than the watcher's
	// debounce), until the watcher, once it has started, sees a change and
	// indexes it.
	var wrote time.Time
	testenv.Eventually(t, 10*time.Second, "the watcher to index the new file", func() bool {
		if time.Since(wrote) > time.Second {
			writeFiles(t, dir, map[string]string{"y.md": doc("y", "Gaelic posts", "guidance", "gaelic", "Bilingual posts in Gaelic.\n")})
			wrote = time.Now()
		}
		ans, _ := b.Ask(context.Background(), Question{Text: "gaelic"})
		return len(ans.Sources) > 0 && ans.Sources[0].ID == "y"
	})
}

func TestIngestReportsProgress(t *testing.T) {
	var calls [][2]int
	b := openBase(t, Options{NoStarter: true, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 1001; i++ {
		files[fmt.Sprintf("d%04d.md", i)] = fmt.Sprintf("# Note %d\n\nA short note number %d.\n", i, i)
	}
	writeFiles(t, dir, files)
	if _, err := b.Ingest(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{500, 1001}, {1000, 1001}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("progress calls %v, want %v", calls, want)
	}
}

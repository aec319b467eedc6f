package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDraftsAreNotIndexedUntilPublished(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	draft := "---\nid: snow\ntitle: Snow day closures\ndraft: true\n---\n# Snow day closures\n\nOne pinned post at 6.30am listed every closed school.\n\n## What worked\n\n- (what worked?)\n"
	writeFiles(t, dir, map[string]string{
		"a.md":    doc("a", "Gritting", "guidance", "", "Gritting routes are posted each evening.\n"),
		"snow.md": draft,
	})
	b := openBase(t, Options{Dirs: []string{dir}})
	rep, err := b.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Drafts, ",") != "snow" || !strings.Contains(rep.String(), "1 draft(s) not answered from") {
		t.Fatalf("report %q, drafts %v", rep, rep.Drafts)
	}
	ask := func() Answer {
		a, err := b.Ask(ctx, Question{Text: "snow day school closures pinned post"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, h := range ask().Ranked {
		if h.ID == "snow" {
			t.Fatalf("the draft is in the ranking before it was published")
		}
	}
	var unfinished *UnfinishedError
	if _, err := b.Publish(ctx, "snow"); !errors.As(err, &unfinished) || len(unfinished.Draft.Unfinished) != 1 {
		t.Fatalf("publishing with a placeholder: %v", err)
	}
	path := filepath.Join(dir, "snow.md")
	if err := os.WriteFile(path, []byte(strings.Replace(draft, "- (what worked?)", "- Agreeing the list by 6am.", 1)), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "nope"); !errors.Is(err, ErrNoDraft) {
		t.Fatalf("unknown draft: %v", err)
	}
	if _, err := b.Publish(ctx, "snow"); err != nil {
		t.Fatal(err)
	}
	if a := ask(); !a.Confident || a.Sources[0].ID != "snow" {
		t.Fatalf("not answered from the published document: %+v", a)
	}
	got, _ := os.ReadFile(path)
	if want := strings.Replace(strings.Replace(draft, "draft: true\n", "", 1), "- (what worked?)", "- Agreeing the list by 6am.", 1); string(got) != want {
		t.Fatalf("publish changed more than the draft line:\n%s", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Fatalf("publish changed the file's mode to %o", info.Mode().Perm())
	}
	// Marking it a draft again takes it back out.
	if err := os.WriteFile(path, []byte(draft), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	for _, h := range ask().Ranked {
		if h.ID == "snow" {
			t.Fatalf("a document marked draft again is still answered from")
		}
	}
}

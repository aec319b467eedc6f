package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kb answer never replaces a file: not the answer written for the same gap
// before (the earlier answer is kept and the organiser told how to edit
// it), not a curated document whose name matches, and its new file has the
// folder's documents' mode, not 0600.
func TestAnswerGapNeverReplacesAFile(t *testing.T) {
	ctx := context.Background()
	gap := func(t *testing.T, b *Base, q string) int64 {
		t.Helper()
		a, err := b.Ask(ctx, Question{Text: q, Record: true})
		if err != nil || a.Confident || a.QuestionID == 0 {
			t.Fatalf("ask %q = %+v, %v", q, a, err)
		}
		return a.QuestionID
	}

	t.Run("same gap twice keeps the first answer", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"a.md": doc("a", "Alpha", "guidance", "", "Gritting text.\n")})
		b := openBase(t, Options{Dirs: []string{dir}})
		id := gap(t, b, "How do we run a Christmas card competition?")
		docID, path, err := b.AnswerGap(ctx, id, "Ask schools to enter and pick a judge.", "Carol")
		if err != nil {
			t.Fatal(err)
		}
		first, _ := os.ReadFile(path)
		_, _, err = b.AnswerGap(ctx, id, "Something else entirely.", "Dave")
		var answered *AnsweredError
		if !errors.As(err, &answered) || answered.DocID != docID || answered.Path != path {
			t.Fatalf("second answer: %v, want AnsweredError naming %s at %s", err, docID, path)
		}
		if now, _ := os.ReadFile(path); string(now) != string(first) {
			t.Fatalf("the first answer was replaced:\n%s", now)
		}
		// Once its file is deleted, the gap can be answered afresh.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.AnswerGap(ctx, id, "A fresh answer about judges.", "Dave"); err != nil {
			t.Fatalf("answering after the file was deleted: %v", err)
		}
	})

	t.Run("a curated file with the same name stays", func(t *testing.T) {
		dir := t.TempDir()
		b := openBase(t, Options{Dirs: []string{dir}})
		id := gap(t, b, "Who judges the Christmas card competition?")
		name := fmt.Sprintf("faq-%d-who-judges-the-christmas-card-competition.md", id)
		curated := "---\ntitle: Our own page\n---\n# Our own page\n\nCurated text.\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(curated), 0o644); err != nil {
			t.Fatal(err)
		}
		_, path, err := b.AnswerGap(ctx, id, "The head teacher.", "Carol")
		if !errors.Is(err, ErrExists) || path != filepath.Join(dir, name) {
			t.Fatalf("AnswerGap over a curated file: %v (%s), want ErrExists", err, path)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != curated {
			t.Fatalf("the curated file was replaced:\n%s", got)
		}
		if gaps, _ := b.Gaps(ctx, 10); len(gaps) != 1 {
			t.Fatalf("the gap was marked answered though nothing was written: %+v", gaps)
		}
	})

	t.Run("a curated document with the same id stays", func(t *testing.T) {
		dir := t.TempDir()
		b := openBase(t, Options{Dirs: []string{dir}})
		id := gap(t, b, "Who judges the Christmas card competition?")
		docID := fmt.Sprintf("faq-%d-who-judges-the-christmas-card-competition", id)
		writeFiles(t, dir, map[string]string{"curated/judging.md": doc(docID, "Judging", "faq", "", "Curated text.\n")})
		if _, err := b.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.AnswerGap(ctx, id, "The head teacher.", "Carol"); !errors.Is(err, ErrExists) {
			t.Fatalf("AnswerGap with an id in use: %v, want ErrExists", err)
		}
		if _, err := os.Stat(filepath.Join(dir, docID+".md")); err == nil {
			t.Fatal("a second file with the same id was written")
		}
	})

	for _, mode := range []os.FileMode{0o644, 0o640, 0o664} {
		t.Run(fmt.Sprintf("mode %o follows the folder", mode), func(t *testing.T) {
			dir := t.TempDir()
			for _, n := range []string{"a.md", "b.md"} {
				p := filepath.Join(dir, n)
				if err := os.WriteFile(p, []byte(doc(strings.TrimSuffix(n, ".md"), "Alpha "+n, "guidance", "", "Gritting text.\n")), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, mode); err != nil {
					t.Fatal(err)
				}
			}
			b := openBase(t, Options{Dirs: []string{dir}})
			_, path, err := b.AnswerGap(ctx, gap(t, b, "How do we run a Christmas card competition?"), "Ask schools.", "Carol")
			if err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != mode {
				t.Fatalf("answer file mode %o, want the folder's %o", info.Mode().Perm(), mode)
			}
		})
	}
}

func TestCreateDocumentEmptyFolderMode(t *testing.T) {
	dir := t.TempDir()
	path, err := CreateDocument(dir, "x.md", []byte("# X\n\nText.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Fatalf("mode %o in a folder with no documents, want 0644", info.Mode().Perm())
	}
	if _, err := CreateDocument(dir, "x.md", []byte("other")); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "# X\n\nText.\n" {
		t.Fatalf("replaced: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

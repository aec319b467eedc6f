package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bothy-chat/bothy/bot/bottest"
)

func openBase(t testing.TB, opts Options) *Base {
	t.Helper()
	b, err := Open(context.Background(), bottest.OpenDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFiles writes name -> content into dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// repoRoot is the module root, found from this file's location.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the test file's path")
	}
	return filepath.Dir(filepath.Dir(file))
}

func doc(id, title, kind, tags, body string) string {
	return "---\nid: " + id + "\ntitle: " + title + "\nkind: " + kind + "\ntags: [" + tags + "]\nupdated: 2024-01-01\n---\n" + body
}

package knowledge

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// TestOtherProcessIngestIsSeen opens the same database file twice, as the
// running bot and `bothy kb ingest` do, and checks that the bot answers
// from the new content once the throttled generation check comes round.
func TestOtherProcessIngestIsSeen(t *testing.T) {
	old := genCheckEvery
	genCheckEvery = 200 * time.Millisecond
	t.Cleanup(func() { genCheckEvery = old })
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bothy.db")
	open := func() *store.DB {
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	bot, err := Open(ctx, open(), Options{NoStarter: true})
	if err != nil {
		t.Fatal(err)
	}
	const q = "how do we caption a heron livestream"
	if a, err := bot.Ask(ctx, Question{Text: q}); err != nil || a.Confident {
		t.Fatalf("before ingest: confident=%v err=%v", a.Confident, err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"herons.md": "---\ntitle: Captioning the heron livestream\nkind: guidance\n---\n\n## Captions\n\nCaption the heron livestream with live captions from the wildlife team.\n"})
	cli, err := Open(ctx, open(), Options{NoStarter: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Ingest(ctx, dir); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "the running base to see the other ingest", func() bool {
		a, err := bot.Ask(ctx, Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return a.Confident && len(a.Sources) > 0 && a.Sources[0].ID == "herons"
	})
}

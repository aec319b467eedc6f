package bottest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
)

// OpenDB opens a real SQLite database, migrated, in the test's temporary
// folder, and closes it when the test ends.
func OpenDB(t testing.TB) *store.DB {
	t.Helper()
	return OpenDBAt(t, filepath.Join(t.TempDir(), "bothy.db"))
}

// OpenDBAt is OpenDB at a given path (a database reopened as after a
// restart, or shared with another process).
func OpenDBAt(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Clock is a bot.Clock that tests set and move, safe for the goroutines
// that read it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

var _ bot.Clock = (*Clock)(nil)

// NewClock returns a Clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

//go:build integration

package meetups

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/store"
)

// filePlatform stands in for a chat platform in another process: it keeps
// what it delivered in a file and de-duplicates by idempotency key, as a
// Matrix homeserver does with transaction IDs, and logs every raw attempt.
// After delivering it pauses a random while before answering, which is
// the window between "the platform has it" and "the outbox knows it".
// It stays beside bottest.Adapter because what it delivered must outlive
// the child process the test kills, which memory cannot.
type filePlatform struct {
	dir   string
	pause time.Duration
}

func (p *filePlatform) Name() string                                      { return "file" }
func (p *filePlatform) Run(ctx context.Context, _ chan<- bot.Event) error { <-ctx.Done(); return nil }

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readLines(t testing.TB, path string) []string {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (p *filePlatform) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	if err := appendLine(filepath.Join(p.dir, "attempts.log"), r.Key); err != nil {
		return bot.MessageRef{}, err
	}
	delivered, _ := os.ReadFile(filepath.Join(p.dir, "delivered.log"))
	if !strings.Contains(string(delivered), r.Key+"\n") {
		if err := appendLine(filepath.Join(p.dir, "delivered.log"), r.Key); err != nil {
			return bot.MessageRef{}, err
		}
	}
	if p.pause > 0 {
		time.Sleep(rand.N(p.pause))
	}
	return bot.MessageRef{Platform: "file", RoomID: to.RoomID, ID: r.Key}, nil
}

var killChannels = []bot.Channel{{Platform: "file", RoomID: "!a"}, {Platform: "file", RoomID: "!b"}, {Platform: "file", RoomID: "!c"}}

// TestKill9Child is the scheduler process the kill test starts and kills;
// run directly (without its variables) it does nothing.
func TestKill9Child(t *testing.T) {
	dbPath := os.Getenv("BOTHY_KILL9_DB")
	if dbPath == "" {
		return
	}
	unix, _ := strconv.ParseInt(os.Getenv("BOTHY_KILL9_NOW"), 10, 64)
	pauseMS, _ := strconv.Atoi(os.Getenv("BOTHY_KILL9_PAUSE_MS"))
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loc := london(t)
	b := bot.New(bot.Options{})
	b.AddAdapter(&filePlatform{dir: os.Getenv("BOTHY_KILL9_DIR"), pause: time.Duration(pauseMS) * time.Millisecond})
	svc, err := New(Options{DB: db, Sender: b, Clock: bottest.NewClock(time.Unix(unix, 0).In(loc)), Location: loc, Channels: killChannels})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestKill9NeitherLosesNorDoublesReminders(t *testing.T) {
	ctx := context.Background()
	loc := london(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "bothy.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2027, 3, 1, 9, 0, 0, 0, loc)
	start := time.Date(2027, 3, 29, 18, 0, 0, 0, loc) // the day after the clocks go forward
	setup, err := New(Options{DB: db, Clock: bottest.NewClock(created), Location: loc, Channels: killChannels})
	if err != nil {
		t.Fatal(err)
	}
	const meetups = 10
	for k := 0; k < meetups; k++ {
		if _, err := setup.Create(ctx, Draft{Title: fmt.Sprintf("Meetup %d", k), Start: start.Add(time.Duration(k) * 2 * time.Minute)}, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	// Four phases: announcements, then the week, day and hour reminders,
	// each due at its phase's clock. Five kills per phase (a run that ends
	// before its kill does not count), then a run left to finish.
	phases := []time.Time{
		created.Add(time.Minute),
		start.AddDate(0, 0, -7).Add(time.Hour),
		start.AddDate(0, 0, -1).Add(time.Hour),
		start.Add(-30 * time.Minute),
	}
	attempts := filepath.Join(dir, "attempts.log")
	const pauseMS = 30 // the platform's longest pause after a delivery
	// run runs one child at clock now. With kill, it is killed once it has
	// made a send attempt of its own, a random part of the platform's pause
	// later: mostly between "the platform has it" and "the outbox knows
	// it". Waiting for that progress, rather than a fixed while, keeps a
	// slow start on a busy machine from eating the kill, and a fast one
	// from finishing a phase's work in a few runs.
	run := func(now time.Time, kill bool) (killed bool) {
		before := len(readLines(t, attempts))
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BOTHY_KILL9_DB="+dbPath, "BOTHY_KILL9_DIR="+dir,
			"BOTHY_KILL9_NOW="+strconv.FormatInt(now.Unix(), 10), "BOTHY_KILL9_PAUSE_MS="+strconv.Itoa(pauseMS))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if kill {
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for len(readLines(t, attempts)) == before {
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("child failed before the kill: %v\n%s", err, out)
					}
					return false
				case <-tick.C:
				}
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("child failed before the kill: %v\n%s", err, out)
				}
				return false
			case <-time.After(rand.N(pauseMS * time.Millisecond)):
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
				return true
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("child failed: %v\n%s", err, out)
		}
		return false
	}
	kills := 0
	runs := 0
	for _, now := range phases {
		for k := 0; k < 5 && runs < 60; runs++ {
			if run(now, true) {
				k++
				kills++
			}
		}
		run(now, false)
	}
	t.Logf("%d kills in %d runs", kills, runs)
	if kills != 20 {
		t.Errorf("only %d kills landed; want 20", kills)
	}

	db, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read.Query("SELECT idem_key, kind, status FROM meetup_outbox")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for rows.Next() {
		var key, kind, status string
		if err := rows.Scan(&key, &kind, &status); err != nil {
			t.Fatal(err)
		}
		if status != outSent {
			t.Errorf("%s (%s) ended %s, want sent", kind, key, status)
		}
		want[key] = true
	}
	rows.Close()
	if len(want) != meetups*len(killChannels)*4 {
		t.Fatalf("outbox has %d rows, want %d", len(want), meetups*len(killChannels)*4)
	}
	delivered := readLines(t, filepath.Join(dir, "delivered.log"))
	attempted := readLines(t, attempts)
	seen := map[string]int{}
	for _, k := range delivered {
		seen[k]++
		if !want[k] {
			t.Errorf("delivered unknown key %s", k)
		}
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("key %s delivered %d times, want exactly 1", k, seen[k])
		}
	}
	t.Logf("%d deliveries, %d raw send attempts (re-sends the platform de-duplicated: %d)", len(delivered), len(attempted), len(attempted)-len(delivered))
	if kills > 0 && len(attempted) == len(delivered) {
		// With a pause after every delivery, a kill almost always lands
		// between send and record; none doing so means the test did not
		// exercise the window it exists for.
		t.Errorf("no re-send was ever needed in %d kills; the crash window was not exercised", kills)
	}
}

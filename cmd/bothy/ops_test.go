package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/bot/web"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// Helpers here are prefixed "ops" so they cannot collide with other
// features' test helpers in this package.

type opsResult struct {
	code           int
	stdout, stderr string
}

// opsRun runs one bothy command line in-process with only the given
// environment (the host's BOTHY_* variables must not leak in).
func opsRun(t *testing.T, vars map[string]string, stdin io.Reader, args ...string) opsResult {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb testenv.Buffer
	env := &Env{
		Stdin: stdin, Stdout: &out, Stderr: &errb,
		Getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	code := execute(context.Background(), env, args)
	return opsResult{code, out.String(), errb.String()}
}

// opsLoad adds audit rows and keeps kv ops/count equal to the number of
// rows, in one transaction each time: any copy that is not a single
// committed state breaks that equality.
func opsLoad(ctx context.Context, db *store.DB, who string, n *atomic.Int64) error {
	for i := 0; ctx.Err() == nil; i++ {
		tx, err := db.Write.BeginTx(ctx, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO audit_log(actor, action, subject, detail) VALUES (?, 'test.write', ?, ?)",
			who, strconv.Itoa(i), strings.Repeat("x", 200))
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO kv(namespace, key, value) VALUES ('ops', 'count', (SELECT count(*) FROM audit_log))
				ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value`)
		}
		if err != nil {
			tx.Rollback()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := tx.Commit(); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		n.Add(1)
	}
	return nil
}

// opsCheckCopy opens a backup the way the bot would and checks it.
func opsCheckCopy(t *testing.T, path string) int {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("backup %s does not open: %v", path, err)
	}
	defer db.Close()
	var ok string
	if err := db.Read.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	var rows int
	var count string
	if err := db.Read.QueryRow("SELECT count(*) FROM audit_log").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := db.Read.QueryRow("SELECT value FROM kv WHERE namespace = 'ops' AND key = 'count'").Scan(&count); err != nil {
		t.Fatalf("kv ops/count: %v", err)
	}
	if strconv.Itoa(rows) != count {
		t.Fatalf("backup is torn: %d audit rows but count says %s", rows, count)
	}
	return rows
}

func TestBackupUnderWriteLoad(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "bothy.db")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	// Some megabytes first, so each copy takes long enough for writers to
	// commit while it runs.
	seed, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000)
		INSERT INTO audit_log(actor, action, subject, detail) SELECT 'seed', 'test.seed', i, printf('%.300c', 'y') FROM n`); err != nil {
		t.Fatal(err)
	}
	if err := seed.SetKV(ctx, "ops", "count", "20000"); err != nil {
		t.Fatal(err)
	}
	seed.Close()

	// Two handles, as if the bot and an admin command were both writing,
	// each with two goroutines queueing on its writer connection.
	var writes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for h := 0; h < 2; h++ {
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func(who string) {
				defer wg.Done()
				if err := opsLoad(ctx, db, who, &writes); err != nil {
					errs <- fmt.Errorf("%s: %w", who, err)
				}
			}(fmt.Sprintf("writer-%d-%d", h, g))
		}
	}
	testenv.Eventually(t, time.Minute, "200 writes committed", func() bool { return writes.Load() >= 200 })
	prev, during := 0, int64(0)
	for i := 1; i <= 3; i++ {
		before := writes.Load()
		dest := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		r := opsRun(t, nil, nil, "backup", "--db", dbPath, dest)
		if r.code != 0 {
			t.Fatalf("backup %d: exit %d: %s", i, r.code, r.stderr)
		}
		during += writes.Load() - before
		if !strings.Contains(r.stdout, "integrity ok") {
			t.Errorf("backup output: %q", r.stdout)
		}
		if _, err := os.Stat(dest + ".partial"); !os.IsNotExist(err) {
			t.Errorf("temporary file left behind: %v", err)
		}
		rows := opsCheckCopy(t, dest)
		if rows < 20000+int(before) || rows <= prev {
			t.Errorf("backup %d has %d rows; %d were committed before it started, previous backup had %d", i, rows, before, prev)
		}
		prev = rows
		t.Logf("backup %d: %d rows (writes so far %d)", i, rows, writes.Load())
	}
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("writer: %v", err)
	}
	// The point of an online backup: the bot's writes carry on meanwhile.
	if during == 0 {
		t.Errorf("no writes were committed while the backups ran")
	}
	t.Logf("%d writes committed while backups ran", during)
}

func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "bothy.db")
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	exists := filepath.Join(dir, "exists.db")
	if err := os.WriteFile(exists, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no file", []string{"backup", "--db", dbPath}, 2, "give one backup FILE"},
		{"destination exists", []string{"backup", "--db", dbPath, exists}, 1, "already exists"},
		{"no database", []string{"backup", "--db", filepath.Join(dir, "typo.db"), filepath.Join(dir, "b.db")}, 1, "typo.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := opsRun(t, nil, nil, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d %q, want %d with %q", r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
	if b, _ := os.ReadFile(exists); string(b) != "keep me" {
		t.Error("backup overwrote an existing file")
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); !os.IsNotExist(err) {
		t.Error("backup created the mistyped database")
	}
}

// opsStartBot runs `bothy run` in-process with the console on a pipe; the
// bot stops when the returned function closes its input.
func opsStartBot(t *testing.T, vars map[string]string, args ...string) (stop func() opsResult, out *testenv.Buffer) {
	t.Helper()
	pr, pw := io.Pipe()
	var o, e testenv.Buffer
	env := &Env{Stdin: pr, Stdout: &o, Stderr: &e, Getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	done := make(chan int, 1)
	go func() { done <- execute(context.Background(), env, append([]string{"run"}, args...)) }()
	// The banner goes to stderr once every feature is set up.
	testenv.Eventually(t, 20*time.Second, "the bot's banner", func() bool {
		select {
		case code := <-done:
			t.Fatalf("bot exited early with %d: %s", code, e.String())
		default:
		}
		return strings.Contains(e.String(), "type help for commands")
	})
	var once sync.Once
	var res opsResult
	stop = func() opsResult {
		once.Do(func() {
			pw.Close()
			select {
			case code := <-done:
				res = opsResult{code, o.String(), e.String()}
			case <-time.After(30 * time.Second):
				t.Fatal("bot did not stop after its input ended")
			}
		})
		return res
	}
	t.Cleanup(func() { stop() })
	return stop, &o
}

func TestRestore(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "bothy.db")
	backup := filepath.Join(dir, "backup.db")

	// A database with one marker, backed up; then changed.
	setMarker := func(v string) {
		db, err := store.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.SetKV(context.Background(), "ops", "marker", v); err != nil {
			t.Fatal(err)
		}
	}
	marker := func(path string) string {
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v, _, err := db.GetKV(context.Background(), "ops", "marker")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	setMarker("from the backup")
	if r := opsRun(t, nil, nil, "backup", "--db", dbPath, backup); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	setMarker("newer than the backup")

	t.Run("refused while the bot runs", func(t *testing.T) {
		stop, _ := opsStartBot(t, nil, "--db", dbPath)
		r := opsRun(t, nil, nil, "restore", "--db", dbPath, backup)
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to replace") || !strings.Contains(r.stderr, fmt.Sprintf("pid %d", os.Getpid())) {
			t.Fatalf("restore while running: exit %d %q", r.code, r.stderr)
		}
		// A second bot on the same file is refused too.
		r2 := opsRun(t, nil, nil, "run", "--db", dbPath)
		if r2.code != 1 || !strings.Contains(r2.stderr, "cannot run on") {
			t.Fatalf("second bot: exit %d %q", r2.code, r2.stderr)
		}
		if res := stop(); res.code != 0 {
			t.Fatalf("bot exit %d: %s", res.code, res.stderr)
		}
		if got := marker(dbPath); got != "newer than the backup" {
			t.Fatalf("database changed by a refused restore: %q", got)
		}
	})

	t.Run("bad backups", func(t *testing.T) {
		garbage := filepath.Join(dir, "garbage.db")
		os.WriteFile(garbage, bytes.Repeat([]byte("not sqlite "), 500), 0o600)
		other := filepath.Join(dir, "other.db")
		odb, err := sql.Open("sqlite", other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := odb.Exec("CREATE TABLE notes(x)"); err != nil {
			t.Fatal(err)
		}
		odb.Close()
		for _, tc := range []struct{ name, file, want string }{
			{"missing", filepath.Join(dir, "nope.db"), "no such file"},
			{"not SQLite", garbage, "not a SQLite database"},
			{"another program's database", other, "not a Bothy database"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := opsRun(t, nil, nil, "restore", "--db", dbPath, tc.file)
				if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
					t.Fatalf("exit %d %q, want %q", r.code, r.stderr, tc.want)
				}
			})
		}
		if r := opsRun(t, nil, nil, "restore", "--db", dbPath, dbPath); r.code != 2 {
			t.Errorf("restoring the database onto itself: exit %d %q", r.code, r.stderr)
		}
		if got := marker(dbPath); got != "newer than the backup" {
			t.Fatalf("database changed by a refused restore: %q", got)
		}
	})

	t.Run("restores when stopped", func(t *testing.T) {
		r := opsRun(t, nil, nil, "restore", "--db", dbPath, backup)
		if r.code != 0 {
			t.Fatalf("restore: exit %d %q", r.code, r.stderr)
		}
		if got := marker(dbPath); got != "from the backup" {
			t.Fatalf("after restore marker = %q", got)
		}
		asides, _ := filepath.Glob(dbPath + ".before-restore-*")
		var kept string
		for _, a := range asides {
			if !strings.HasSuffix(a, "-wal") && !strings.HasSuffix(a, "-shm") {
				kept = a
			}
		}
		if kept == "" || !strings.Contains(r.stdout, kept) {
			t.Fatalf("replaced database not kept (%v); output %q", asides, r.stdout)
		}
		if got := marker(kept); got != "newer than the backup" {
			t.Errorf("kept copy marker = %q", got)
		}
		// And a bot runs on the restored database.
		stop, _ := opsStartBot(t, nil, "--db", dbPath)
		if res := stop(); res.code != 0 {
			t.Fatalf("bot on restored database: exit %d %s", res.code, res.stderr)
		}
	})
}

func TestHealthcheck(t *testing.T) {
	up := &opsAdapter{up: true}
	srv, err := web.New(web.Options{Checks: web.AdapterChecks([]botAdapter{up})})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	host := strings.TrimPrefix(ts.URL, "http://")
	_, port, _ := net.SplitHostPort(host)

	for _, tc := range []struct {
		name  string
		vars  map[string]string
		args  []string
		down  bool
		code  int
		wants string
	}{
		{"ready by --url", nil, []string{"--url", ts.URL + "/readyz"}, false, 0, `"status":"ok"`},
		{"ready from BOTHY_HTTP_LISTEN", map[string]string{"BOTHY_HTTP_LISTEN": host}, nil, false, 0, "ready"},
		{"wildcard listen is probed on loopback", map[string]string{"BOTHY_HTTP_LISTEN": "0.0.0.0:" + port}, nil, false, 0, "ready"},
		{"adapter down", nil, []string{"--url", ts.URL + "/readyz"}, true, 1, "adapter:console-test"},
		{"nothing listening", map[string]string{"BOTHY_HTTP_LISTEN": closed}, nil, false, 1, "connection refused"},
		{"no address configured", nil, nil, false, 1, "set http.listen"},
		{"bad configuration is unhealthy, not a usage error", map[string]string{"BOTHY_HTTP_PAGE": "secret"}, nil, false, 1, "http.page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up.set(!tc.down)
			r := opsRun(t, tc.vars, nil, append([]string{"healthcheck"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.wants) {
				t.Fatalf("exit %d, stdout %q stderr %q; want %d with %q", r.code, r.stdout, r.stderr, tc.code, tc.wants)
			}
		})
	}
}

func TestReadyzURL(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8080":  "http://127.0.0.1:8080/readyz",
		"0.0.0.0:8080":    "http://127.0.0.1:8080/readyz",
		":9000":           "http://127.0.0.1:9000/readyz",
		"[::]:8080":       "http://[::1]:8080/readyz",
		"bothy.lan:8080":  "http://bothy.lan:8080/readyz",
		"[2001:db8::1]:1": "http://[2001:db8::1]:1/readyz",
	} {
		if got, err := readyzURL(in); err != nil || got != want {
			t.Errorf("readyzURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := readyzURL("8080"); err == nil {
		t.Error("a bare port should be an error")
	}
}

// TestRunServesHTTP runs the bot with http.listen set and checks the
// server it wires up: probes, the page with no features present, and that
// it stops with the bot.
func TestRunServesHTTP(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	vars := map[string]string{"BOTHY_HTTP_LISTEN": addr, "BOTHY_COMMUNITY_NAME": "Fife comms network"}
	stop, _ := opsStartBot(t, vars, "--db", filepath.Join(dir, "bothy.db"))

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 {
		t.Errorf("healthz = %d %s", code, body)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `{"name":"database","status":"ok"}`) {
		t.Errorf("readyz = %d %s", code, body)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "Fife comms network") || !strings.Contains(body, "No meetups are planned yet") || !strings.Contains(body, "No shout-outs yet") {
		t.Errorf("page = %d %s", code, body)
	}
	if r := opsRun(t, vars, nil, "healthcheck"); r.code != 0 {
		t.Errorf("healthcheck against the running bot: exit %d %s", r.code, r.stderr)
	}
	if res := stop(); res.code != 0 {
		t.Fatalf("bot exit %d: %s", res.code, res.stderr)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answering after the bot stopped")
	}
	if r := opsRun(t, vars, nil, "healthcheck"); r.code != 1 {
		t.Errorf("healthcheck with the bot stopped: exit %d", r.code)
	}
}

func TestRunFailsOnBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := opsRun(t, map[string]string{"BOTHY_HTTP_LISTEN": ln.Addr().String()}, nil, "run", "--db", filepath.Join(t.TempDir(), "bothy.db"))
	if r.code != 1 || !strings.Contains(r.stderr, "http.listen "+ln.Addr().String()) || !strings.Contains(r.stderr, "address already in use") {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
}

type botAdapter = bot.Adapter

// opsAdapter is a chat adapter that reports its connection.
type opsAdapter struct {
	mu sync.Mutex
	up bool
}

func (a *opsAdapter) Name() string { return "console-test" }
func (a *opsAdapter) Run(ctx context.Context, events chan<- bot.Event) error {
	<-ctx.Done()
	return nil
}
func (a *opsAdapter) Send(context.Context, bot.Target, bot.Reply) (bot.MessageRef, error) {
	return bot.MessageRef{}, nil
}
func (a *opsAdapter) Connected() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.up }
func (a *opsAdapter) set(up bool)     { a.mu.Lock(); a.up = up; a.mu.Unlock() }

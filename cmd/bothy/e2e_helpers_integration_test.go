//go:build integration

package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// The end-to-end tests run the real bothy binary as an admin would: `bothy
// run` configured only by environment variables, and the CLI commands
// (meetup list, shoutouts export) against the same database file.

// e2eWait bounds each wait for something the running bot should do. It is
// generous because the machine is shared; a passing run is much faster.
const e2eWait = 45 * time.Second

// bothyProc is one running `bothy run`.
type bothyProc struct {
	name string
	cmd  *exec.Cmd
	log  *testenv.Buffer
	done chan struct{}
	err  error
}

// startBothy starts `bothy run` in dir with exactly the given environment
// (plus HOME, PATH and USER), and stops it when the test ends.
func startBothy(t *testing.T, name, dir string, vars map[string]string) *bothyProc {
	t.Helper()
	cmd := exec.Command(bothyBin, "run")
	cmd.Dir = dir
	cmd.Env = envList(dir, vars)
	p := &bothyProc{name: name, cmd: cmd, log: &testenv.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s output (last lines):\n%s", name, lastLines(p.log.String(), 60))
		}
	})
	return p
}

func envList(dir string, vars map[string]string) []string {
	return append([]string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "USER=tester"}, varList(vars)...)
}

func varList(vars map[string]string) []string {
	var env []string
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+vars[k])
	}
	return env
}

// waitLog waits until the output holds text at least n times.
func (p *bothyProc) waitLog(t *testing.T, text string, n int) {
	t.Helper()
	eventually(t, e2eWait, fmt.Sprintf("%s logs %q (x%d)", p.name, text, n), func() bool {
		select {
		case <-p.done:
			t.Fatalf("%s exited early (%v):\n%s", p.name, p.err, lastLines(p.log.String(), 40))
		default:
		}
		return strings.Count(p.log.String(), text) >= n
	})
}

// stop sends SIGTERM, as a service manager does, and checks that bothy
// exits cleanly and promptly.
func (p *bothyProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signal %s: %v", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.kill()
		t.Fatalf("%s did not stop within 30s of SIGTERM", p.name)
	}
	if p.err != nil {
		t.Fatalf("%s exited with %v after SIGTERM:\n%s", p.name, p.err, lastLines(p.log.String(), 40))
	}
}

func (p *bothyProc) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// cliJSON runs a bothy CLI command and decodes its JSON output into v.
func cliJSON(t *testing.T, dir string, vars map[string]string, v any, args ...string) {
	t.Helper()
	out, errOut, code := runBothy(t, dir, "", varList(vars), args...)
	if code != 0 {
		t.Fatalf("bothy %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("bothy %s: not JSON (%v):\n%s", strings.Join(args, " "), err, out)
	}
}

// e2eMeetup is the part of `bothy meetup list --json` the tests read.
type e2eMeetup struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Going  int    `json:"going"`
}

func meetupList(t *testing.T, dir, db string) []e2eMeetup {
	t.Helper()
	var ms []e2eMeetup
	cliJSON(t, dir, nil, &ms, "meetup", "list", "--json", "--db", db)
	return ms
}

// e2eShoutout is the part of `bothy shoutouts export --format json` the
// tests read.
type e2eShoutout struct {
	GiverID     string `json:"giver_id"`
	RecipientID string `json:"recipient_id"`
	Reason      string `json:"reason"`
	Platform    string `json:"platform"`
}

func shoutoutExport(t *testing.T, dir, db string) []e2eShoutout {
	t.Helper()
	var list []e2eShoutout
	cliJSON(t, dir, nil, &list, "shoutouts", "export", "--format", "json", "--db", db)
	return list
}

// queryDB runs a read-only query on the database file beside the running
// bot and scans each row with scan.
func queryDB(t *testing.T, db, query string, scan func(*sql.Rows) error, args ...any) {
	t.Helper()
	conn, err := sql.Open("sqlite", store.DSN(db, true))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(query, args...)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// answeredQuestion waits until the knowledge base has recorded question
// text with the message that answered it, and returns its ID.
func answeredQuestion(t *testing.T, db, text string) int64 {
	t.Helper()
	var id int64
	eventually(t, e2eWait, "question "+text+" is recorded with its answer", func() bool {
		queryDB(t, db, "SELECT id FROM kb_questions WHERE text = ? AND answered = 1 AND message_id != ''", func(r *sql.Rows) error { return r.Scan(&id) }, text)
		return id > 0
	})
	return id
}

// feedbackRows reads the knowledge base's answer feedback straight from
// the database file (read-only, beside the running bot): "user helpful"
// per row, for question id.
func feedbackRows(t *testing.T, db string, question int64) []string {
	t.Helper()
	var out []string
	queryDB(t, db, "SELECT user_id, helpful FROM kb_feedback WHERE question_id = ? ORDER BY user_id", func(r *sql.Rows) error {
		var user string
		var helpful bool
		if err := r.Scan(&user, &helpful); err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %v", user, helpful))
		return nil
	}, question)
	return out
}

// eventually waits until cond holds (testenv.Eventually).
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, timeout, what, cond)
}

// meetupDate is a date some weeks ahead as organisers type it, with the
// year so it is never ambiguous.
func meetupDate() string { return time.Now().AddDate(0, 0, 40).Format("2 January 2006") + " 18:00" }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

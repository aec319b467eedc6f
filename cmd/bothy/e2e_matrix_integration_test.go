//go:build integration

package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
)

// TestMatrixEndToEnd runs the bothy binary against a fresh Dendrite,
// configured only by BOTHY_* variables, and drives it as people would with
// their own Matrix clients: a cited answer in a thread, a meetup announced
// in two rooms and an RSVP by reaction, a shout-out found in the export,
// a homeserver restart and a bot restart with no duplicate or replayed
// replies, and (goolm builds) an answer in the encrypted room.
func TestMatrixEndToEnd(t *testing.T) {
	start := time.Now()
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{JoinBot: true})
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	vars := f.Env()
	vars["BOTHY_DB"] = db
	// Announcements go to the plain room and a second room: the encrypted
	// one when this build can encrypt, otherwise another plain room.
	second := f.Encrypted
	if !e2eEncryption {
		second = extraRoom(t, f, "Announcements")
		vars["BOTHY_MATRIX_ANNOUNCE"] = string(f.Plain) + "," + string(second)
	}
	recipient := f.Server.Register(t, "mo2")

	member := f.Server.NewPerson(t, f.Member)
	personCrypto(t, member)
	member.Start()
	organiser := f.Server.NewPerson(t, f.Organiser)
	organiser.Start()
	botID := f.Bot.ID

	top := t // the bot outlives each subtest
	b := startBothy(t, "bothy", dir, vars)
	b.waitLog(t, "connected to the homeserver", 1)
	t.Logf("homeserver, users, rooms and bot ready after %s", time.Since(start).Round(time.Second))

	// asked counts the bot's answers to each question asked in this test,
	// so a duplicate or a replay shows up at the end.
	var asked []id.EventID

	t.Run("cited answer in the thread", func(t *testing.T) {
		root := member.Say(t, f.Plain, "Morning all, a question about work laptops")
		q := member.Send(t, f.Plain, mentionBot(botID, "IT have blocked Twitter, what do I do?", root))
		asked = append(asked, q)
		e := member.WaitFor(t, e2eWait, "the answer in the thread", answerTo(botID, q))
		m := dendritetest.Message(e)
		if got := m.RelatesTo.GetThreadParent(); got != root {
			t.Errorf("answer thread = %q, want the question's thread %q", got, root)
		}
		for _, want := range []string{"Sources:", "[1] When IT blocks social media sites", "it-blocked-social-media"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("answer body lacks %q:\n%s", want, m.Body)
			}
		}
		if !strings.Contains(m.FormattedBody, "<ol>") || !strings.Contains(m.FormattedBody, "When IT blocks social media sites</a>") {
			t.Errorf("answer HTML lacks the linked sources list:\n%s", m.FormattedBody)
		}
		// A 👍 on the answer (once the bot has noted which message
		// answered the question: it does that just after sending) is recorded as feedback from the member, and
		// the bot's own pre-added 👍 is not.
		qid := answeredQuestion(t, db, "IT have blocked Twitter, what do I do?")
		member.React(t, f.Plain, e.ID, "👍")
		want := []string{string(f.Member.ID) + " true"}
		var rows []string
		eventually(t, e2eWait, "the 👍 is recorded as feedback", func() bool {
			rows = feedbackRows(t, db, qid)
			return len(rows) > 0
		})
		if !slices.Equal(rows, want) {
			t.Errorf("feedback rows = %q, want %q", rows, want)
		}
	})

	var meetupID int64
	var announcement id.EventID
	t.Run("meetup announced in both rooms, RSVP by reaction", func(t *testing.T) {
		cmd := organiser.Say(t, f.Plain, "!meetup add Matrix comms social on "+meetupDate()+" at The Lighthouse, Glasgow")
		organiser.WaitFor(t, e2eWait, "the confirmation", answerTo(botID, cmd))
		isAnnouncement := func(room id.RoomID) func(*event.Event) bool {
			return func(e *event.Event) bool {
				return e.Sender == botID && e.RoomID == room && strings.Contains(dendritetest.Body(e), "New meetup: Matrix comms social")
			}
		}
		ann := member.WaitFor(t, e2eWait, "the announcement in the plain room", isAnnouncement(f.Plain))
		member.WaitFor(t, e2eWait, "the announcement in the second room", isAnnouncement(second))
		announcement = ann.ID
		ms := meetupList(t, dir, db)
		if len(ms) != 1 || ms[0].Title != "Matrix comms social" {
			t.Fatalf("meetup list = %+v", ms)
		}
		meetupID = ms[0].ID
		member.React(t, f.Plain, announcement, "👍")
		eventually(t, e2eWait, "meetup list shows the RSVP", func() bool {
			ms := meetupList(t, dir, db)
			return len(ms) == 1 && ms[0].Going >= 1
		})
		// Only the member: the bot's own ✅ 🤔 ❌ do not count.
		if ms := meetupList(t, dir, db); ms[0].Going != 1 {
			t.Errorf("going = %d, want 1 (the member)", ms[0].Going)
		}
		who := organiser.Say(t, f.Plain, "!meetup who "+itoa(meetupID))
		e := organiser.WaitFor(t, e2eWait, "meetup who", answerTo(botID, who))
		if !strings.Contains(dendritetest.Body(e), "mo") {
			t.Errorf("meetup who does not list the member:\n%s", dendritetest.Body(e))
		}
	})

	t.Run("shout-out in the export with the stable ID", func(t *testing.T) {
		q := member.Say(t, f.Plain, "!shoutout "+string(recipient.ID)+" for running the brilliant FOI workshop")
		e := member.WaitFor(t, e2eWait, "the shout-out acknowledgement", answerTo(botID, q))
		t.Logf("acknowledgement: %s", dendritetest.Body(e))
		list := shoutoutExport(t, dir, db)
		if len(list) != 1 {
			t.Fatalf("export has %d shout-outs, want 1: %+v", len(list), list)
		}
		s := list[0]
		if s.GiverID != string(f.Member.ID) || s.RecipientID != string(recipient.ID) || s.Platform != "matrix" || !strings.Contains(s.Reason, "FOI workshop") {
			t.Errorf("exported shout-out = %+v", s)
		}
	})

	t.Run("homeserver restart: recovers, answers once", func(t *testing.T) {
		const question = "what can the council account post in the pre-election period?"
		q := member.Say(t, f.Plain, "!ask "+question)
		asked = append(asked, q)
		// Restart as soon as the bot has the question (it is recorded just
		// before the answer is sent), so the answer is likely in flight
		// while the homeserver goes away. Restarting earlier tests
		// Dendrite rather than Bothy: a long-poll it cuts short at
		// shutdown returns an advanced sync token without the newest
		// event, so no client would ever see that event.
		eventually(t, e2eWait, "the bot has the question", func() bool {
			n := 0
			queryDB(t, db, "SELECT count(*) FROM kb_questions WHERE text = ?", func(r *sql.Rows) error { return r.Scan(&n) }, question)
			return n > 0
		})
		f.Server.Restart()
		e := member.WaitFor(t, 2*e2eWait, "the answer after the restart", answerTo(botID, q))
		if !strings.Contains(dendritetest.Body(e), "pre-election-period") {
			t.Errorf("answer after restart does not cite pre-election-period:\n%s", dendritetest.Body(e))
		}
		b.waitLog(t, "connected to the homeserver", 2)
		q2 := member.Say(t, f.Plain, "!ask how do we write alt text for images?")
		asked = append(asked, q2)
		member.WaitFor(t, e2eWait, "an answer after recovery", answerTo(botID, q2))
	})

	t.Run("bot restart: no replay, catches up", func(t *testing.T) {
		b.stop(t)
		// Asked while the bot is down: answered after it starts again,
		// since it is younger than the catch-up window.
		down := member.Say(t, f.Plain, "!ask someone is impersonating our council account, what should we do?")
		asked = append(asked, down)
		b = startBothy(top, "bothy (restarted)", dir, vars)
		b.waitLog(t, "connected to the homeserver", 1)
		if !strings.Contains(b.log.String(), "reusing stored Matrix session") {
			t.Error("the restarted bot did not reuse its stored session and device")
		}
		member.WaitFor(t, e2eWait, "the answer to the question asked while down", answerTo(botID, down))
		q := member.Say(t, f.Plain, "!ask how do we moderate abusive comments?")
		asked = append(asked, q)
		member.WaitFor(t, e2eWait, "an answer after the restart", answerTo(botID, q))
	})

	if e2eEncryption {
		t.Run("encrypted room", func(t *testing.T) {
			q := member.Say(t, f.Encrypted, "!ask how do we add captions to our videos?")
			asked = append(asked, q)
			e := member.WaitFor(t, e2eWait, "the answer in the encrypted room", answerTo(botID, q))
			if e.Mautrix.EventSource&event.SourceDecrypted == 0 {
				t.Error("the answer in the encrypted room was not encrypted")
			}
			if !strings.Contains(dendritetest.Body(e), "Sources:") {
				t.Errorf("encrypted answer lacks sources:\n%s", dendritetest.Body(e))
			}
			ann := member.Events(func(e *event.Event) bool {
				return e.RoomID == f.Encrypted && strings.Contains(dendritetest.Body(e), "New meetup: Matrix comms social")
			})
			if len(ann) != 1 || ann[0].Mautrix.EventSource&event.SourceDecrypted == 0 {
				t.Errorf("encrypted room got %d announcements (want 1, encrypted)", len(ann))
			}
		})
	}

	t.Run("every question answered exactly once", func(t *testing.T) {
		// A last command as a sync point: everything the bot would send
		// about earlier messages has been sent before its reply to this.
		sync := member.Say(t, f.Plain, "!meetup list")
		member.WaitFor(t, e2eWait, "the sync point", answerTo(botID, sync))
		member.Backfill() // count what the rooms hold, not only what sync delivered
		for _, q := range append(asked, sync) {
			if n := len(member.Events(answerTo(botID, q))); n != 1 {
				t.Errorf("question %s answered %d times, want once", q, n)
			}
		}
		for _, room := range []id.RoomID{f.Plain, second} {
			n := len(member.Events(func(e *event.Event) bool {
				return e.RoomID == room && strings.Contains(dendritetest.Body(e), "New meetup: Matrix comms social")
			}))
			if n != 1 {
				t.Errorf("room %s got the announcement %d times, want once", room, n)
			}
		}
	})
	b.stop(t)
	t.Logf("whole run took %s", time.Since(start).Round(time.Second))
}

// mentionBot is a message addressing the bot with a pill, as Element sends
// it, in the thread of root.
func mentionBot(botID id.UserID, text string, root id.EventID) *event.MessageEventContent {
	return &event.MessageEventContent{
		MsgType:       event.MsgText,
		Body:          "bothy: " + text,
		Format:        event.FormatHTML,
		FormattedBody: `<a href="https://matrix.to/#/` + string(botID) + `">bothy</a>: ` + text,
		Mentions:      &event.Mentions{UserIDs: []id.UserID{botID}},
		RelatesTo:     (&event.RelatesTo{}).SetThread(root, root),
	}
}

// answerTo matches the bot's messages that reply to q (quoted, or in q's
// thread replying to it).
func answerTo(botID id.UserID, q id.EventID) func(*event.Event) bool {
	return func(e *event.Event) bool {
		m := dendritetest.Message(e)
		return e.Sender == botID && m != nil && m.RelatesTo.GetReplyTo() == q
	}
}

// extraRoom creates another plain room with the member and bot joined.
func extraRoom(t *testing.T, f *dendritetest.Fixture, name string) id.RoomID {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	org := f.Server.Client(t, f.Organiser)
	resp, err := org.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: name, Preset: "private_chat", Invite: []id.UserID{f.Bot.ID, f.Member.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*dendritetest.User{f.Bot, f.Member} {
		if _, err := f.Server.Client(t, u).JoinRoomByID(ctx, resp.RoomID); err != nil {
			t.Fatal(err)
		}
	}
	return resp.RoomID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

//go:build integration

package matrix_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// TestMatrixAgainstDendrite drives the adapter through a real homeserver:
// invites, commands, mentions, threads, reactions, direct chats,
// announcements, a homeserver restart and a bot restart. The steps share
// one server and build on each other, so they run in order.
func TestMatrixAgainstDendrite(t *testing.T) {
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{})
	logs := &testenv.Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	path := dbPath(t)
	c := &calls{n: map[string]int{}}
	// Encryption is asked for; without -tags goolm the adapter must say it
	// cannot and carry on in unencrypted rooms.
	b := startBot(t, f, botConfig{dbPath: path, encryption: true, log: logs}, c)
	member := f.Server.NewPerson(t, f.Member)
	member.Start()
	organiser := f.Server.NewPerson(t, f.Organiser)
	maybeCrypto(t, organiser)
	organiser.Start()
	botID := f.Bot.ID

	t.Run("joins rooms it is invited to by allowed people", func(t *testing.T) {
		for _, r := range []id.RoomID{f.Plain, f.Direct} {
			waitUntil(t, "the bot joined "+string(r), func() bool { return joined(t, f, r) })
		}
		waitUntil(t, "the adapter is connected", b.Adapter.Connected)
	})

	t.Run("declines invites from others with a reason", func(t *testing.T) {
		eve := f.Server.Register(t, "eve")
		cli := f.Server.Client(t, eve)
		resp, err := cli.CreateRoom(context.Background(), &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{botID}})
		if err != nil {
			t.Fatal(err)
		}
		// Dendrite drops the reason of a rejected invite; the unit test
		// TestDeclineSaysWhy checks that the bot gives one.
		waitUntil(t, "the bot declined eve's invite", func() bool {
			m := &event.MemberEventContent{}
			err := cli.StateEvent(context.Background(), resp.RoomID, event.StateMember, string(botID), m)
			return err == nil && m.Membership == event.MembershipLeave
		})
	})

	t.Run("help with the ! prefix, as a quoted reply", func(t *testing.T) {
		q := member.Say(t, f.Plain, "!help")
		e := member.WaitFor(t, wait, "help reply", replyTo(botID, q))
		m := dendritetest.Message(e)
		if !strings.Contains(m.Body, "echo") || !strings.Contains(m.Body, "whoami") {
			t.Errorf("help does not list the test commands: %q", m.Body)
		}
		if m.MsgType != event.MsgNotice {
			t.Errorf("bot replies should be notices, got %s", m.MsgType)
		}
		if m.RelatesTo.GetThreadParent() != "" {
			t.Errorf("a message outside a thread got a threaded reply")
		}
	})

	t.Run("unknown command", func(t *testing.T) {
		q := member.Say(t, f.Plain, "!ecoh hello")
		e := member.WaitFor(t, wait, "unknown command reply", replyTo(botID, q))
		if body := dendritetest.Body(e); !strings.Contains(body, `Unknown command "ecoh"`) || !strings.Contains(body, "echo") {
			t.Errorf("unknown command reply = %q, want it to name the command and suggest echo", body)
		}
	})

	t.Run("room chatter without mention is ignored", func(t *testing.T) {
		q := member.Say(t, f.Plain, "echo this is just chat")
		// The next addressed message is answered; the chatter must not be.
		q2 := member.Say(t, f.Plain, "!echo marker")
		member.WaitFor(t, wait, "marker reply", replyTo(botID, q2))
		if got := member.Events(replyTo(botID, q)); len(got) != 0 {
			t.Errorf("bot answered chatter not addressed to it: %q", dendritetest.Body(got[0]))
		}
	})

	t.Run("mention by pill and m.mentions, stripped from the text", func(t *testing.T) {
		q := member.Send(t, f.Plain, &event.MessageEventContent{
			MsgType:       event.MsgText,
			Body:          "bothy: echo hi there",
			Format:        event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/` + string(botID) + `">bothy</a>: echo hi there`,
			Mentions:      &event.Mentions{UserIDs: []id.UserID{botID}},
		})
		e := member.WaitFor(t, wait, "echo reply", replyTo(botID, q))
		if body := dendritetest.Body(e); body != "echo: hi there" {
			t.Errorf("reply = %q, want %q", body, "echo: hi there")
		}
		q = member.Say(t, f.Plain, string(botID)+" echo raw id")
		e = member.WaitFor(t, wait, "echo reply to raw ID mention", replyTo(botID, q))
		if body := dendritetest.Body(e); body != "echo: raw id" {
			t.Errorf("reply = %q, want %q", body, "echo: raw id")
		}
	})

	var answer *event.Event
	t.Run("a question gets an HTML answer with numbered sources and a reaction hint", func(t *testing.T) {
		q := member.Send(t, f.Plain, &event.MessageEventContent{
			MsgType: event.MsgText, Body: "bothy: what is a bothy?",
			Mentions: &event.Mentions{UserIDs: []id.UserID{botID}},
		})
		answer = member.WaitFor(t, wait, "answer", replyTo(botID, q))
		m := dendritetest.Message(answer)
		if m.Format != event.FormatHTML {
			t.Fatalf("answer has no HTML body: %+v", m)
		}
		for _, want := range []string{"<strong>Short answer</strong>", "<em>what is a bothy?</em>", "<ol>", `<a href="https://example.org/bothies">What is a bothy</a>`, "React 👍 helpful / 👎 not helpful"} {
			if !strings.Contains(m.FormattedBody, want) {
				t.Errorf("HTML answer lacks %q:\n%s", want, m.FormattedBody)
			}
		}
		for _, want := range []string{"Sources:", "[1] What is a bothy", "[2] Bothy code", "React 👍 helpful"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("plain answer lacks %q:\n%s", want, m.Body)
			}
		}
		// The bot offers the reactions so people can tap them.
		member.WaitFor(t, wait, "the bot's 👎 on its answer", func(e *event.Event) bool {
			r, ok := e.Content.Parsed.(*event.ReactionEventContent)
			return ok && e.Sender == botID && r.RelatesTo.EventID == answer.ID && r.RelatesTo.Key == "👎"
		})
	})

	t.Run("reactions reach the bot, and removing one is reported", func(t *testing.T) {
		if answer == nil {
			t.Skip("needs the answer from the previous step")
		}
		rid := member.React(t, f.Plain, answer.ID, "👍")
		r := recvReaction(t, b.Reactions)
		want := bot.Reaction{Platform: "matrix", UserID: string(f.Member.ID), RoomID: string(f.Plain), MessageID: string(answer.ID), Emoji: "👍"}
		if r.Platform != want.Platform || r.UserID != want.UserID || r.RoomID != want.RoomID || r.MessageID != want.MessageID || r.Emoji != want.Emoji || r.Removed {
			t.Errorf("reaction = %+v, want %+v", r, want)
		}
		select {
		case a := <-b.Actions:
			if a.ActionID != "ask.feedback" || a.Value != "up" || a.MessageID != string(answer.ID) {
				t.Errorf("button action = %+v", a)
			}
		case <-time.After(wait):
			t.Error("the 👍 did not press the Helpful button")
		}
		if _, err := member.Client.RedactEvent(context.Background(), f.Plain, rid); err != nil {
			t.Fatal(err)
		}
		r = recvReaction(t, b.Reactions)
		if !r.Removed || r.Emoji != "👍" || r.MessageID != string(answer.ID) {
			t.Errorf("removed reaction = %+v", r)
		}
	})

	t.Run("a message in a thread is answered in that thread", func(t *testing.T) {
		root := member.Say(t, f.Plain, "thread root about meetups")
		q := member.Send(t, f.Plain, &event.MessageEventContent{
			MsgType: event.MsgText, Body: "!echo in the thread",
			RelatesTo: (&event.RelatesTo{}).SetThread(root, root),
		})
		e := member.WaitFor(t, wait, "threaded reply", replyTo(botID, q))
		m := dendritetest.Message(e)
		if m.RelatesTo.GetThreadParent() != root {
			t.Errorf("reply relation = %+v, want thread %s", m.RelatesTo, root)
		}
		if m.Body != "echo: in the thread" {
			t.Errorf("reply = %q", m.Body)
		}
	})

	t.Run("direct chat: commands and questions without prefix", func(t *testing.T) {
		q := member.Say(t, f.Direct, "echo just us")
		e := member.WaitFor(t, wait, "DM echo", replyTo(botID, q))
		if body := dendritetest.Body(e); body != "echo: just us" {
			t.Errorf("DM reply = %q", body)
		}
		q = member.Say(t, f.Direct, "how do I book a bothy?")
		e = member.WaitFor(t, wait, "DM answer", replyTo(botID, q))
		if body := dendritetest.Body(e); !strings.Contains(body, "Short answer") {
			t.Errorf("DM question reply = %q", body)
		}
	})

	t.Run("debug logs hold no message text", func(t *testing.T) {
		q := member.Say(t, f.Plain, "!echo the quiet heron fishes at dawn")
		member.WaitFor(t, wait, "the echo", replyTo(botID, q))
		got := logs.String()
		if !strings.Contains(got, "Request completed") {
			t.Fatal("the log has no mautrix debug lines; the check below would prove nothing")
		}
		if strings.Contains(got, "quiet heron") {
			t.Error("a message body reached the debug log (issue 15.11)")
		}
	})

	t.Run("organiser by room power level", func(t *testing.T) {
		q := organiser.Say(t, f.Plain, "!whoami")
		if body := dendritetest.Body(organiser.WaitFor(t, wait, "whoami", replyTo(botID, q))); body != "you are organiser" {
			t.Errorf("room creator (power 100): %q", body)
		}
		q = member.Say(t, f.Plain, "!whoami")
		if body := dendritetest.Body(member.WaitFor(t, wait, "whoami", replyTo(botID, q))); body != "you are member" {
			t.Errorf("member (power 0): %q", body)
		}
		// The member made the direct chat, so has power 100 there; that
		// must not make them an organiser (issue 15.1).
		q = member.Say(t, f.Direct, "!whoami")
		if body := dendritetest.Body(member.WaitFor(t, wait, "whoami in the member's own DM", replyTo(botID, q))); body != "you are member" {
			t.Errorf("member in a direct chat they created: %q", body)
		}
	})

	t.Run("without encryption support the encrypted room is told once", func(t *testing.T) {
		if b.Adapter.Encrypted() {
			t.Skip("this build has encryption; see the goolm test")
		}
		waitUntil(t, "the bot joined the encrypted room", func() bool { return joined(t, f, f.Encrypted) })
		for range 2 {
			sendGarbledEncrypted(t, member, f.Encrypted)
		}
		member.WaitFor(t, wait, "the no-encryption notice", and(hasText("built without encryption"), func(e *event.Event) bool { return e.RoomID == f.Encrypted }))
		q := member.Say(t, f.Plain, "!echo sync point")
		member.WaitFor(t, wait, "sync point", replyTo(botID, q))
		if n := len(member.Events(hasText("built without encryption"))); n != 1 {
			t.Errorf("notice posted %d times, want once", n)
		}
	})

	t.Run("announce to two rooms, one by alias", func(t *testing.T) {
		alias := id.RoomAlias("#plain:" + dendritetest.ServerName)
		if _, err := f.Server.Client(t, f.Organiser).CreateAlias(context.Background(), alias, f.Plain); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, room := range []string{string(alias), string(f.Direct)} {
			if _, err := b.Bot.Send(ctx, "matrix", bot.Target{RoomID: room}, bot.Reply{Text: "Meetup on **Friday**", Key: "meetup-1|" + room}); err != nil {
				t.Fatalf("announce to %s: %v", room, err)
			}
		}
		for _, room := range []id.RoomID{f.Plain, f.Direct} {
			member.WaitFor(t, wait, "announcement in "+string(room), and(hasText("Meetup on"), func(e *event.Event) bool { return e.RoomID == room }))
		}
		// The same key again is the same transaction: no second message.
		if _, err := b.Bot.Send(ctx, "matrix", bot.Target{RoomID: string(f.Direct)}, bot.Reply{Text: "Meetup on **Friday**", Key: "meetup-1|" + string(f.Direct)}); err != nil {
			t.Fatal(err)
		}
		q := member.Say(t, f.Direct, "echo after announce")
		member.WaitFor(t, wait, "sync point", replyTo(botID, q))
		if n := len(member.Events(and(hasText("Meetup on"), func(e *event.Event) bool { return e.RoomID == f.Direct }))); n != 1 {
			t.Errorf("announcement with a repeated key arrived %d times, want once", n)
		}
	})

	t.Run("direct message to someone new opens a direct chat", func(t *testing.T) {
		ref, ok, err := b.Bot.SendDirect(context.Background(), "matrix", string(f.Organiser.ID), bot.Reply{Text: "You received a shout-out!"})
		if err != nil || !ok {
			t.Fatalf("SendDirect: ok=%v err=%v", ok, err)
		}
		e := organiser.WaitFor(t, wait, "the direct message", hasText("You received a shout-out!"))
		if string(e.RoomID) != ref.RoomID || e.RoomID == f.Plain {
			t.Errorf("direct message arrived in %s, ref says %s", e.RoomID, ref.RoomID)
		}
	})

	t.Run("homeserver restart: reconnects, resumes, no duplicate reply", func(t *testing.T) {
		f.Server.Stop()
		waitUntil(t, "the adapter notices the homeserver is gone", func() bool { return !b.Adapter.Connected() })
		f.Server.Restart()
		// Sent before the bot has reconnected: it must come from the
		// stored sync position.
		q := member.Say(t, f.Plain, "!echo after the outage")
		member.WaitFor(t, wait, "reply after outage", replyTo(botID, q))
		waitUntil(t, "the adapter reconnects", b.Adapter.Connected)
		q2 := member.Say(t, f.Plain, "!echo settled")
		member.WaitFor(t, wait, "sync point", replyTo(botID, q2))
		if n := len(member.Events(replyTo(botID, q))); n != 1 {
			t.Errorf("%d replies to the message sent around the outage, want 1", n)
		}
		if n := c.get(string(q)); n != 1 {
			t.Errorf("command ran %d times for one message", n)
		}
	})

	t.Run("bot restart: same device, catches up recent messages, replays nothing", func(t *testing.T) {
		device := b.Adapter.DeviceID()
		before := c.all()
		b.Stop()
		stale := member.Say(t, f.Plain, "!echo stale while down")
		time.Sleep(2500 * time.Millisecond)
		fresh := member.Say(t, f.Plain, "!echo fresh while down")
		b = startBot(t, f, botConfig{dbPath: path, encryption: true, catchup: 2 * time.Second, log: logs}, c)
		member.WaitFor(t, wait, "catch-up reply", replyTo(botID, fresh))
		q := member.Say(t, f.Plain, "!echo after restart")
		member.WaitFor(t, wait, "sync point", replyTo(botID, q))
		if got := b.Adapter.DeviceID(); got != device {
			t.Errorf("device after restart = %s, want the stored %s", got, device)
		}
		if n := c.get(string(stale)); n != 0 {
			t.Errorf("a message older than the catch-up window was answered")
		}
		for msg, n := range c.all() {
			if n != 1 {
				t.Errorf("message %s handled %d times", msg, n)
			}
			if before[msg] > 0 && n != before[msg] {
				t.Errorf("message %s replayed after restart", msg)
			}
		}
	})
}

// sendGarbledEncrypted posts an m.room.encrypted event nobody can decrypt.
func sendGarbledEncrypted(t *testing.T, p *dendritetest.Person, room id.RoomID) {
	t.Helper()
	content := map[string]any{
		"algorithm":  "m.megolm.v1.aes-sha2.bogus",
		"ciphertext": "AwgAEnB3V2hhdGV2ZXI",
		"sender_key": "c2VuZGVyIGtleSB0aGF0IGlzIG5vdCByZWFs",
		"session_id": "bm8gc3VjaCBzZXNzaW9u",
		"device_id":  "NOSUCHDEVICE",
	}
	if _, err := p.Client.SendMessageEvent(context.Background(), room, event.EventEncrypted, content); err != nil {
		t.Fatal(err)
	}
}

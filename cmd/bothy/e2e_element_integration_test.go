//go:build integration && goolm

package main

import (
	"context"
	"html"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/adapters/matrix/jsclient"
)

// pill is a message as Element writes one that mentions a person: their
// display name (label) in body, their ID only in the matrix.to link of
// formatted_body and in m.mentions.
func pill(before string, who id.UserID, label, after string) map[string]any {
	return map[string]any{
		"msgtype": "m.text",
		"body":    before + label + after,
		"format":  "org.matrix.custom.html",
		"formatted_body": html.EscapeString(before) + `<a href="https://matrix.to/#/` + string(who) + `">` +
			html.EscapeString(label) + `</a>` + html.EscapeString(after),
		"m.mentions": map[string]any{"user_ids": []string{string(who)}},
	}
}

// jsAnswerTo matches the bot's messages replying to q, as Element saw them.
func jsAnswerTo(botID id.UserID, q id.EventID) func(jsclient.Event) bool {
	return func(e jsclient.Event) bool {
		m := e.Message()
		return e.Sender == botID && m != nil && m.RelatesTo.GetReplyTo() == q
	}
}

// TestMatrixAsElementUsersLiveIt runs the bothy binary against Dendrite and
// talks to it from matrix-js-sdk with Rust crypto (the SDK Element is built
// on) in strict mode, as a person using Element would (issue 16): pills
// for shoutout, nominate and shoutouts for; a question in a thread; a
// message with only formatted_body; edits and redactions; and what the
// push rules make of the bot's messages.
func TestMatrixAsElementUsersLiveIt(t *testing.T) {
	jsclient.Require(t)
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{JoinBot: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	org := f.Server.Client(t, f.Organiser)
	if err := org.SetDisplayName(ctx, "Olive Oyl"); err != nil {
		t.Fatal(err)
	}
	// @carol exists, so a shout-out meant for Olive (whose pill reads
	// "carol") recorded for @carol would be a real person's.
	f.Server.Register(t, "carol")
	ellie := f.Server.Register(t, "ellie")
	if _, err := org.InviteUser(ctx, f.Plain, &mautrix.ReqInviteUser{UserID: ellie.ID}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	vars := f.Env()
	vars["BOTHY_DB"] = db
	vars["BOTHY_MATRIX_ANNOUNCE"] = string(f.Plain)
	b := startBothy(t, "bothy", dir, vars)
	b.waitLog(t, "connected to the homeserver", 1)
	botID := f.Bot.ID
	organiser := f.Server.NewPerson(t, f.Organiser)
	organiser.Start()
	member := f.Server.NewPerson(t, f.Member)
	member.Start()

	// Ellie uses Element with "exclude insecure devices" on.
	js := jsclient.Start(t, jsclient.Options{
		BaseURL: f.Server.URL, UserID: ellie.ID, AccessToken: ellie.Token, DeviceID: ellie.DeviceID,
		Password: ellie.Password, Strict: true,
	})
	js.Join(t, f.Plain)
	// Her direct chat with the bot, encrypted as Element makes them.
	var dm struct {
		RoomID id.RoomID `json:"room_id"`
	}
	if err := js.Call(time.Minute, "create_room", map[string]any{"options": map[string]any{
		"preset": "trusted_private_chat", "is_direct": true, "invite": []id.UserID{botID},
		"initial_state": []map[string]any{{"type": "m.room.encryption", "state_key": "", "content": map[string]any{"algorithm": "m.megolm.v1.aes-sha2"}}},
	}}, &dm); err != nil {
		t.Fatal(err)
	}
	eventually(t, e2eWait, "the bot joins Ellie's direct chat", func() bool {
		return js.Events(func(e jsclient.Event) bool {
			return e.RoomID == dm.RoomID && e.Type == "m.room.member" && e.StateKey != nil && *e.StateKey == string(botID) &&
				e.Raw()["membership"] == "join"
		}) != nil
	})
	olive := f.Organiser.ID
	var asked []id.EventID
	ask := func(t *testing.T, content map[string]any) (id.EventID, jsclient.Event) {
		t.Helper()
		q := js.Send(t, f.Plain, content)
		asked = append(asked, q)
		return q, js.WaitFor(t, e2eWait, "the answer to "+string(q), jsAnswerTo(botID, q))
	}

	t.Run("pills give the person's ID, never a display name", func(t *testing.T) {
		_, e := ask(t, pill("!shoutout ", olive, "Olive Oyl", " for running the brilliant FOI workshop"))
		if !strings.Contains(e.Body(), "Shout-out recorded for Olive Oyl") {
			t.Errorf("acknowledgement: %q", e.Body())
		}
		// The pill's label is another person's name: the ID decides.
		_, e = ask(t, pill("!shoutout ", olive, "carol", " for the calm snow-day replies"))
		if !strings.Contains(e.Body(), "Shout-out recorded for Olive Oyl") {
			t.Errorf("acknowledgement: %q", e.Body())
		}
		// A name typed without a pill is not guessed at.
		_, e = ask(t, map[string]any{"msgtype": "m.text", "body": "!shoutout Olive for the minutes of the meeting"})
		if !strings.Contains(e.Body(), "couldn't work out who") {
			t.Errorf("a bare name: %q", e.Body())
		}
		list := shoutoutExport(t, dir, db)
		if len(list) != 2 {
			t.Fatalf("export has %d shout-outs, want 2: %+v", len(list), list)
		}
		for _, s := range list {
			if s.RecipientID != string(olive) {
				t.Errorf("shout-out %q recorded for %s, want %s", s.Reason, s.RecipientID, olive)
			}
		}
		_, e = ask(t, pill("!shoutouts for ", olive, "Olive Oyl", ""))
		if !strings.Contains(e.Body(), "Olive Oyl has received 2") {
			t.Errorf("shoutouts for a pill: %q", e.Body())
		}
		open := organiser.Say(t, f.Plain, "!awards open Spring kindness")
		organiser.WaitFor(t, e2eWait, "the round opens", answerTo(botID, open))
		_, e = ask(t, pill("!nominate ", olive, "Olive Oyl", " for kindness because she covered every late shift"))
		if !strings.Contains(e.Body(), "Nomination recorded: Olive Oyl for #kindness") {
			t.Errorf("nomination by pill: %q", e.Body())
		}
	})

	t.Run("a question in a thread gets a real reply there", func(t *testing.T) {
		root := js.Say(t, f.Plain, "Morning all, a thread about our videos")
		q, e := ask(t, map[string]any{
			"msgtype": "m.text", "body": "!ask how do we add captions to our videos?",
			"m.relates_to": map[string]any{"rel_type": "m.thread", "event_id": root, "is_falling_back": true,
				"m.in_reply_to": map[string]any{"event_id": root}},
		})
		rel, _ := e.Raw()["m.relates_to"].(map[string]any)
		inReplyTo, _ := rel["m.in_reply_to"].(map[string]any)
		if rel["rel_type"] != "m.thread" || rel["event_id"] != string(root) || inReplyTo["event_id"] != string(q) || rel["is_falling_back"] != false {
			t.Errorf("the answer's relation = %v; want the thread of %s, replying to %s, is_falling_back false", rel, root, q)
		}
	})

	t.Run("a message with only formatted_body", func(t *testing.T) {
		_, e := ask(t, map[string]any{"msgtype": "m.text", "body": "", "format": "org.matrix.custom.html", "formatted_body": "<p>!meetup list</p>"})
		if e.Body() == "" {
			t.Error("empty answer")
		}
	})

	var answer jsclient.Event
	var question id.EventID
	t.Run("an edited question is answered in the same reply", func(t *testing.T) {
		question, answer = ask(t, pill("", botID, "Bothy", ": how do we add captions to our videos?"))
		edited := pill("", botID, "Bothy", ": what can the council account post in the pre-election period?")
		js.Edit(t, f.Plain, question, edited)
		e := js.WaitFor(t, e2eWait, "the answer edited", func(e jsclient.Event) bool {
			m := e.Message()
			return e.Sender == botID && m != nil && m.RelatesTo.GetReplaceID() == answer.ID
		})
		if nc := e.Message().NewContent; nc == nil || !strings.Contains(nc.Body, "pre-election") {
			t.Errorf("the edited answer does not answer the new question: %+v", e.Message().NewContent)
		}
		// An edit that newly addresses the bot is answered once.
		chat := js.Say(t, f.Plain, "how do we moderate abusive comments?")
		js.Edit(t, f.Plain, chat, pill("", botID, "Bothy", ": how do we moderate abusive comments?"))
		asked = append(asked, chat)
		js.WaitFor(t, e2eWait, "the answer to the edited chatter", jsAnswerTo(botID, chat))
	})

	t.Run("a redacted question takes its answer with it", func(t *testing.T) {
		js.Redact(t, f.Plain, question)
		js.WaitFor(t, e2eWait, "the answer redacted", func(e jsclient.Event) bool {
			return e.Sender == botID && e.Type == "m.room.redaction" && e.Redacts == answer.ID
		})
		asked = slicesWithout(asked, question)
	})

	t.Run("what reaches Ellie notifies her, answers do not", func(t *testing.T) {
		if answer.Notify {
			t.Errorf("an answer (%s) notified", answer.Message().MsgType)
		}
		add := organiser.Say(t, f.Plain, "!meetup add Element social on "+meetupDate()+" at The Lighthouse")
		organiser.WaitFor(t, e2eWait, "the meetup confirmation", answerTo(botID, add))
		ann := js.WaitFor(t, e2eWait, "the announcement", func(e jsclient.Event) bool {
			return e.Sender == botID && strings.Contains(e.Body(), "New meetup: Element social")
		})
		if m := ann.Message(); m.MsgType != "m.text" || !ann.Notify {
			t.Errorf("announcement: %s, notify %v; want m.text that notifies", m.MsgType, ann.Notify)
		}
		// One RSVP hint, naming the reactions the bot pre-adds.
		if body := ann.Body(); strings.Count(body, "React") != 1 || !strings.Contains(body, "React ✅ going / 🤔 maybe / ❌ not going") || strings.Contains(body, "button") {
			t.Errorf("announcement hints:\n%s", body)
		}
		give := member.Say(t, f.Plain, "!shoutout "+string(ellie.ID)+" for testing us with Element")
		member.WaitFor(t, e2eWait, "the acknowledgement", answerTo(botID, give))
		n := js.WaitFor(t, e2eWait, "the shout-out notice in Ellie's direct chat", func(e jsclient.Event) bool {
			return e.RoomID == dm.RoomID && e.Sender == botID && strings.Contains(e.Body(), "You received a shout-out")
		})
		m := n.Message()
		if n.DecryptionFailure != "" || !n.Encrypted {
			t.Errorf("the notice: encrypted %v, failure %q", n.Encrypted, n.DecryptionFailure)
		}
		if m.MsgType != "m.text" || m.Mentions == nil || !m.Mentions.Has(ellie.ID) || !n.Notify {
			t.Errorf("the notice: %s, m.mentions %+v, notify %v; want m.text naming Ellie that notifies", m.MsgType, m.Mentions, n.Notify)
		}
		// A skin-tone 👍 on the announcement is an RSVP.
		js.React(t, f.Plain, ann.ID, "👍🏽")
		eventually(t, e2eWait, "the RSVP is counted", func() bool {
			ms := meetupList(t, dir, db)
			return len(ms) == 1 && ms[0].Going == 1
		})
	})

	t.Run("one answer per question", func(t *testing.T) {
		// A last question as a sync point: anything the bot would send
		// about earlier ones has arrived before its answer.
		ask(t, map[string]any{"msgtype": "m.text", "body": "!meetup list"})
		for _, q := range asked {
			if n := len(js.Events(jsAnswerTo(botID, q))); n != 1 {
				t.Errorf("question %s has %d answers, want 1", q, n)
			}
		}
	})
	b.stop(t)
}

func slicesWithout(s []id.EventID, x id.EventID) []id.EventID {
	var out []id.EventID
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

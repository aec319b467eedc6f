package shoutouts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/internal/testenv"
)

func (e *env) owed() int {
	e.t.Helper()
	return e.count("SELECT count(*) FROM shoutout_notices")
}

func noticesIn(out []bottest.Sent) []bottest.Sent {
	var n []bottest.Sent
	for _, s := range out {
		if strings.Contains(s.Reply.Text, "received a shout-out") {
			n = append(n, s)
		}
	}
	return n
}

// downSender is a platform that is away.
type downSender struct{ calls int }

func (d *downSender) Send(context.Context, string, bot.Target, bot.Reply) (bot.MessageRef, error) {
	d.calls++
	return bot.MessageRef{}, errors.New("platform unreachable")
}

func (d *downSender) Mention(_, userID string) string { return "@" + userID }

func (d *downSender) SendDirect(context.Context, string, string, bot.Reply) (bot.MessageRef, bool, error) {
	d.calls++
	return bot.MessageRef{}, true, errors.New("platform unreachable")
}

// give records a shout-out from Alice to Carol without telling anyone, as
// if the process died right after the commit.
func (e *env) giveUnnoticed(t *testing.T) int64 {
	t.Helper()
	res, err := e.svc.Give(context.Background(), GiveRequest{
		Platform: "slack", RoomID: "C1", MessageID: "m1",
		Giver: bot.User{ID: "UALICE", Name: "Alice"}, Recipients: []bot.User{{ID: "UCAROL", Name: "Carol"}},
		Reason: "calm replies all through the school closures", MentionIn: bot.Target{RoomID: "C1", ThreadID: "m1"},
	})
	if err != nil || len(res.Recorded) != 1 {
		t.Fatalf("give: %+v %v", res, err)
	}
	return res.Recorded[0].ID
}

func TestNoticeOwedUntilSent(t *testing.T) {
	e := newEnv(t, false, nil)
	ctx := context.Background()
	id := e.giveUnnoticed(t)
	if n := e.owed(); n != 1 {
		t.Fatalf("owed after the commit = %d, want 1", n)
	}
	down := &downSender{}
	e.svc.deliverNotices(ctx, down, nil)
	if down.calls == 0 || e.owed() != 1 {
		t.Fatalf("platform away: %d calls, %d owed; want tried and still owed", down.calls, e.owed())
	}
	e.svc.deliverNotices(ctx, e.bot, nil)
	got := noticesIn(e.ad.Take())
	if len(got) != 1 || !strings.Contains(got[0].Reply.Text, "<@UCAROL>") {
		t.Fatalf("retry sent %+v, want one mention of Carol", got)
	}
	if got[0].Target.RoomID != "C1" || got[0].Target.ThreadID != "m1" {
		t.Errorf("mention went to %+v, want the thread the shout-out was given in", got[0].Target)
	}
	if want := fmt.Sprintf("shoutout-%d-mention", id); got[0].Reply.Key != want {
		t.Errorf("key = %q, want %q (the same on every attempt)", got[0].Reply.Key, want)
	}
	if n := e.owed(); n != 0 {
		t.Fatalf("owed after delivery = %d, want 0", n)
	}
	e.svc.deliverNotices(ctx, e.bot, nil)
	if again := noticesIn(e.ad.Take()); len(again) != 0 {
		t.Fatalf("a delivered notice went out again: %+v", again)
	}
}

// TestNoticeAfterRestart: a service started on the same database tells
// the recipient what the last process recorded but never sent.
func TestNoticeAfterRestart(t *testing.T) {
	e := newEnv(t, true, nil)
	e.giveUnnoticed(t)
	restarted, err := New(Options{DB: e.db, Sender: e.bot, Clock: e.clock, Location: london(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- restarted.RunNotices(ctx) }()
	testenv.Eventually(t, 5*time.Second, "the owed notice sent", func() bool { return e.owed() == 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := noticesIn(e.ad.Take())
	if len(got) != 1 || dmTo(got[0]) != "UCAROL" {
		t.Fatalf("after restart sent %+v, want one direct message to Carol", got)
	}
}

func TestNoticeSkippedForOptOutAndErasure(t *testing.T) {
	t.Run("opted out", func(t *testing.T) {
		e := newEnv(t, true, nil)
		e.giveUnnoticed(t)
		e.say("UCAROL", "shoutout notifications off")
		e.svc.deliverNotices(context.Background(), e.bot, nil)
		if got := noticesIn(e.ad.Take()); len(got) != 0 {
			t.Fatalf("opted-out member told: %+v", got)
		}
		if n := e.owed(); n != 0 {
			t.Fatalf("owed = %d, want 0: an opted-out notice is dropped", n)
		}
	})
	t.Run("erased", func(t *testing.T) {
		e := newEnv(t, true, nil)
		e.giveUnnoticed(t)
		if _, err := e.svc.EraseUser(context.Background(), privacy.NewSubject("UCAROL", privacy.NewPseudonym())); err != nil {
			t.Fatal(err)
		}
		if n := e.owed(); n != 0 {
			t.Fatalf("owed after erasing the recipient = %d, want 0", n)
		}
	})
}

// TestNoticeGivenInPrivateIsNotMentioned: a shout-out given in a direct
// message has no room to fall back to, so on a platform without direct
// messages the notice is dropped rather than retried for ever.
func TestNoticeGivenInPrivateIsNotMentioned(t *testing.T) {
	e := newEnv(t, false, nil)
	e.send("UALICE", "shoutout @UBOB for the accessible video captions guide", true)
	if n := e.owed(); n != 0 {
		t.Fatalf("owed = %d, want 0", n)
	}
}

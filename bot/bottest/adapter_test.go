package bottest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// bare is a platform with none of the optional abilities.
type bare struct{}

func (bare) Name() string                                      { return "bare" }
func (bare) Run(ctx context.Context, _ chan<- bot.Event) error { <-ctx.Done(); return nil }
func (bare) Send(context.Context, bot.Target, bot.Reply) (bot.MessageRef, error) {
	return bot.MessageRef{}, nil
}

// With its knobs at zero the adapter's mentions, users and threads are
// what the core does for a platform without those abilities, so tests
// that never set a knob see no difference.
func TestKnobsAtZeroAreTheCoresDefaults(t *testing.T) {
	a := New("")
	b := bot.New(bot.Options{})
	b.AddAdapter(a)
	b.AddAdapter(bare{})
	for _, id := range []string{"U1", "@carol:example.org"} {
		if got, want := b.Mention("test", id), b.Mention("bare", id); got != want {
			t.Errorf("Mention(%q) = %q, the core writes %q", id, got, want)
		}
	}
	msg := bot.Message{Platform: "test", ID: "m1", UserID: "U1", RoomID: "room", Text: "hi"}
	ours, theirs := &bot.Request{Bot: b, Adapter: a, Msg: msg}, &bot.Request{Bot: b, Adapter: bare{}, Msg: msg}
	if ours.Target() != theirs.Target() {
		t.Errorf("Target %+v, the core gives %+v", ours.Target(), theirs.Target())
	}
	for _, w := range []string{"@carol", "<@U1>", "carol"} {
		if ours.IsMention(w) != theirs.IsMention(w) {
			t.Errorf("IsMention(%q) = %v, the core says %v", w, ours.IsMention(w), theirs.IsMention(w))
		}
		u1, err1 := ours.ResolveUser(t.Context(), w)
		u2, err2 := theirs.ResolveUser(t.Context(), w)
		if u1 != u2 || (err1 == nil) != (err2 == nil) {
			t.Errorf("ResolveUser(%q) = %+v, %v; the core gives %+v, %v", w, u1, err1, u2, err2)
		}
	}
}

func TestKnobs(t *testing.T) {
	ctx := t.Context()
	t.Run("threads and mention markup", func(t *testing.T) {
		a := New("slack")
		a.Threaded, a.MentionMarkup = true, [2]string{"<@", ">"}
		req := &bot.Request{Adapter: a, Msg: bot.Message{ID: "m1", RoomID: "C1"}}
		if got := req.Target(); got.ThreadID != "m1" {
			t.Errorf("reply target %+v, want the message's thread", got)
		}
		if got := a.Mention("U1"); got != "<@U1>" || !req.IsMention(got) || req.IsMention("U1") {
			t.Errorf("Mention = %q, IsMention of it %v", got, req.IsMention(got))
		}
	})
	t.Run("resolve", func(t *testing.T) {
		a := New("")
		a.Resolve = func(m string) (bot.User, error) {
			if m == "@nobody" {
				return bot.User{}, errors.New("no such user")
			}
			return bot.User{ID: m[1:], Name: "Carol"}, nil
		}
		if u, err := a.ResolveUser(ctx, "@carol"); err != nil || u != (bot.User{ID: "carol", Name: "Carol"}) {
			t.Errorf("ResolveUser = %+v, %v", u, err)
		}
		if _, err := a.ResolveUser(ctx, "@nobody"); err == nil {
			t.Error("an unknown user resolved")
		}
	})
	t.Run("idempotent keys, failures, attempts, clock", func(t *testing.T) {
		a := New("")
		at := time.Date(2027, 6, 16, 18, 0, 0, 0, time.UTC)
		a.IdempotentKeys, a.Now = true, func() time.Time { return at }
		first, err := a.Send(ctx, bot.Target{RoomID: "r"}, bot.Reply{Text: "one", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		again, _ := a.Send(ctx, bot.Target{RoomID: "r"}, bot.Reply{Text: "one", Key: "k"})
		if again != first {
			t.Errorf("a repeated key gave %+v, want the first message %+v", again, first)
		}
		a.FailSends(2)
		if _, err := a.Send(ctx, bot.Target{RoomID: "r"}, bot.Reply{Text: "two"}); !errors.Is(err, ErrSendFailed) {
			t.Errorf("send while down: %v", err)
		}
		if _, err := a.SendDirect(ctx, "U1", bot.Reply{Text: "three"}); !errors.Is(err, ErrSendFailed) {
			t.Errorf("direct send while down: %v", err)
		}
		if _, err := a.Send(ctx, bot.Target{RoomID: "r"}, bot.Reply{Text: "four"}); err != nil {
			t.Errorf("send after the failures: %v", err)
		}
		got := a.Take()
		if len(got) != 2 || got[0].Reply.Text != "one" || got[1].Reply.Text != "four" || !got[1].At.Equal(at) {
			t.Errorf("recorded %+v, want one and four at %v", got, at)
		}
		if n := a.Attempts(); n != 5 {
			t.Errorf("attempts = %d, want 5", n)
		}
		if rest := a.Take(); len(rest) != 0 {
			t.Errorf("Take did not forget: %+v", rest)
		}
	})
	t.Run("rooms only", func(t *testing.T) {
		a := New("")
		a.Threaded = true
		var ad bot.Adapter = RoomsOnly(a)
		if _, ok := ad.(bot.DirectMessenger); ok {
			t.Error("RoomsOnly can send direct messages")
		}
		if _, ok := ad.(bot.Threader); !ok {
			t.Error("RoomsOnly lost the adapter's other abilities")
		}
		if _, err := ad.Send(ctx, bot.Target{RoomID: "r"}, bot.Reply{Text: "hi"}); err != nil || a.Last() != "hi" {
			t.Errorf("send through RoomsOnly: %v, recorded %q", err, a.Last())
		}
	})
}

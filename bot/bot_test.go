package bot_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

func newBot(t *testing.T) (*bot.Bot, *bottest.Adapter) {
	t.Helper()
	b := bot.New(bot.Options{Organisers: []string{"olive"}, DefaultCommand: "ask"})
	ad := bottest.New("test")
	b.AddAdapter(ad)
	b.Register(&bot.Command{
		Name: "echo", Usage: "TEXT", Summary: "say it back",
		Run: func(ctx context.Context, req *bot.Request) error { return req.Replyf(ctx, "echo:%s", req.Args) },
	})
	b.Register(&bot.Command{
		Name: "meetup", Summary: "meetups",
		Subcommands: []*bot.Command{
			{Name: "add", Summary: "add one", Role: bot.RoleOrganiser, Run: func(ctx context.Context, req *bot.Request) error {
				return req.Replyf(ctx, "added:%s", req.Args)
			}},
			{Name: "list", Summary: "list", Run: func(ctx context.Context, req *bot.Request) error {
				return req.Replyf(ctx, "list")
			}},
		},
	})
	b.Register(&bot.Command{
		Name: "ask", Usage: "QUESTION", AnswersEdits: true,
		Run: func(ctx context.Context, req *bot.Request) error {
			if req.Args == "bad" {
				return bot.Usagef("Please ask a real question.")
			}
			if req.Args == "boom" {
				return context.DeadlineExceeded
			}
			return req.Replyf(ctx, "answer:%s", req.Args)
		},
	})
	return b, ad
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name string
		msg  func(ad *bottest.Adapter) bot.Message
		want string // "" means no reply expected
	}{
		{"direct command", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "echo hi") }, "echo:hi"},
		{"direct question", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "what is purdah?") }, "answer:what is purdah?"},
		{"room bang", func(ad *bottest.Adapter) bot.Message { return ad.RoomMessage("r1", "mo", "!echo yo", false) }, "echo:yo"},
		{"room chatter ignored", func(ad *bottest.Adapter) bot.Message { return ad.RoomMessage("r1", "mo", "echo yo", false) }, ""},
		{"room mention question", func(ad *bottest.Adapter) bot.Message { return ad.RoomMessage("r1", "mo", "is FOI relevant", true) }, "answer:is FOI relevant"},
		{"unknown bang suggests", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "!ecko") }, `Unknown command "ecko". Did you mean echo?`},
		{"mistyped command with its subcommand", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "metup list") }, "Did you mean: meetup list"},
		{"mistyped command with a mention", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "meetpu @bob later") }, "Did you mean: meetup @bob later"},
		{"a question near a command name stays a question", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "meetups near glasgow?") }, "answer:meetups near glasgow?"},
		{"subcommand", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "meetup list") }, "list"},
		{"organiser refused", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "meetup add social") }, "only organisers can use \"meetup add\""},
		{"organiser allowed", func(ad *bottest.Adapter) bot.Message { return ad.Message("olive", "meetup add social") }, "added:social"},
		{"parent without run shows help", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "meetup") }, "meetup add"},
		{"unknown subcommand is named", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "meetup lsit") }, `There is no "meetup lsit". Did you mean "meetup list"?`},
		{"usage error text", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "!ask bad") }, "Please ask a real question."},
		{"handler error is apologised for", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "!ask boom") }, "Sorry, something went wrong"},
		{"huge message refused", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", strings.Repeat("purdah ", 20000)) }, "too long"},
		{"empty direct gets hint", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "  ") }, "type help"},
		{"help lists commands", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "help") }, "echo TEXT"},
		{"help for unknown", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "help ecko") }, "Did you mean echo?"},
		{"control chars cleaned", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "echo a\x00b") }, "echo:ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ad := newBot(t)
			b.Handle(context.Background(), tt.msg(ad))
			texts := ad.Texts()
			if tt.want == "" {
				if len(texts) != 0 {
					t.Fatalf("expected no reply, got %q", texts)
				}
				return
			}
			if len(texts) != 1 || !strings.Contains(texts[0], tt.want) {
				t.Fatalf("replies = %q, want one containing %q", texts, tt.want)
			}
		})
	}
}

func TestReplyTarget(t *testing.T) {
	b, ad := newBot(t)
	m := ad.RoomMessage("room", "mo", "!echo x", false)
	m.ThreadID = "t1"
	b.Handle(context.Background(), m)
	s := ad.Sent()
	if len(s) != 1 || s[0].Target.RoomID != "room" || s[0].Target.ThreadID != "t1" || s[0].Target.ReplyTo != m.ID {
		t.Fatalf("reply target = %+v", s)
	}
}

// TestRunDrainsOnShutdown checks the ordered shutdown: events taken before
// the stop are all handled, then shutdown hooks run, then Run returns.
func TestRunDrainsOnShutdown(t *testing.T) {
	b, ad := newBot(t)
	var handled atomic.Int32
	b.Register(&bot.Command{Name: "slow", Run: func(ctx context.Context, req *bot.Request) error {
		time.Sleep(20 * time.Millisecond)
		handled.Add(1)
		return req.Replyf(ctx, "done")
	}})
	var hookSaw int32 = -1
	b.OnShutdown(func(context.Context) error { hookSaw = handled.Load(); return nil })
	const n = 40
	for i := 0; i < n; i++ {
		ad.Inject(ad.Message("mo", "slow"))
	}
	ad.End()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := handled.Load(); got != n {
		t.Fatalf("handled %d of %d", got, n)
	}
	if hookSaw != n {
		t.Fatalf("shutdown hook ran after %d handlers, want %d", hookSaw, n)
	}
	if got := len(ad.Sent()); got != n {
		t.Fatalf("sent %d replies, want %d", got, n)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	b, ad := newBot(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	ad.Inject(ad.Message("mo", "echo before"))
	ad.WaitSent(1, 5*time.Second)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if !ad.Contains("echo:before") {
		t.Fatalf("replies = %q", ad.Texts())
	}
}

func TestActionsAndReactions(t *testing.T) {
	b, _ := newBot(t)
	var got []string
	b.HandleAction("kb.helpful", func(ctx context.Context, a bot.Action, _ bot.Adapter) error {
		got = append(got, "action:"+a.Value)
		return nil
	})
	b.OnReaction(func(ctx context.Context, r bot.Reaction, _ bot.Adapter) error {
		got = append(got, "reaction:"+r.Emoji)
		return nil
	})
	b.Handle(context.Background(), bot.Action{Platform: "test", ActionID: "kb.helpful", Value: "42"})
	b.Handle(context.Background(), bot.Action{Platform: "test", ActionID: "nobody"})
	b.Handle(context.Background(), bot.Reaction{Platform: "test", Emoji: "👍"})
	if strings.Join(got, ",") != "action:42,reaction:👍" {
		t.Fatalf("got %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate action did not panic")
		}
	}()
	b.HandleAction("kb.helpful", nil)
}

// TestEditedMessages: the new text of an edited message runs only
// commands that just answer; running a command that changes something a
// second time would, say, add the meetup twice (issue 16.3).
func TestEditedMessages(t *testing.T) {
	tests := []struct {
		text string
		want string // "" means nothing runs
	}{
		{"what is purdah now?", "answer:what is purdah now?"},
		{"!help echo", "echo TEXT"},
		{"!echo again", ""},
		{"!meetup add Twice", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			b, ad := newBot(t)
			m := ad.Message("olive", tt.text)
			m.Edited = true
			b.Handle(context.Background(), m)
			got := strings.Join(ad.Texts(), "|")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("edited %q: replies %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// Plain text goes to the command the bot was configured with, whatever
// its name; with none configured it is not answered.
func TestDefaultCommandIsConfiguration(t *testing.T) {
	for _, tc := range []struct{ def, want string }{
		{"lookup", "looked up:where is the minibus"},
		{"", "I can't answer questions yet"},
	} {
		b := bot.New(bot.Options{DefaultCommand: tc.def})
		ad := bottest.New("test")
		b.AddAdapter(ad)
		b.Register(&bot.Command{Name: "lookup", Run: func(ctx context.Context, req *bot.Request) error {
			return req.Replyf(ctx, "looked up:%s", req.Args)
		}})
		b.Handle(context.Background(), ad.Message("mo", "where is the minibus"))
		if got := strings.Join(ad.Texts(), "|"); !strings.Contains(got, tc.want) {
			t.Errorf("default %q: replies %q, want %q", tc.def, got, tc.want)
		}
	}
}

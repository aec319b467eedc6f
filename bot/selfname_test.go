package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

func TestStripAddress(t *testing.T) {
	names := []string{"bothy", "Bothy Bot"}
	tests := []struct {
		in, want  string
		addressed bool
	}{
		{"@bothy what is purdah", "what is purdah", true},
		{"@Bothy: what is purdah", "what is purdah", true},
		{"what is purdah @bothy", "what is purdah", true},
		{"what is purdah, @bothy?", "what is purdah?", true},
		{"bothy: help", "help", true},
		{"Bothy, what is purdah?", "what is purdah?", true},
		{"what is purdah, bothy?", "what is purdah?", true},
		{"@Bothy Bot what is purdah", "what is purdah", true},
		// A name used as a word, or someone else's name, stays.
		{"how do I get good answers from bothy", "how do I get good answers from bothy", false},
		{"ask @bothy2 about purdah", "ask @bothy2 about purdah", false},
		{"mail olive@bothy.example", "mail olive@bothy.example", false},
		{"@bothy.example is our domain", "@bothy.example is our domain", false},
		{"bothy is great", "bothy is great", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, addressed := bot.StripAddress(tt.in, names)
			if got != tt.want || addressed != tt.addressed {
				t.Fatalf("StripAddress(%q) = %q, %v; want %q, %v", tt.in, got, addressed, tt.want, tt.addressed)
			}
		})
	}
}

// namedAdapter is a platform that knows one more name for the bot.
type namedAdapter struct{ *bottest.Adapter }

func (namedAdapter) SelfNames() []string { return []string{"Helper"} }

// The bot's own name and mention never reach a command as words of the
// question, on any platform; addressing it by name in a room counts as a
// mention.
func TestOwnNameIsNotPartOfTheQuestion(t *testing.T) {
	tests := []struct {
		name string
		msg  func(ad *bottest.Adapter) bot.Message
		want string
	}{
		{"direct @name", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "@bothy what is purdah") }, "answer:what is purdah"},
		{"direct @name before a command", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "@bothy echo hi") }, "echo:hi"},
		{"room name: question", func(ad *bottest.Adapter) bot.Message {
			return ad.RoomMessage("r1", "mo", "Bothy: what is purdah", false)
		}, "answer:what is purdah"},
		{"room @name question", func(ad *bottest.Adapter) bot.Message {
			return ad.RoomMessage("r1", "mo", "@bothy what is purdah", false)
		}, "answer:what is purdah"},
		{"adapter's own name", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "@helper what is purdah") }, "answer:what is purdah"},
		{"configured name", func(ad *bottest.Adapter) bot.Message { return ad.Message("mo", "@commsbot what is purdah") }, "answer:what is purdah"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bot.New(bot.Options{Names: []string{"bothy", "commsbot"}, DefaultCommand: "ask"})
			ad := bottest.New("test")
			b.AddAdapter(namedAdapter{ad})
			b.Register(&bot.Command{Name: "echo", Run: func(ctx context.Context, req *bot.Request) error { return req.Replyf(ctx, "echo:%s", req.Args) }})
			b.Register(&bot.Command{Name: "ask", Run: func(ctx context.Context, req *bot.Request) error { return req.Replyf(ctx, "answer:%s", req.Args) }})
			b.Handle(context.Background(), tt.msg(ad))
			if got := strings.Join(ad.Texts(), "|"); got != tt.want {
				t.Fatalf("replies %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRefusalNamesOrganisersOnlyWhenConfigured(t *testing.T) {
	organiserCmd := &bot.Command{Name: "secret", Role: bot.RoleOrganiser, Run: func(ctx context.Context, req *bot.Request) error { return nil }}
	t.Run("none configured says how one is made", func(t *testing.T) {
		b := bot.New(bot.Options{})
		ad := bottest.New("test")
		b.AddAdapter(ad)
		b.Register(organiserCmd)
		b.Handle(context.Background(), ad.Message("mo", "secret"))
		got := strings.Join(ad.Texts(), "|")
		if !strings.Contains(got, "none is set up yet") || !strings.Contains(got, "BOTHY_ORGANISERS") || strings.Contains(got, "Please ask") {
			t.Fatalf("refusal %q: want how an organiser is made, not 'please ask'", got)
		}
	})
	t.Run("configured ones are named", func(t *testing.T) {
		b := bot.New(bot.Options{Organisers: []string{"olive"}, DefaultCommand: "ask"})
		ad := bottest.New("test")
		b.AddAdapter(ad)
		b.Register(organiserCmd)
		b.Handle(context.Background(), ad.Message("mo", "secret"))
		if got := strings.Join(ad.Texts(), "|"); !strings.Contains(got, "Please ask an organiser (olive)") {
			t.Fatalf("refusal %q", got)
		}
	})
}

func TestStripAddressKeepsTheQuestionAsTyped(t *testing.T) {
	got, _ := bot.StripAddress("@bothy what about .gov domains , really ?", []string{"bothy"})
	if got != "what about .gov domains , really?" {
		t.Fatalf("got %q", got)
	}
}

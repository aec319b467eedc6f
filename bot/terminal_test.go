package bot_test

import (
	"testing"

	"github.com/bothy-chat/bothy/bot"
)

func TestTerminalText(t *testing.T) {
	got := bot.TerminalText(bot.Reply{Text: "From **Running meetups**: see [the form](https://example.org/f) or https://example.org/g and [https://x.example](https://x.example)."})
	want := "From Running meetups: see the form (https://example.org/f) or https://example.org/g and https://x.example."
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

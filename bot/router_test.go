package bot

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	known := func(n string) bool { return n == "help" || n == "meetup" || n == "ask" }
	tests := []struct {
		name              string
		text              string
		direct, mentioned bool
		want              Route
	}{
		{"bang command in room", "!help meetup", false, false, Route{Command: "help", Args: "meetup", Explicit: true}},
		{"bang unknown in room", "!hlep", false, false, Route{Command: "hlep", Explicit: true}},
		{"bang is case-insensitive", "!HELP", false, false, Route{Command: "help", Explicit: true}},
		{"bang alone is nothing", "!", false, false, Route{}},
		{"room chatter ignored", "what is purdah", false, false, Route{}},
		{"mention with command", "meetup list", false, true, Route{Command: "meetup", Args: "list"}},
		{"mention with question", "what is purdah?", false, true, Route{Args: "what is purdah?", Question: true}},
		{"direct question", "IT have blocked Twitter, what do I do?", true, false, Route{Args: "IT have blocked Twitter, what do I do?", Question: true}},
		{"direct command", "help", true, false, Route{Command: "help"}},
		{"direct bang works too", "!ask purdah", true, false, Route{Command: "ask", Args: "purdah", Explicit: true}},
		{"direct empty", "   ", true, false, Route{}},
		{"surrounding space", "  !help   ", false, false, Route{Command: "help", Explicit: true}},
		{"newline separates args", "!meetup\nlist", false, false, Route{Command: "meetup", Args: "list", Explicit: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.text, tt.direct, tt.mentioned, known)
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"bell\x07 and nul\x00", "bell and nul"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"zero\u200bwidth", "zerowidth"},
		{"مرحبا right-to-left", "مرحبا right-to-left"},
		{"🎉🎉", "🎉🎉"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"!help", "what is purdah", "!meetup add x on 1 June", "", "!", "\xff\xfe", strings.Repeat("a ", 100)} {
		f.Add(s, true, false)
	}
	known := func(n string) bool { return n == "help" }
	f.Fuzz(func(t *testing.T, s string, direct, mentioned bool) {
		r := Parse(Clean(s), direct, mentioned, known)
		if r.Question && r.Command != "" {
			t.Fatalf("question named a command: %q", r.Command)
		}
		if r.Command != "" && strings.ContainsAny(r.Command, " \t\n") {
			t.Fatalf("command name %q contains space", r.Command)
		}
	})
}

// TestNormaliseEmoji: 👍🏽 is 👍, and ✅ with or without the emoji
// selector is ✅, so every feature reading reactions sees one form.
func TestNormaliseEmoji(t *testing.T) {
	for in, want := range map[string]string{"👍🏽": "👍", "👍🏿": "👍", "✅": "✅", "✅\ufe0f": "✅", "❤️": "❤", "🤔": "🤔", " 👎🏻 ": "👎"} {
		if got := NormaliseEmoji(in); got != want {
			t.Errorf("NormaliseEmoji(%q) = %q, want %q", in, got, want)
		}
	}
}

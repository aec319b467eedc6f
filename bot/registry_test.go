package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func noop(context.Context, *Request) error { return nil }

func TestRegistryLookup(t *testing.T) {
	r := NewRegistry()
	r.Register(&Command{Name: "shoutout", Aliases: []string{"kudos", "Thanks"}, Run: noop})
	r.Register(&Command{Name: "meetup", Run: noop})
	tests := []struct {
		name    string
		want    string
		wantErr bool
	}{
		{"shoutout", "shoutout", false},
		{"kudos", "shoutout", false},
		{"THANKS", "shoutout", false},
		{"Meetup", "meetup", false},
		{"meetups", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := r.Lookup(tt.name)
			if tt.wantErr {
				if !errors.Is(err, ErrUnknownCommand) {
					t.Fatalf("Lookup(%q) error = %v, want ErrUnknownCommand", tt.name, err)
				}
				return
			}
			if err != nil || c.Name != tt.want {
				t.Fatalf("Lookup(%q) = %v, %v; want %s", tt.name, c, err, tt.want)
			}
		})
	}
}

func TestRegistryDuplicatePanics(t *testing.T) {
	tests := []struct {
		name   string
		second *Command
	}{
		{"same name", &Command{Name: "ask", Run: noop}},
		{"alias clashes with name", &Command{Name: "question", Aliases: []string{"ASK"}, Run: noop}},
		{"no handler", &Command{Name: "empty"}},
		{"no name", &Command{Run: noop}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			r.Register(&Command{Name: "ask", Run: noop})
			defer func() {
				if recover() == nil {
					t.Fatal("Register did not panic")
				}
			}()
			r.Register(tt.second)
		})
	}
}

func TestRegistrySuggest(t *testing.T) {
	r := NewRegistry()
	for _, n := range []string{"help", "meetup", "shoutout", "ask"} {
		r.Register(&Command{Name: n, Run: noop})
	}
	tests := []struct {
		typo string
		want string
	}{
		{"hlep", "help"},
		{"meetpu", "meetup"},
		{"shout", "shoutout"},
		{"aks", "ask"},
	}
	for _, tt := range tests {
		t.Run(tt.typo, func(t *testing.T) {
			got := r.Suggest(tt.typo)
			if len(got) == 0 || got[0] != tt.want {
				t.Fatalf("Suggest(%q) = %v, want %s first", tt.typo, got, tt.want)
			}
		})
	}
	if got := r.Suggest("zzzzzzzz"); len(got) != 0 {
		t.Fatalf("Suggest(zzzzzzzz) = %v, want none", got)
	}
}

func TestHelpText(t *testing.T) {
	r := NewRegistry()
	r.Register(&Command{Name: "meetup", Usage: "SUBCOMMAND", Summary: "meetups", Subcommands: []*Command{
		{Name: "add", Usage: "TITLE on WHEN", Summary: "create a meetup", Help: "Dates in natural language.", Role: RoleOrganiser, Run: noop},
		{Name: "list", Summary: "upcoming meetups", Run: noop},
	}})
	r.Register(&Command{Name: "ask", Usage: "QUESTION", Summary: "ask the knowledge base", Run: noop, Aliases: []string{"q"}})
	all, err := r.HelpText("", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ask QUESTION — ask the knowledge base", "meetup SUBCOMMAND — meetups"} {
		if !strings.Contains(all, want) {
			t.Errorf("help list lacks %q:\n%s", want, all)
		}
	}
	one, err := r.HelpText("meetup add", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"meetup add TITLE on WHEN", "Dates in natural language.", "organisers only"} {
		if !strings.Contains(one, want) {
			t.Errorf("help meetup add lacks %q:\n%s", want, one)
		}
	}
	alias, _ := r.HelpText("!q", false)
	if !strings.Contains(alias, "ask QUESTION") || !strings.Contains(alias, "Also: q") {
		t.Errorf("help via alias: %s", alias)
	}
	if _, err := r.HelpText("nosuch", false); !errors.Is(err, ErrUnknownCommand) {
		t.Errorf("help nosuch: err = %v", err)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"list", "list", 0},
		{"lsit", "list", 1}, // neighbours swapped: one slip
		{"lsit", "edit", 2},
		{"meetp", "meetup", 1},
		{"ecko", "echo", 1},
		{"abc", "ca", 3}, // optimal string alignment: no edits inside a swap
		{"", "who", 3},
		{"café", "caéf", 1},
		{"facbeook", "facebook", 1},
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := EditDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

// A swapped pair of letters is the nearest slip: `meetup lsit` suggests
// list, not edit (which Levenshtein put level with it and first by name).
func TestSuggestPrefersTransposition(t *testing.T) {
	meetup := &Command{Name: "meetup"}
	for _, n := range []string{"add", "list", "show", "edit", "cancel", "rsvp", "who"} {
		meetup.Subcommands = append(meetup.Subcommands, &Command{Name: n, Run: func(context.Context, *Request) error { return nil }})
	}
	if got := meetup.suggestSub("lsit"); len(got) == 0 || got[0] != "list" {
		t.Errorf("suggestions for lsit = %v, want list first", got)
	}
}

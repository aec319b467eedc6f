package console

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/internal/testenv"
)

var feedback = []bot.Button{
	{ActionID: "kb.helpful", Label: "Helpful", Value: "7", Style: "primary"},
	{ActionID: "kb.unhelpful", Label: "Not helpful", Value: "7"},
}

// A line typed right after a reply with buttons that names one of them
// presses it; any other line, or the same word later, is a message.
func TestTypedButtonWordsArePresses(t *testing.T) {
	tests := []struct {
		typed, action string
	}{
		{"helpful", "kb.helpful"},
		{"Helpful!", "kb.helpful"},
		{"not helpful", "kb.unhelpful"},
		{"👍", "kb.helpful"},
		{"👍🏽", "kb.helpful"},
		{":+1:", "kb.helpful"},
		{"👎", "kb.unhelpful"},
		{"what is purdah", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			a := New(Options{Out: &testenv.Buffer{}, User: "mo"})
			if _, err := a.Send(context.Background(), bot.Target{RoomID: Name}, bot.Reply{Text: "An answer", Buttons: feedback}); err != nil {
				t.Fatal(err)
			}
			act, ok := a.press(tt.typed)
			if tt.action == "" {
				if ok {
					t.Fatalf("%q pressed %s", tt.typed, act.ActionID)
				}
				return
			}
			if !ok || act.ActionID != tt.action || act.Value != "7" || act.UserID != "mo" || act.MessageID == "" {
				t.Fatalf("%q: press %+v %v, want %s", tt.typed, act, ok, tt.action)
			}
			if _, again := a.press(tt.typed); again {
				t.Fatalf("%q pressed a second time: only the line right after the reply counts", tt.typed)
			}
		})
	}
}

// Through Run with a bot: "helpful" after an answer reaches the button's
// handler, in order, and is not handed to the question command.
func TestFeedbackAfterAnswerOnTheConsole(t *testing.T) {
	out := &testenv.Buffer{}
	a := New(Options{In: strings.NewReader("what is purdah\nhelpful\nhelpful\n"), Out: out, User: "mo"})
	b := bot.New(bot.Options{DefaultCommand: "ask"})
	b.AddAdapter(a)
	var mu sync.Mutex
	var questions, presses []string
	b.Register(&bot.Command{Name: "ask", Run: func(ctx context.Context, req *bot.Request) error {
		mu.Lock()
		questions = append(questions, req.Args)
		mu.Unlock()
		return req.Reply(ctx, bot.Reply{Text: "Purdah is the pre-election period.", Buttons: feedback})
	}})
	b.HandleAction("kb.helpful", func(ctx context.Context, act bot.Action, ad bot.Adapter) error {
		mu.Lock()
		presses = append(presses, act.Value)
		mu.Unlock()
		_, err := ad.Send(ctx, bot.Target{RoomID: act.RoomID}, bot.Reply{Text: "Thanks, glad it helped."})
		return err
	})
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The second "helpful" follows a reply without buttons: a question.
	if strings.Join(questions, "|") != "what is purdah|helpful" || strings.Join(presses, "|") != "7" {
		t.Fatalf("questions %q, presses %q", questions, presses)
	}
	got := out.String()
	if !strings.Contains(got, "(type helpful or not helpful, or 👍 / 👎)") {
		t.Errorf("the answer does not say what to type:\n%s", got)
	}
	if i, j := strings.Index(got, "Purdah is"), strings.Index(got, "Thanks, glad"); i < 0 || j < i {
		t.Errorf("replies out of order:\n%s", got)
	}
}

// Output that arrives while the prompt is on screen clears the prompt line
// first and has the editor draw it again after; replies to a line just
// typed (no prompt on screen) are printed as they are.
func TestAsyncOutputRedrawsThePrompt(t *testing.T) {
	out := &testenv.Buffer{}
	a := New(Options{Out: out, User: "mo", Interactive: true})
	redraws := 0
	a.redraw = func() { redraws++ }
	if _, err := a.Send(context.Background(), bot.Target{RoomID: Name}, bot.Reply{Text: "a reply"}); err != nil {
		t.Fatal(err)
	}
	if redraws != 0 || strings.Contains(out.String(), "\x1b[K") {
		t.Fatalf("a reply with no prompt on screen redrew it: %q", out.String())
	}
	a.prompting.Store(true)
	if _, err := a.Send(context.Background(), bot.Target{RoomID: Name}, bot.Reply{Text: "Reminder: social tomorrow"}); err != nil {
		t.Fatal(err)
	}
	if redraws != 1 || !strings.Contains(out.String(), "\r\x1b[Kbothy> Reminder: social tomorrow\n") {
		t.Fatalf("reminder over the prompt: %d redraws, output %q", redraws, out.String())
	}
	logs := &testenv.Buffer{}
	if _, err := a.LogWriter(logs).Write([]byte("level=WARN msg=x\n")); err != nil {
		t.Fatal(err)
	}
	if redraws != 2 || logs.String() != "level=WARN msg=x\n" {
		t.Fatalf("log line over the prompt: %d redraws, %q", redraws, logs.String())
	}
}

// Console names are typed, so names differing only in case are one person:
// one ID, in lower case, with the name kept as typed for display.
func TestNamesDifferingInCaseAreOnePerson(t *testing.T) {
	a := New(Options{Out: &testenv.Buffer{}, User: "Bob", Organisers: []string{"U123", "HAL"}})
	tests := []struct {
		mention, id, name string
	}{
		{"@Bob", "bob", "Bob"},
		{"BOB", "bob", "BOB"},
		{"@bob", "bob", "bob"},
		{" @Carol ", "carol", "Carol"},
	}
	for _, tt := range tests {
		t.Run(tt.mention, func(t *testing.T) {
			u, err := a.ResolveUser(context.Background(), tt.mention)
			if err != nil || u.ID != tt.id || u.Name != tt.name {
				t.Errorf("ResolveUser(%q) = %+v, %v; want ID %q name %q", tt.mention, u, err, tt.id, tt.name)
			}
		})
	}
	t.Run("sender", func(t *testing.T) {
		events := make(chan bot.Event, 1)
		a := New(Options{In: strings.NewReader("hello\n"), Out: &testenv.Buffer{}, User: "Bob"})
		go a.Run(t.Context(), events)
		msg, ok := (<-events).(bot.Message)
		if !ok || msg.UserID != "bob" || msg.UserName != "Bob" {
			t.Fatalf("message %+v, want from ID bob named Bob", msg)
		}
		if msg.Done != nil {
			msg.Done()
		}
	})
	t.Run("organisers", func(t *testing.T) {
		for id, want := range map[string]bool{"hal": true, "bob": false, "u123": true, "HAL": false} {
			if got := a.IsOrganiser(context.Background(), id, Name); got != want {
				t.Errorf("IsOrganiser(%q) = %v, want %v", id, got, want)
			}
		}
	})
}

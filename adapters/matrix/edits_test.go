package matrix

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// TestEditedQuestionEditsTheAnswer: while an edited question is handled,
// the reply to it edits the bot's earlier answer (one reply per question,
// issue 16.3).
func TestEditedQuestionEditsTheAnswer(t *testing.T) {
	hs := &fakeHS{respond: func(*http.Request, int) (int, string) { return 200, `{"event_id":"$answer"}` }}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a := readyAdapter(t, srv, Options{})
	ctx := context.Background()
	to := bot.Target{RoomID: "!r:example.org", ReplyTo: "$q"}
	if _, err := a.Send(ctx, to, bot.Reply{Text: "first answer"}); err != nil {
		t.Fatal(err)
	}
	a.beginEdit("$q")
	ref, err := a.Send(ctx, to, bot.Reply{Text: "answer to the edited question"})
	a.endEdit("$q")
	if err != nil {
		t.Fatal(err)
	}
	if ref.ID != "$answer" {
		t.Errorf("ref = %+v, want the earlier answer", ref)
	}
	sends := hs.requests("/send/m.room.message/")
	if len(sends) != 2 {
		t.Fatalf("%d sends, want the answer and one edit", len(sends))
	}
	var edit struct {
		NewContent struct {
			Body string `json:"body"`
		} `json:"m.new_content"`
		RelatesTo struct {
			Type    string `json:"rel_type"`
			EventID string `json:"event_id"`
		} `json:"m.relates_to"`
	}
	if err := json.Unmarshal([]byte(sends[1].Body), &edit); err != nil {
		t.Fatal(err)
	}
	if edit.RelatesTo.Type != "m.replace" || edit.RelatesTo.EventID != "$answer" || edit.NewContent.Body != "answer to the edited question" {
		t.Errorf("second send is not an edit of the answer: %s", sends[1].Body)
	}
}

// TestRedactedQuestionRedactsTheAnswer: by default the answer goes with
// its question; matrix.redact_answers: false (KeepAnswers) keeps it.
func TestRedactedQuestionRedactsTheAnswer(t *testing.T) {
	for _, keep := range []bool{false, true} {
		hs := &fakeHS{respond: func(*http.Request, int) (int, string) { return 200, `{"event_id":"$answer"}` }}
		srv := httptest.NewServer(hs)
		a := readyAdapter(t, srv, Options{KeepAnswers: keep})
		ctx, cancel := context.WithCancel(context.Background())
		a.runCtx = ctx
		if _, err := a.Send(ctx, bot.Target{RoomID: "!r:example.org", ReplyTo: "$q"}, bot.Reply{Text: "the answer"}); err != nil {
			t.Fatal(err)
		}
		a.redactAnswer(id.EventID("$q"))
		if !keep {
			testenv.Eventually(t, 5*time.Second, "the answer's redaction", func() bool { return len(hs.requests("/redact/")) > 0 })
		}
		// With KeepAnswers, redactAnswer returns before starting anything.
		got := hs.requests("/redact/")
		if want := map[bool]int{false: 1, true: 0}[keep]; len(got) != want {
			t.Errorf("KeepAnswers=%v: %d redactions, want %d", keep, len(got), want)
		}
		if !keep && len(got) == 1 && !strings.Contains(got[0].Path, "$answer") {
			t.Errorf("redacted %s, want the answer", got[0].Path)
		}
		cancel()
		srv.Close()
	}
}

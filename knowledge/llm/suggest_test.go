package llm

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/knowledge/llm/llmtest"
)

func TestSuggestionsAreCleaned(t *testing.T) {
	long := strings.Repeat("word ", 50)
	tests := []struct {
		name, raw string
		n         int
		want      []string
	}{
		{"numbered and bulleted", "1. first one\n2) second one\n- third one\n* fourth one", 4, []string{"first one", "second one", "third one", "fourth one"}},
		{"quotes and blank lines", "\n\"quoted one\"\n\n“curly one”\n`code one`\n", 3, []string{"quoted one", "curly one", "code one"}},
		{"an introduction line and duplicates dropped", "Here are three questions:\nsame one\nSame one\nother one", 3, []string{"same one", "other one"}},
		{"reasoning left out", "<think>they want chat questions</think>\nasked after thinking", 3, []string{"asked after thinking"}},
		{"an unfinished reasoning block ends the reply", "kept\n<think>never closed", 3, []string{"kept"}},
		{"an overlong line is not a question", long + "\nshort one", 3, []string{"short one"}},
		{"at most n", "a one\nb one\nc one", 2, []string{"a one", "b one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suggestions(tt.raw, tt.n); !slices.Equal(got, tt.want) {
				t.Errorf("suggestions = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSuggestQuestionsCountsAndFails(t *testing.T) {
	c, srv, _ := newClient(t, 5*time.Second)
	srv.SetReply(func(r llmtest.ChatRequest) (string, error) {
		if !strings.Contains(r.LastUser(), "Section heading: Who signs off?") || !strings.Contains(r.LastUser(), "Write 2 questions") {
			t.Errorf("prompt lacks the heading or the count:\n%s", r.LastUser())
		}
		return "who approves a post out of hours\nwho says yes to a statement", nil
	})
	before := counter("suggest", "ok")
	qs, err := c.SuggestQuestions(context.Background(), "Sign-off", "Who signs off?", "The duty manager signs off.", 2)
	if err != nil || len(qs) != 2 || counter("suggest", "ok") != before+1 {
		t.Fatalf("qs %q, err %v, ok counter %v -> %v", qs, err, before, counter("suggest", "ok"))
	}
	srv.SetReply(func(llmtest.ChatRequest) (string, error) { return "Questions:\n\n", nil })
	if _, err := c.SuggestQuestions(context.Background(), "T", "", "text", 3); !errors.Is(err, ErrEmptyAnswer) {
		t.Errorf("a reply with no question: %v, want ErrEmptyAnswer", err)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/llm/llmtest"
)

type askResult struct {
	Answer    string `json:"answer"`
	Confident bool   `json:"confident"`
	Declined  bool   `json:"declined"`
	Sources   []struct {
		ID    string  `json:"id"`
		Title string  `json:"title"`
		Kind  string  `json:"kind"`
		Score float64 `json:"score"`
	} `json:"sources"`
}

// TestAskWithLLM runs `bothy ask --json` against a local server speaking the
// OpenAI API: a grounded answer with citations when it works, invented
// citations removed, and the extractive answer when it fails.
func TestAskWithLLM(t *testing.T) {
	srv := llmtest.New(t)
	srv.RequireKey("sk-test-secret")
	dir := t.TempDir()
	env := []string{"BOTHY_LLM_BASE_URL=" + srv.URL, "BOTHY_LLM_MODEL=local-model", "BOTHY_LLM_API_KEY=sk-test-secret", "BOTHY_LLM_TIMEOUT=5s"}
	const question = "IT have blocked Twitter, what do I do?"
	ask := func(t *testing.T, extraEnv ...string) askResult {
		t.Helper()
		out, errOut, code := runBothy(t, dir, "", append(env[:len(env):len(env)], extraEnv...), "ask", "--json", "--db", "llm.db", question)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if strings.Contains(errOut, "sk-test-secret") {
			t.Fatalf("the API key was printed: %s", errOut)
		}
		var r askResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return r
	}

	t.Run("grounded answer keeps valid citations and drops invented ones", func(t *testing.T) {
		srv.SetReply(func(r llmtest.ChatRequest) (string, error) {
			if !strings.Contains(r.LastUser(), question) || !strings.Contains(r.LastUser(), "[1]") {
				t.Errorf("prompt lacks the question or numbered sources:\n%s", r.LastUser())
			}
			return "Ask your ICT team for an exception for the comms team [1]. Keep a record of the request [9].", nil
		})
		r := ask(t)
		if !r.Confident || !strings.Contains(r.Answer, "exception for the comms team [1]") || strings.Contains(r.Answer, "[9]") {
			t.Fatalf("answer = %+v", r)
		}
		if len(r.Sources) == 0 || r.Sources[0].ID != "it-blocked-social-media" {
			t.Fatalf("sources = %+v", r.Sources)
		}
	})

	t.Run("the model finding no answer in the passages makes Bothy abstain", func(t *testing.T) {
		srv.SetReply(func(r llmtest.ChatRequest) (string, error) {
			if !strings.Contains(r.System(), "reply with exactly NOT_COVERED") {
				t.Errorf("system prompt does not say how to decline:\n%s", r.System())
			}
			return "NOT_COVERED\n\nThe sources cover blocked sites, not what was asked.", nil
		})
		r := ask(t)
		if r.Confident || !r.Declined || !strings.Contains(r.Answer, "won't guess") || strings.Contains(r.Answer, "NOT_COVERED") {
			t.Fatalf("answer = %+v", r)
		}
	})

	t.Run("llm.min_confidence lets the model answer a question retrieval doubts", func(t *testing.T) {
		calls := len(srv.ChatRequests())
		srv.SetReply(func(r llmtest.ChatRequest) (string, error) { return "Ask your ICT team for an exception [1].", nil })
		doubt := []string{"BOTHY_KNOWLEDGE_MIN_CONFIDENCE=0.999"}
		if r := ask(t, doubt...); r.Confident || len(srv.ChatRequests()) != calls {
			t.Fatalf("without llm.min_confidence: answer = %+v, model calls %d -> %d", r, calls, len(srv.ChatRequests()))
		}
		r := ask(t, append(doubt, "BOTHY_LLM_MIN_CONFIDENCE=0.01")...)
		if !r.Confident || r.Answer != "Ask your ICT team for an exception [1]." || len(srv.ChatRequests()) != calls+1 {
			t.Fatalf("with llm.min_confidence: answer = %+v, model calls %d -> %d", r, calls, len(srv.ChatRequests()))
		}
	})

	t.Run("endpoint error falls back to the extractive answer", func(t *testing.T) {
		srv.SetReply(nil)
		srv.FailNext(5, 500, "model crashed")
		r := ask(t)
		if !r.Confident || r.Answer == "" || strings.Contains(r.Answer, "model crashed") {
			t.Fatalf("fallback answer = %+v", r)
		}
		if len(r.Sources) == 0 || r.Sources[0].ID != "it-blocked-social-media" {
			t.Fatalf("fallback sources = %+v", r.Sources)
		}
	})
}

// TestEvalWithLLM: with a model configured, kb eval measures Bothy as its
// members meet it, the model's refusals included, so an admin can try
// llm.min_confidence on their own questions before turning it on.
func TestEvalWithLLM(t *testing.T) {
	srv := llmtest.New(t)
	dir := t.TempDir()
	questions := strings.Join([]string{
		`{"q": "how do i convince our it department to unblock twitter", "expect": ["it-blocked-social-media"]}`,
		`{"q": "ict just put in a new web filter and now i cant get on facebook at work", "expect": ["it-blocked-social-media"]}`,
		`{"q": "what is the best recipe for tablet", "expect": []}`,
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "q.jsonl"), []byte(questions), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"BOTHY_LLM_BASE_URL=" + srv.URL, "BOTHY_LLM_MODEL=local-model", "BOTHY_LLM_TIMEOUT=5s", "BOTHY_LLM_MIN_CONFIDENCE=0.01"}
	answered := func(t *testing.T) string {
		t.Helper()
		out, errOut, code := runBothy(t, dir, "", env, "kb", "eval", "--db", "eval.db", "q.jsonl")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 3 && strings.HasPrefix(line, "in-scope answered") {
				return f[2]
			}
		}
		t.Fatalf("no answered row in:\n%s", out)
		return ""
	}
	srv.SetReply(func(llmtest.ChatRequest) (string, error) { return "NOT_COVERED", nil })
	if got := answered(t); got != "0.000" {
		t.Errorf("a model that declines everything: in-scope answered %s, want 0.000", got)
	}
	srv.SetReply(func(llmtest.ChatRequest) (string, error) { return "Ask ICT for an exception [1].", nil })
	if got := answered(t); got != "1.000" {
		t.Errorf("a model that answers everything: in-scope answered %s, want 1.000", got)
	}
	if n := len(srv.ChatRequests()); n < 4 {
		t.Errorf("the model was asked %d times over two evals of two in-scope questions", n)
	}
}

// TestSuggestQuestions: kb suggest-questions asks the model about every
// section of a document and prints a questions: block that the document's
// front matter takes as it is, each section getting its drafts.
func TestSuggestQuestions(t *testing.T) {
	srv := llmtest.New(t)
	dir := t.TempDir()
	env := []string{"BOTHY_LLM_BASE_URL=" + srv.URL, "BOTHY_LLM_MODEL=local-model", "BOTHY_LLM_TIMEOUT=5s"}
	srv.SetReply(func(r llmtest.ChatRequest) (string, error) {
		heading := "opening"
		for _, l := range strings.Split(r.LastUser(), "\n") {
			if h, ok := strings.CutPrefix(l, "Section heading: "); ok {
				heading = h
			}
		}
		if heading == "What if the block is permanent policy?" {
			return "", &llmtest.Error{Status: 500, Message: "model crashed"}
		}
		return "Here are some questions:\n1. what about " + heading + "\n2) \"the firewall people did it again: " + heading + "\"\n- what about " + heading + "\n* how do i cope with " + heading + "\n", nil
	})
	out, errOut, code := runBothy(t, dir, "", env, "kb", "suggest-questions", "--db", "s.db", "--per", "3", "it-blocked-social-media")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "section 1 of ") || !strings.Contains(errOut, "skipped: ") {
		t.Errorf("no progress, or the failed section not reported:\n%s", errOut)
	}
	starter, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "starter", "it-blocked-social-media.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The document with its own questions: replaced by the drafts.
	text := string(starter)
	start := strings.Index(text, "questions:")
	end := strings.Index(text, "\n---\n")
	doc, err := knowledge.Parse("it.md", []byte(text[:start]+out+text[end+1:]))
	if err != nil {
		t.Fatalf("the drafts do not parse as front matter: %v\n%s", err, out)
	}
	for _, c := range doc.Chunks {
		name := doc.Title
		if len(c.Headings) > 0 {
			name = c.Headings[len(c.Headings)-1]
		}
		want, sent := 3, name
		if name == "What if the block is permanent policy?" {
			want = 0
		}
		if len(c.Headings) == 0 {
			sent = "opening" // the lead is sent without a heading
		}
		if len(c.Questions) != want || want > 0 && c.Questions[1] != "the firewall people did it again: "+sent {
			t.Errorf("section %q got %q, want %d drafts, cleaned of numbers and quotes", name, c.Questions, want)
		}
	}

	_, errOut, code = runBothy(t, dir, "", nil, "kb", "suggest-questions", "--db", "s.db", "it-blocked-social-media")
	if code != 2 || !strings.Contains(errOut, "llm.model") {
		t.Errorf("without a model: exit %d, %s", code, errOut)
	}
	_, errOut, code = runBothy(t, dir, "", env, "kb", "suggest-questions", "--db", "s.db", "no-such-doc")
	if code != 2 || !strings.Contains(errOut, `"no-such-doc"`) {
		t.Errorf("an unknown document: exit %d, %s", code, errOut)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) (string, bool) {
		if k == "HOME" {
			return os.Getenv("HOME"), true
		}
		return "", false
	}}
	code = execute(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestKBIngestAskAndEval(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	kb := filepath.Join(dir, "kb")
	files := map[string]string{
		"purdah.md": "---\nid: pre-election\ntitle: Social media in the pre-election period\nkind: policy\ntags: [purdah, elections]\n---\n" +
			"Do not share or retweet posts by councillors or candidates during purdah.\n",
		"grit.md":   "---\ntitle: Gritting updates\nkind: guidance\n---\nPost gritting routes when snow is forecast.\n",
		"broken.md": "---\ntitle: [oops\n---\ntext\n",
	}
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, body := range files {
		if err := os.WriteFile(filepath.Join(kb, n), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := run(t, "kb", "ingest", "--db", db, kb)
	if code != 1 || !strings.Contains(out, "added 2, updated 0, removed 0, unchanged 0") || !strings.Contains(errOut, filepath.Join(kb, "broken.md")+":2:") {
		t.Fatalf("ingest exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	os.Remove(filepath.Join(kb, "broken.md"))
	if code, out, _ := run(t, "kb", "ingest", "--db", db, kb); code != 0 || !strings.Contains(out, "unchanged 2") {
		t.Fatalf("second ingest exit %d: %s", code, out)
	}

	code, out, errOut = run(t, "ask", "--db", db, "--json", "can we retweet a councillor in purdah?")
	if code != 0 {
		t.Fatalf("ask exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got) != 5 || got["confident"] != true || got["answer"] == "" || got["confidence"].(float64) < 0.45 {
		t.Fatalf("ask json = %s", out)
	}
	// Passages: the sections a model would be given, the first quoted.
	ps, _ := got["passages"].([]any)
	if len(ps) == 0 {
		t.Fatalf("no passages: %s", out)
	}
	p0 := ps[0].(map[string]any)
	if len(p0) != 4 || p0["id"] != "pre-election" || p0["section"] != "Social media in the pre-election period" ||
		!strings.Contains(got["answer"].(string), p0["text"].(string)) {
		t.Fatalf("first passage = %v", p0)
	}
	if _, ok := p0["score"].(float64); !ok {
		t.Fatalf("passage score is not a number: %v", p0)
	}
	srcs := got["sources"].([]any)
	first := srcs[0].(map[string]any)
	if len(first) != 4 || first["id"] != "pre-election" || first["kind"] != "policy" || first["title"] != "Social media in the pre-election period" {
		t.Fatalf("first source = %v", first)
	}
	if _, ok := first["score"].(float64); !ok {
		t.Fatalf("score is not a number: %v", first)
	}

	code, out, _ = run(t, "ask", "--db", db, "--json", "how do I renew my passport")
	if code != 0 || !strings.Contains(out, `"confident":false`) || !strings.Contains(out, `"sources":[]`) {
		t.Fatalf("abstain json (exit %d) = %s", code, out)
	}
	// Abstaining still reports the ranking, so scripts can score it as
	// bothy kb eval does; the answer text offers only close documents.
	code, out, _ = run(t, "ask", "--db", db, "--json", "what is the snow budget for the christmas lights festival")
	if code != 0 || !strings.Contains(out, `"confident":false`) || !strings.Contains(out, `"sources":[{"id":"grit"`) || strings.Contains(out, "nearest documents") {
		t.Fatalf("abstain with a weak match (exit %d) = %s", code, out)
	}
	// The id defaults to the path without extension.
	if _, out, _ := run(t, "ask", "--db", db, "--json", "gritting routes snow"); !strings.Contains(out, `"id":"grit"`) {
		t.Fatalf("default id: %s", out)
	}

	qs := filepath.Join(dir, "q.jsonl")
	os.WriteFile(qs, []byte(`{"q": "retweet councillors during purdah", "expect": ["pre-election"]}
{"q": "recipe for shortbread", "expect": []}
`), 0o644)
	code, out, errOut = run(t, "kb", "eval", "--db", db, qs)
	if code != 0 || !strings.Contains(out, "recall@1") || !strings.Contains(out, "baseline") || !strings.Contains(out, "out-of-scope abstain") || !strings.Contains(out, "ms per question, p99") {
		t.Fatalf("eval exit %d: %s %s", code, out, errOut)
	}
	if code, _, _ := run(t, "ask", "--db", db); code != 2 {
		t.Fatalf("ask without a question: exit %d, want 2", code)
	}
	if code, _, _ := run(t, "kb", "ingest", "--db", db); code != 2 {
		t.Fatalf("ingest without folders: exit %d, want 2", code)
	}
}

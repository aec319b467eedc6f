package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shoutout promote writes a draft that nothing is answered from, however
// well it matches, until an organiser fills it in and says kb publish.
func TestPromotedDraftIsNotAnsweredUntilPublished(t *testing.T) {
	dir := t.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	guide := "---\ntitle: Gritting\n---\n# Gritting\n\nGritting routes are posted each evening.\n"
	if err := os.WriteFile(filepath.Join(kb, "gritting.md"), []byte(guide), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"BOTHY_KNOWLEDGE_DIRS=" + kb}
	const question = "how did the snow day school closures thread reach parents"
	script := strings.Join([]string{
		"shoutout @carol for the snow day school closures thread that reached parents by 7am #crisis-comms",
		"shoutout promote 1",
		question,
		"kb publish",
		"kb publish case-study-shoutout-1",
	}, "\n") + "\n"
	out, errOut, code := runBothy(t, dir, script, env, "--organiser")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
	draft := filepath.Join(kb, "case-study-shoutout-1.md")
	if !strings.Contains(out, "Draft case study written to "+draft) || !strings.Contains(out, "not answered from yet") {
		t.Fatalf("promote did not write the draft:\n%s", out)
	}
	if strings.Contains(out, "From Case study:") || strings.Contains(out, "case-study-shoutout-1, updated") {
		t.Fatalf("the draft was answered from before it was published:\n%s", out)
	}
	if !strings.Contains(out, "Drafts (not answered from until published):\ncase-study-shoutout-1") {
		t.Errorf("kb publish does not list the draft:\n%s", out)
	}
	if !strings.Contains(out, "case-study-shoutout-1 is not ready") {
		t.Fatalf("a draft with placeholders was published:\n%s", out)
	}

	// The organiser fills in the sections and removes the note.
	data, err := os.ReadFile(draft)
	if err != nil {
		t.Fatal(err)
	}
	filled := regexp.MustCompile(`(?m)^> \*\*Draft.*\n\n`).ReplaceAllString(string(data), "")
	filled = strings.Replace(filled, "- (what did they do, and what made it work?)", "- One post at 6.30am, pinned, with the list of closed schools.", 1)
	filled = strings.Replace(filled, "- (steps, templates or contacts a colleague could reuse)", "- Agree the list with education by 6am.", 1)
	if err := os.WriteFile(draft, []byte(filled), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runBothy(t, dir, question+"\nkb publish case-study-shoutout-1\n"+question+"\n", env, "--organiser")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
	before, after, ok := strings.Cut(out, "Published case-study-shoutout-1")
	if !ok {
		t.Fatalf("kb publish did not publish the filled-in draft:\n%s", out)
	}
	if strings.Contains(before, "case-study-shoutout-1") {
		t.Errorf("answered from the draft before kb publish:\n%s", before)
	}
	if !strings.Contains(after, "case-study-shoutout-1") {
		t.Errorf("not answered from the published case study:\n%s", after)
	}
	if got, _ := os.ReadFile(draft); strings.Contains(string(got), "draft: true") {
		t.Errorf("draft: true is still in the published file:\n%s", got)
	}
}

// With only the built-in starter, kb answer and shoutout promote explain
// how to set up a knowledge folder rather than failing.
func TestWritingWithOnlyTheStarterExplainsTheFolder(t *testing.T) {
	script := "what is the best biscuit for a meetup\nkb answer 1 Shortbread.\nshoutout @carol for the snow day school closures thread\nshoutout promote 1\n"
	out, errOut, code := runBothy(t, t.TempDir(), script, nil, "--organiser")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
	if n := strings.Count(out, "bothy kb export-starter knowledge"); n != 2 {
		t.Fatalf("%d of kb answer and promote said how to set up a folder, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "something went wrong") {
		t.Fatalf("a command failed:\n%s", out)
	}
}

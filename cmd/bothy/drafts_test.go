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
	kb := grittingKB(t, dir)
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

// Setting knowledge.dirs replaces the starter documents: the log says so
// and how to keep them, and bothy kb export-starter copies them into the
// folder, after which they are answered from again (and the note stops).
func TestKnowledgeDirsAndTheStarter(t *testing.T) {
	dir := t.TempDir()
	kb := grittingKB(t, dir)
	env := []string{"BOTHY_KNOWLEDGE_DIRS=" + kb}
	out, errOut, code := runBothy(t, dir, "what is purdah\n", env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "the built-in starter documents are not used; bothy kb export-starter DIR copies them") {
		t.Errorf("the log does not say the starter is not used:\n%s", errOut)
	}
	if strings.Contains(out, "Pre-election periods") {
		t.Fatalf("answered from the starter with knowledge.dirs set:\n%s", out)
	}

	// A file of the same name the organiser already has is kept.
	mine := filepath.Join(kb, "pre-election-period.md")
	const own = "---\ntitle: Our purdah rules\n---\n# Our purdah rules\n\nPurdah starts six weeks before polling day here.\n"
	if err := os.WriteFile(mine, []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runBothy(t, dir, "", nil, "kb", "export-starter", kb)
	if code != 0 || !strings.Contains(out, "Copied 26 starter documents into "+kb+" (1 already there, left as they were)") {
		t.Fatalf("export-starter: exit %d %q %q", code, out, errOut)
	}
	if got, _ := os.ReadFile(mine); string(got) != own {
		t.Fatalf("export-starter replaced the organiser's file:\n%s", got)
	}
	out, errOut, code = runBothy(t, dir, "how do we hand over an account when staff leave\n", env)
	if code != 0 || !strings.Contains(out, "account-handover-staff-leaving") {
		t.Fatalf("not answered from the exported starter: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(errOut, "starter documents are not used") {
		t.Errorf("the note is logged though the folder holds the starter documents:\n%s", errOut)
	}
}

// grittingKB makes a knowledge folder, dir/kb, holding one short guide.
func grittingKB(t *testing.T, dir string) string {
	t.Helper()
	kb := filepath.Join(dir, "kb")
	if err := os.MkdirAll(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	guide := "---\ntitle: Gritting\n---\n# Gritting\n\nGritting routes are posted each evening.\n"
	if err := os.WriteFile(filepath.Join(kb, "gritting.md"), []byte(guide), 0o644); err != nil {
		t.Fatal(err)
	}
	return kb
}

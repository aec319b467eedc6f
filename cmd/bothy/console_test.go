package main

import (
	"strings"
	"testing"
)

// On the console, "@bothy what is purdah" is the question "what is
// purdah": the bot's own mention is not a question word, so the answer
// comes from the purdah policy and not from the page about Bothy.
func TestConsoleMentionIsNotAQuestionWord(t *testing.T) {
	out, errOut, code := runBothy(t, t.TempDir(), "@bothy what is purdah\n", nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Pre-election periods (purdah)") || strings.Contains(out, "Getting good answers from Bothy") {
		t.Fatalf("answered from the wrong document:\n%s", out)
	}
}

// Feedback words typed after an answer, as the answer invites, are
// feedback: thanked, and never recorded as unanswered questions.
func TestConsoleFeedbackWordsAfterAnswerAreFeedback(t *testing.T) {
	in := "what is purdah\nhelpful\nwhat is purdah\nnot helpful\nwhat is purdah\n👍\nkb gaps\n"
	out, errOut, code := runBothy(t, t.TempDir(), in, nil, "--organiser")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "(type helpful or not helpful, or 👍 / 👎)") {
		t.Errorf("the answer does not say what to type:\n%s", out)
	}
	if n := strings.Count(out, "Thanks, glad it helped."); n != 2 {
		t.Errorf("%d thanks for helpful/👍, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "Thanks for saying.") {
		t.Errorf("no thanks for not helpful:\n%s", out)
	}
	if !strings.Contains(out, "No unanswered questions.") {
		t.Fatalf("feedback words were recorded as questions:\n%s", out)
	}
}

// "meetup add … on tomorrow at 7" (and "tomorrow 7") asks whether 7 is
// in the morning or the evening, as the README promises; neither takes
// "7" for the venue or says the date was not found.
func TestMeetupAddBareHourAsksMorningOrEvening(t *testing.T) {
	in := "meetup add Summer social on tomorrow at 7\nmeetup add Summer social on tomorrow 7\nmeetup list\n"
	out, errOut, code := runBothy(t, t.TempDir(), in, nil, "--organiser")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "Is 7 in the morning or the evening? Please write 07:00 or 19:00"); n != 2 {
		t.Fatalf("%d morning-or-evening questions, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "Added meetup") || strings.Contains(out, "couldn't find the date") {
		t.Fatalf("a meetup was added or the date not found:\n%s", out)
	}
}

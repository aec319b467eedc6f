package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// phrasingBase is a small folder base: one document about out-of-hours
// cover whose sections use none of the words people type below.
func phrasingBase(t *testing.T) (*Base, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"cover.md": doc("cover", "Out-of-hours cover for social media", "guidance", "rota, weekends",
			"# Out-of-hours cover for social media\n\nAccounts are watched in office hours only.\n\n"+
				"## What goes in the rota?\n\nTwo officers share each weekend, swapping at noon on Saturday.\n\n"+
				"## What do we say when nobody is watching?\n\nPin a post giving the hours the page is staffed and the number to call in an emergency.\n"),
		"press.md": doc("press", "Working with the press office", "guidance", "press, media",
			"# Working with the press office\n\nThe press office handles calls from journalists.\n"),
	})
	b := openBase(t, Options{Dirs: []string{dir}})
	return b, dir
}

func ask(t *testing.T, b *Base, q string) Answer {
	t.Helper()
	a, err := b.Ask(context.Background(), Question{Text: q, UserID: "asker", Record: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLinkGapTeachesTheWording(t *testing.T) {
	ctx := context.Background()
	b, _ := phrasingBase(t)
	q := "silent saturdays, cross folk: what notice"
	a := ask(t, b, q)
	if a.Confident {
		t.Fatalf("answered before it was taught (%s); the test needs a gap", a.Text)
	}
	if err := b.LinkGap(ctx, a.QuestionID, "cover", "What do we say when nobody is watching?", "org"); err != nil {
		t.Fatal(err)
	}
	if gaps, _ := b.Gaps(ctx, 10); len(gaps) != 0 {
		t.Errorf("the linked gap is still listed: %+v", gaps)
	}
	// Another person asking the same way is answered from that section.
	again := ask(t, b, "silent saturdays, cross folk: what notice??")
	if !again.Confident || again.Passages[0].ID != "cover#what-do-we-say-when-nobody-is-watching" {
		t.Fatalf("after kb link: confident %v, first passage %+v", again.Confident, again.Passages)
	}
	if !strings.Contains(again.Text, "Pin a post") {
		t.Errorf("answer does not quote the linked section: %s", again.Text)
	}
	for _, tc := range []struct{ doc, section string }{{"nope", ""}, {"cover", "No such heading"}} {
		if err := b.LinkGap(ctx, a.QuestionID, tc.doc, tc.section, "org"); !errors.Is(err, ErrNotFound) {
			t.Errorf("LinkGap(%q, %q) = %v, want ErrNotFound", tc.doc, tc.section, err)
		}
	}
	if err := b.LinkGap(ctx, 9999, "cover", "", "org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LinkGap of a missing question = %v, want ErrNotFound", err)
	}
}

func TestPhrasingsSurviveReingest(t *testing.T) {
	ctx := context.Background()
	b, dir := phrasingBase(t)
	q := "silent saturdays, cross folk: what notice"
	a := ask(t, b, q)
	// Linked by anchor this time, as an answer's link names it.
	if err := b.LinkGap(ctx, a.QuestionID, "cover", "what-do-we-say-when-nobody-is-watching", "org"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "cover.md")
	data, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(data, []byte("\nReview the hours every spring.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep, err := b.Reload(ctx); err != nil || rep.Updated != 1 {
		t.Fatalf("reload: %+v %v", rep, err)
	}
	if again := ask(t, b, q); !again.Confident || again.Passages[0].ID != "cover#what-do-we-say-when-nobody-is-watching" {
		t.Fatalf("after the file changed, the phrasing was lost: confident %v, %+v", again.Confident, again.Passages)
	}
}

func TestConfirmHelpful(t *testing.T) {
	ctx := context.Background()
	b, _ := phrasingBase(t)
	a := ask(t, b, "who covers the social media rota at weekends")
	if !a.Confident {
		t.Fatalf("not answered: %s", a.Text)
	}
	if err := b.ConfirmHelpful(ctx, a.QuestionID, "org"); !errors.Is(err, ErrNotHelpful) {
		t.Fatalf("confirm without a helpful vote = %v, want ErrNotHelpful", err)
	}
	if err := b.Feedback(ctx, a.QuestionID, "someone", true); err != nil {
		t.Fatal(err)
	}
	list, err := b.Confirmable(ctx, 10)
	if err != nil || len(list) != 1 || list[0].QuestionID != a.QuestionID || list[0].Passage != a.Passages[0].ID {
		t.Fatalf("Confirmable = %+v, %v; want question %d quoting %s", list, err, a.QuestionID, a.Passages[0].ID)
	}
	if err := b.ConfirmHelpful(ctx, a.QuestionID, "org"); err != nil {
		t.Fatal(err)
	}
	if list, _ := b.Confirmable(ctx, 10); len(list) != 0 {
		t.Errorf("a confirmed answer is still listed: %+v", list)
	}
	var n int
	if err := b.db.Read.QueryRowContext(ctx, "SELECT count(*) FROM kb_phrasings WHERE doc_id = 'cover' AND anchor = ? AND origin = 'helpful'",
		Anchor(retrieval.SectionName(a.Passages[0].Section))).Scan(&n); err != nil || n != 1 {
		t.Errorf("phrasings stored = %d, %v; want 1", n, err)
	}
	if err := b.ConfirmHelpful(ctx, 4242, "org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("confirm of a missing question = %v, want ErrNotFound", err)
	}
}

func TestFrontMatterQuestionsCountAsHeadings(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"grit.md": "---\nid: grit\ntitle: Winter road treatment\nkind: guidance\nquestions:\n  - why is my street never salted?\n  - which roads get done first, when it snows\n---\n" +
			"# Winter road treatment\n\nPriority routes are treated before the evening frost: bus routes, hospitals and schools first.\n",
		"bins.md": doc("bins", "Bin collections", "guidance", "bins", "# Bin collections\n\nCollections move by a day after public holidays.\n"),
	})
	b := openBase(t, Options{Dirs: []string{dir}})
	a := ask(t, b, "why is my street never salted")
	if !a.Confident || a.Passages[0].DocID() != "grit" {
		t.Fatalf("front-matter question not answered from its document: confident %v %+v", a.Confident, a.Passages)
	}
	d, err := Parse("x.md", []byte("---\ntitle: T\nquestions: one question, with a comma\n---\n# T\n\nBody.\n"))
	if err != nil || len(d.Questions) != 1 || d.Questions[0] != "one question, with a comma" {
		t.Errorf("a single question: %+v %v", d, err)
	}
	if _, err := Parse("x.md", []byte("---\ntitle: T\nquestions:\n  - [nested]\n---\n# T\n\nBody.\n")); err == nil {
		t.Error("a nested list of questions was accepted")
	}
}

// TestFrontMatterQuestionsBySection: questions: as a map gives each
// section the ways people ask for it, so a question worded like one is
// answered from that section, not another of the same document.
func TestFrontMatterQuestionsBySection(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"rota.md": "---\nid: rota\ntitle: Out-of-hours rota\nkind: guidance\nquestions:\n" +
			"  Out-of-hours rota: where is the rota kept\n" +
			"  \"Weekends: who is on\":\n    - the phone goes on a saturday night, who picks it up\n" +
			"  Evenings:\n    - somebody has to mind the accounts after five, who is it\n---\n" +
			"# Out-of-hours rota\n\nThe rota is kept on the shared drive.\n\n" +
			"## Weekends: who is on\n\nThe duty officer covers the accounts from Friday 6pm to Monday 8am.\n\n" +
			"## Evenings\n\nThe team leader covers the accounts from 5pm to 10pm on weekdays.\n",
	})
	data, err := os.ReadFile(filepath.Join(dir, "rota.md"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("rota.md", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Chunks) != 3 || len(d.Chunks[0].Questions) != 1 || len(d.Chunks[1].Questions) != 1 || len(d.Chunks[2].Questions) != 1 || len(d.Questions) != 0 {
		t.Fatalf("questions by section: doc %q, chunks %+v", d.Questions, d.Chunks)
	}
	b := openBase(t, Options{Dirs: []string{dir}, NoStarter: true})
	for q, want := range map[string]string{
		"the phone goes on a saturday night, who picks it up":     "Weekends: who is on",
		"somebody has to mind the accounts after five, who is it": "Evenings",
	} {
		a := ask(t, b, q)
		if !a.Confident || len(a.Passages) == 0 || a.Passages[0].Section != want {
			t.Errorf("%q: confident %v, first passage %+v; want %q", q, a.Confident, a.Passages, want)
		}
	}
	_, err = Parse("x.md", []byte("---\ntitle: T\nquestions:\n  Nowhere:\n    - where\n---\n# T\n\nBody.\n\n## Somewhere\n\nText.\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 4 || !strings.Contains(pe.Msg, `no section is headed "Nowhere"`) {
		t.Errorf("a question for a missing section: %v", err)
	}
}

// An answer that quotes two close sections keeps both on record, so the
// organiser confirming a "Helpful" sees that either may have helped.
func TestHelpfulAnswerKeepsBothQuotedSections(t *testing.T) {
	ctx := context.Background()
	// Two sections that "who covers the accounts" cannot tell apart.
	rota, err := os.ReadFile(filepath.Join("testdata", "close_sections", "rota.md"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"rota.md": string(rota)})
	b := openBase(t, Options{Dirs: []string{dir}, NoStarter: true})
	a := ask(t, b, "who covers the accounts")
	if !a.Confident || len(a.Passages) < 2 || !retrieval.QuotesSecond(a.Passages) {
		t.Fatalf("confident %v, passages %+v; the test needs an answer quoting two sections:\n%s", a.Confident, a.Passages, a.Text)
	}
	if err := b.Feedback(ctx, a.QuestionID, "someone", true); err != nil {
		t.Fatal(err)
	}
	list, err := b.Confirmable(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Passage != a.Passages[0].ID || list[0].AlsoQuoted != a.Passages[1].ID {
		t.Fatalf("Confirmable = %+v, %v; want %s, also quoted %s", list, err, a.Passages[0].ID, a.Passages[1].ID)
	}
	// One quoted section: nothing else on record.
	one := ask(t, b, "which manager covers the accounts on sundays")
	if !one.Confident || retrieval.QuotesSecond(one.Passages) {
		t.Fatalf("confident %v, passages %+v; the test needs an answer quoting one section", one.Confident, one.Passages)
	}
	if err := b.Feedback(ctx, one.QuestionID, "someone", true); err != nil {
		t.Fatal(err)
	}
	if list, err := b.Confirmable(ctx, 10); err != nil || len(list) != 2 || list[0].QuestionID != one.QuestionID || list[0].AlsoQuoted != "" {
		t.Errorf("Confirmable = %+v, %v; want question %d first, with nothing else quoted", list, err, one.QuestionID)
	}
}

// An organiser may point a question at a section that shares none of its
// words, and may change their mind: the asker's wording is then answered
// from the section linked last, quoted first, whatever the section model
// thinks of the document's other sections.
func TestLinkedSectionIsQuotedAndTheLatestLinkWins(t *testing.T) {
	ctx := context.Background()
	b := openBase(t, Options{})
	q := "where can i park my car at the office"
	a := ask(t, b, q)
	if a.Confident {
		t.Fatalf("answered before it was taught (%s); the test needs a gap", a.Text)
	}
	for _, link := range []struct{ doc, section, id string }{
		{"writing-for-mobile", "how-do-images-and-links-help-on-mobile", "writing-for-mobile#how-do-images-and-links-help-on-mobile"},
		{"crisis-communications", "What should we post in the first hour of a major incident?", "crisis-communications#what-should-we-post-in-the-first-hour-of-a-major-incident"},
	} {
		t.Run(link.doc, func(t *testing.T) {
			if err := b.LinkGap(ctx, a.QuestionID, link.doc, link.section, "org"); err != nil {
				t.Fatal(err)
			}
			again := ask(t, b, q)
			if !again.Confident || len(again.Passages) == 0 || again.Passages[0].ID != link.id {
				var got []string
				for _, p := range again.Passages {
					got = append(got, p.ID)
				}
				t.Fatalf("confident %v, passages %v, want %s first", again.Confident, got, link.id)
			}
			for _, p := range again.Passages[1:] {
				if p.Score >= again.Passages[0].Score {
					t.Errorf("passage %s scores %.2f, not below the linked section's %.2f", p.ID, p.Score, again.Passages[0].Score)
				}
			}
			if strings.Contains(again.Text, "Or from") {
				t.Errorf("the answer offers another section beside the linked one:\n%s", again.Text)
			}
		})
	}
	var n int
	if err := b.db.Read.QueryRowContext(ctx, "SELECT count(*) FROM kb_phrasings WHERE question_id = ?", a.QuestionID).Scan(&n); err != nil || n != 1 {
		t.Errorf("the question has %d phrasings (%v), want the last link's only", n, err)
	}
}

// Confirming a helpful answer whose words another question already taught
// still takes it off the list to confirm.
func TestConfirmSameWordsLeavesTheList(t *testing.T) {
	ctx := context.Background()
	b, _ := phrasingBase(t)
	q := "silent saturdays, cross folk: what notice"
	first := ask(t, b, q)
	if err := b.LinkGap(ctx, first.QuestionID, "cover", "What do we say when nobody is watching?", "org"); err != nil {
		t.Fatal(err)
	}
	second := ask(t, b, q)
	if !second.Confident {
		t.Fatalf("the linked wording was not answered: %s", second.Text)
	}
	if err := b.Feedback(ctx, second.QuestionID, "member", true); err != nil {
		t.Fatal(err)
	}
	if err := b.ConfirmHelpful(ctx, second.QuestionID, "org"); err != nil {
		t.Fatal(err)
	}
	list, err := b.Confirmable(ctx, 10)
	if err != nil || len(list) != 0 {
		t.Errorf("still to confirm after kb confirm: %+v, %v", list, err)
	}
}

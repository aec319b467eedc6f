package knowledge

import (
	"context"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// The answer quotes the section whose own text answers the question, not
// the lead paragraph that merely repeats the document's title words. The
// starter's documents are read without the ways people ask that their
// front matter lists, so this checks how sections are chosen from their
// own words.
func TestAnswerQuotesTheSectionThatAnswers(t *testing.T) {
	dir := t.TempDir()
	names, err := fs.Glob(starterFS, "starter/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(starterFS, name)
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{path.Base(name): withoutQuestions(string(data))})
	}
	b := openBase(t, Options{NoStarter: true})
	if _, err := b.Ingest(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q, doc, heading, text string }{
		{"can the council account retweet a councillor during purdah?", "pre-election-period", "What should the council account avoid?", "Retweeting"},
		{"IT have blocked Twitter, what do I do?", "it-blocked-social-media", "What should I do first when the block appears?", "service desk"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			a, err := b.Ask(context.Background(), Question{Text: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Confident || a.Sources[0].ID != tc.doc {
				t.Fatalf("answered from %+v (confident %v), want %s", a.Sources, a.Confident, tc.doc)
			}
			if a.Sources[0].Headings != tc.heading || !strings.Contains(a.Text, tc.text) {
				t.Errorf("quoted section %q:\n%s\nwant section %q containing %q", a.Sources[0].Headings, a.Text, tc.heading, tc.text)
			}
		})
	}
}

// withoutQuestions drops the questions: block from a document's front
// matter.
func withoutQuestions(doc string) string {
	var out []string
	skipping := false
	for _, l := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(l, "questions:"):
			skipping = true
			continue
		case skipping && strings.HasPrefix(l, " "):
			continue
		}
		skipping = false
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// "IT" in capitals is the department in documents and questions alike
// (retrieval's TestCapitalisedAbbreviationsStem checks the stems).
func TestCapitalisedAbbreviationsMatchOnBothSides(t *testing.T) {
	b := openBase(t, Options{NoStarter: true})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ask-it.md":   doc("ask-it", "Getting a site unblocked", "guidance", "access", "# Getting a site unblocked\n\nRaise a ticket with IT and explain why the site matters.\n"),
		"comms-tm.md": doc("comms-tm", "Comms team rota", "guidance", "rota", "# Comms team rota\n\nThe team shares evenings and weekends.\n"),
	})
	if _, err := b.Ingest(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	a, err := b.Ask(context.Background(), Question{Text: "who do I ask in IT to unblock a site"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Sources) == 0 || a.Sources[0].ID != "ask-it" {
		t.Errorf("sources %+v, want ask-it first", a.Sources)
	}
}

// A database indexed by an older analysis is re-stemmed on open, even
// though its files are unchanged and ingest would skip them.
func TestOpenRestemsAnOlderIndex(t *testing.T) {
	db := bottest.OpenDB(t)
	ctx := context.Background()
	b, err := Open(ctx, db, Options{NoStarter: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Ingest(ctx, filepath.Join("testdata", "evalkb")); err != nil {
		t.Fatal(err)
	}
	var want string
	if err := db.Read.QueryRowContext(ctx, "SELECT terms FROM kb_chunks ORDER BY id LIMIT 1").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, "UPDATE kb_chunks SET terms = 'stale'"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetKV(ctx, kvNamespace, "terms_version", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, db, Options{NoStarter: true}); err != nil {
		t.Fatal(err)
	}
	var got string
	var stale int
	if err := db.Read.QueryRowContext(ctx, "SELECT terms, (SELECT count(*) FROM kb_chunks WHERE terms = 'stale') FROM kb_chunks ORDER BY id LIMIT 1").Scan(&got, &stale); err != nil {
		t.Fatal(err)
	}
	if got != want || stale != 0 {
		t.Errorf("after reopening: first section's terms %q (want %q), %d sections still stale", got, want, stale)
	}
	if v, _, _ := db.GetKV(ctx, kvNamespace, "terms_version"); v != retrieval.TermsVersion {
		t.Errorf("terms_version = %q, want %q", v, retrieval.TermsVersion)
	}
}

// A question that names only its document's topic asks what the topic
// is: the answer quotes the document's lead, not whichever section
// happens to mention it most.
func TestTopicAloneQuotesTheLead(t *testing.T) {
	b := openBase(t, Options{})
	for _, q := range []string{"what is purdah", "purdah?", "what does purdah mean"} {
		t.Run(q, func(t *testing.T) {
			a, err := b.Ask(context.Background(), Question{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Confident || len(a.Passages) == 0 || a.Passages[0].ID != "pre-election-period" || !strings.Contains(a.Text, "preferred term") {
				t.Errorf("confident %v, first passage %+v:\n%s", a.Confident, a.Passages[:min(1, len(a.Passages))], a.Text)
			}
		})
	}
}

func TestTopicAndMoreQuotesTheSection(t *testing.T) {
	b := openBase(t, Options{})
	a, err := b.Ask(context.Background(), Question{Text: "can councillors still use social media themselves during purdah"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Passages) == 0 || a.Passages[0].ID != "pre-election-period#can-councillors-still-use-social-media-themselves" {
		t.Errorf("first passage %+v, want the councillors' section", a.Passages[:min(1, len(a.Passages))])
	}
}

func TestTopicWithAnAskWordIsNotAskingWhatItIs(t *testing.T) {
	b := openBase(t, Options{})
	a, err := b.Ask(context.Background(), Question{Text: "when does purdah start"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Passages) == 0 || a.Passages[0].ID == "pre-election-period" {
		t.Errorf("first passage %+v: a question asking when quoted the lead", a.Passages[:min(1, len(a.Passages))])
	}
}

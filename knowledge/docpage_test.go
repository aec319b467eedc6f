package knowledge

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDocumentPageAnchors(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("A long paragraph about rotas that goes on. ", 80)
	writeFiles(t, dir, map[string]string{
		"d.md": doc("d", "Cover", "guidance", "rota",
			"# Cover\n\nLead text.\n\n## Who is on call?\n\nTwo officers.\n\n### At weekends\n\nSaturday noon swap.\n\n## Notes\n\n"+long+"\n\n"+long+"\n\n## Who else?\n\nNobody.\n\n## Notes\n\nA second notes section.\n"),
	})
	b := openBase(t, Options{Dirs: []string{dir}})
	p, err := b.Document(context.Background(), "d")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Sections {
		got = append(got, s.Anchor+"|"+s.Heading+"|"+string(rune('0'+s.Level)))
	}
	want := []string{"||0", "who-is-on-call|Who is on call?|1", "at-weekends|At weekends|2", "notes|Notes|1", "who-else|Who else?|1", "notes-2|Notes|1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sections = %v, want %v (a long section split for indexing is one section)", got, want)
	}
	// The anchor an answer names is the page's.
	a, err := b.Ask(context.Background(), Question{Text: "who is on call at weekends for the rota"})
	if err != nil {
		t.Fatal(err)
	}
	if _, anchor, _ := strings.Cut(a.Passages[0].ID, "#"); anchor != "at-weekends" && anchor != "who-is-on-call" {
		t.Errorf("first passage %s names no anchor of the page", a.Passages[0].ID)
	}
	if _, err := b.Document(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing document: %v, want ErrNotFound", err)
	}
	if Anchor("🎉 !!") != "section" || Anchor("Don't post: what’s next?") != "dont-post-whats-next" {
		t.Errorf("Anchor = %q, %q", Anchor("🎉 !!"), Anchor("Don't post: what’s next?"))
	}
}

// A tag of several words stays one tag when read back, on the document
// page and in the list the console filters by; a database that joined
// tags with spaces still reads.
func TestMultiWordTagsStayWhole(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"d.md": "---\nid: d\ntitle: Hashtags\nkind: guidance\ntags: [alt text, camel case hashtags, a11y]\n---\n# Hashtags\n\nCapitalise each word of a hashtag.\n",
	})
	b := openBase(t, Options{Dirs: []string{dir}})
	ctx := context.Background()
	want := "alt text|camel case hashtags|a11y"
	p, err := b.Document(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := b.Documents(ctx)
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents %+v, %v", docs, err)
	}
	for name, got := range map[string][]string{"page": p.Tags, "list": docs[0].Tags} {
		if strings.Join(got, "|") != want {
			t.Errorf("%s tags = %q, want %q", name, got, want)
		}
	}
	if got := strings.Join(splitTags("alt text a11y"), "|"); got != "alt|text|a11y" {
		t.Errorf("old space-joined tags read as %q", got)
	}
	if a, err := b.Ask(ctx, Question{Text: "camel case hashtags"}); err != nil || len(a.Sources) == 0 || a.Sources[0].ID != "d" {
		t.Errorf("a tag's words no longer find the document: %+v %v", a.Sources, err)
	}
}

// An answer quoting the second of two sections with one heading links it
// by the page's numbered anchor, and kb link accepts that anchor.
func TestRepeatedHeadingsAreLinkedByNumber(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"d.md": doc("d", "Cover", "guidance", "rota",
			"# Cover\n\nLead text.\n\n## Notes\n\nWeekend rota swaps happen at noon.\n\n## Who else?\n\nNobody.\n\n## Notes\n\nThe kayak club borrows the minibus on Tuesdays.\n"),
	})
	b := openBase(t, Options{Dirs: []string{dir}})
	ctx := context.Background()
	a, err := b.Ask(ctx, Question{Text: "when does the kayak club borrow the minibus", Record: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Passages) == 0 || a.Passages[0].ID != "d#notes-2" {
		t.Fatalf("passages %+v, want d#notes-2 first", a.Passages)
	}
	q := ask(t, b, "which rota swaps happen at noon on weekends")
	if err := b.LinkGap(ctx, q.QuestionID, "d", "notes-2", "org"); err != nil {
		t.Fatalf("kb link to the numbered anchor: %v", err)
	}
	again := ask(t, b, "which rota swaps happen at noon on weekends")
	if len(again.Passages) == 0 || again.Passages[0].ID != "d#notes-2" {
		t.Errorf("after linking to notes-2: passages %+v", again.Passages)
	}
}

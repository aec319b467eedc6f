package retrieval

import (
	"strings"
	"testing"
)

// When the section model cannot tell the two best sections apart, the
// answer quotes both, the second briefly; when one plainly answers, only
// that one.
func TestExtractQuotesACloseSecondPassage(t *testing.T) {
	b := NewBuilder("1", 4)
	b.AddDocument(Document{ID: "rota", Title: "Out-of-hours rota", Kind: "guidance", Tags: "rota cover"})
	secs := []Section{
		{ID: 1, DocID: "rota", Ord: 0, Body: "The comms team shares out-of-hours cover."},
		{ID: 2, DocID: "rota", Ord: 1, Headings: "Who covers Saturdays?", Body: "The duty officer covers Saturdays from 9am to 5pm."},
		{ID: 3, DocID: "rota", Ord: 2, Headings: "Who covers Sundays?", Body: "The on-call manager covers Sundays from 9am to 5pm."},
	}
	for _, s := range secs {
		s.Terms = SectionTerms(s.Headings, s.Body)
		b.AddSection(s)
	}
	ix := b.Build()
	quote := func(t *testing.T, q string) ([]Passage, string) {
		t.Helper()
		r := ix.Analyse(q)
		r.Search()
		r.Rerank()
		ps, err := r.Passages(nil)
		if err != nil || len(ps) < 2 {
			t.Fatalf("passages %+v, %v", ps, err)
		}
		return ps, r.Extract(ps)
	}
	t.Run("close", func(t *testing.T) {
		ps, text := quote(t, "who covers the rota")
		if gap := ps[0].Score - ps[1].Score; gap > secondGap {
			t.Fatalf("the two sections score %.2f apart; the test needs them close", gap)
		}
		if !strings.Contains(text, "Or from **Out-of-hours rota › "+ps[1].Section+"**") || !strings.Contains(text, ps[1].Text) {
			t.Errorf("the close second passage %q is not quoted:\n%s", ps[1].Section, text)
		}
		if strings.Contains(text, "Also in this document: "+ps[1].Section) {
			t.Errorf("the quoted second passage is listed again:\n%s", text)
		}
	})
	t.Run("clear", func(t *testing.T) {
		ps, text := quote(t, "which manager covers sundays")
		if ps[0].Section != "Who covers Sundays?" || ps[0].Score-ps[1].Score <= secondGap {
			t.Fatalf("passages %+v; the test needs Sundays plainly first", ps)
		}
		if strings.Contains(text, "Or from") || !strings.Contains(text, "on-call manager") {
			t.Errorf("a plain answer quotes more than its section:\n%s", text)
		}
	})
}

func TestSentencesKeepQuotationsWhole(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"One. Two? Three!", []string{"One.", "Two?", "Three!"}},
		{`Publish a holding line. For example: "We are aware of a fire. Please avoid the area. We'll update by 3pm." Then:`,
			[]string{"Publish a holding line.", `For example: "We are aware of a fire. Please avoid the area. We'll update by 3pm."`, "Then:"}},
		{"Say “Sorry to hear this, Sam. Can you DM us?” and move on. Done.", []string{"Say “Sorry to hear this, Sam. Can you DM us?” and move on.", "Done."}},
		{`He said "stop. now." (then left.) Next.`, []string{`He said "stop. now."`, "(then left.)", "Next."}},
		// An unpaired straight quote is not trusted to open anything.
		{`Use 5" screens. They fit.`, []string{`Use 5" screens.`, "They fit."}},
		{"No end", []string{"No end"}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			var got []string
			for _, s := range sentences(tc.line) {
				got = append(got, strings.TrimSpace(s))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("sentences =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestWhereUsesOneSeparator(t *testing.T) {
	p := Passage{doc: &docMeta{Title: "Drones"}, sec: &memSection{docID: "drones", headings: "Before you fly > Kit"}}
	if got, want := where(p), "Drones › Before you fly › Kit"; got != want {
		t.Errorf("where = %q, want %q", got, want)
	}
}

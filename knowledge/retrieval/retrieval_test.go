package retrieval

import (
	"slices"
	"strings"
	"testing"
)

// A small corpus ranked both ways: from the posting lists held in memory,
// and as a knowledge base too large for memory, from the rows the caller
// finds with MatchQuery (as FTS5 would) and reads through a
// SectionReader. Both stage sequences answer from the same document,
// section and sentence.
func TestStagesInMemoryAndFromRows(t *testing.T) {
	docs := []Document{
		{ID: "grit", Title: "Gritting updates", Kind: "guidance", Tags: "winter roads"},
		{ID: "purdah", Title: "Pre-election period", Kind: "policy", Tags: "elections"},
	}
	secs := []Section{
		{ID: 1, DocID: "grit", Ord: 0, Body: "Share the gritting routes on the council website."},
		{ID: 2, DocID: "grit", Ord: 1, Headings: "When do we post?", Body: "Post the evening before snow is forecast, with a map of the routes."},
		{ID: 3, DocID: "purdah", Ord: 0, Body: "During the pre-election period, do not retweet councillors."},
	}
	for i := range secs {
		secs[i].Terms = SectionTerms(secs[i].Headings, secs[i].Body)
	}
	build := func(sections int) *Index {
		b := NewBuilder("1", sections)
		for _, d := range docs {
			b.AddDocument(d)
		}
		for _, s := range secs {
			b.AddSection(s)
		}
		return b.Build()
	}
	const q = "when do we post the gritting routes before snow"
	check := func(t *testing.T, r *Ranking, read SectionReader) {
		t.Helper()
		if hits := r.Hits(); len(hits) == 0 || hits[0].ID != "grit" || r.Confidence() <= 0 {
			t.Fatalf("hits %+v, confidence %.2f; want grit first", hits, r.Confidence())
		}
		ps, err := r.Passages(read)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 || ps[0].ID != "grit#when-do-we-post" || ps[0].Section != "When do we post?" {
			t.Fatalf("passages %+v, want grit#when-do-we-post first", ps)
		}
		if id, title := ps[0].Document(); id != "grit" || title != "Gritting updates" || ps[0].Headings() != "When do we post?" {
			t.Errorf("passage's document %q %q, headings %q", id, title, ps[0].Headings())
		}
		if text := r.Extract(ps); !strings.Contains(text, "Post the evening before snow") {
			t.Errorf("extract %q does not quote the section", text)
		}
	}
	t.Run("in memory", func(t *testing.T) {
		ix := build(len(secs))
		if !ix.InMemory() || ix.Documents() != 2 || ix.Sections() != 3 {
			t.Fatalf("in memory %v, %d documents, %d sections", ix.InMemory(), ix.Documents(), ix.Sections())
		}
		check(t, rank(ix, q), noSections)
	})
	t.Run("from rows", func(t *testing.T) {
		ix := build(memSections + 1)
		if ix.InMemory() {
			t.Fatal("a knowledge base over memSections sections is held in memory")
		}
		r := ix.Analyse(q)
		match := r.MatchQuery()
		if !r.Searchable() || !strings.Contains(match, `"gritting"`) {
			t.Fatalf("match query %q", match)
		}
		// What FTS5 would return: the sections holding a quoted word,
		// best (lowest bm25) first.
		for i, s := range secs {
			text := strings.ToLower(s.Headings + " " + s.Body)
			for _, w := range strings.Split(match, " OR ") {
				if strings.Contains(text, strings.Trim(w, `"`)) {
					r.AddCandidate(s, -float64(len(secs)-i))
					break
				}
			}
		}
		r.Rerank()
		r.ApplyLearnt()
		var read []string
		check(t, r, func(docID string, add func(Section)) error {
			read = append(read, docID)
			for _, s := range secs {
				if s.DocID == docID {
					add(s)
				}
			}
			return nil
		})
		if !slices.Contains(read, "grit") {
			t.Errorf("read the sections of %v, want grit's", read)
		}
	})
}

// A Builder used out of order is a programming error, not a quiet wrong
// index.
func TestBuilderOrder(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a document after the sections did not panic")
		}
	}()
	b := NewBuilder("1", 1)
	b.AddSection(Section{ID: 1, DocID: "a", Terms: "x"})
	b.AddDocument(Document{ID: "a"})
}

package retrieval

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/knowledge/retrieval/synth"
)

// testIndex builds an index of nDocs synthetic documents of per sections
// each, the way the knowledge base loads one: documents, then sections
// with their stored terms, then the vocabulary, and one taught phrasing
// for every tenth document.
func testIndex(tb testing.TB, nDocs, per int, seed int64) *Index {
	tb.Helper()
	rng := rand.New(rand.NewSource(seed))
	word := func() string { return synth.Words[rng.Intn(len(synth.Words))] }
	sentence := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = word()
		}
		// A rare, document-specific word makes some questions answerable.
		ws[rng.Intn(n)] = fmt.Sprintf("topic%d", rng.Intn(nDocs*per))
		return strings.Join(ws, " ") + "."
	}
	b := NewBuilder("1", nDocs*per)
	var words []string // texts for the vocabulary, in order
	var secs []Section
	for d := 0; d < nDocs; d++ {
		doc := Document{ID: fmt.Sprintf("doc-%d", d), Title: word() + " " + word() + " " + word(), Kind: "guidance", Tags: word() + " " + word(), Updated: "2024-01-01"}
		b.AddDocument(doc)
		words = append(words, doc.Title+" "+doc.Tags)
		for s := 0; s < per; s++ {
			heads := word() + " " + word()
			body := sentence(12) + " " + sentence(12) + "\n- " + sentence(8) + "\n- " + sentence(8)
			secs = append(secs, Section{ID: int64(len(secs) + 1), DocID: doc.ID, Ord: s, Headings: heads, Body: body, Terms: SectionTerms(heads, body)})
			words = append(words, heads+" "+body)
		}
	}
	for _, s := range secs {
		b.AddSection(s)
	}
	seen := map[string]bool{}
	for _, text := range words {
		for w, st := range VocabularyWords(text) {
			if !seen[w] {
				seen[w] = true
				b.AddWord(w, st)
			}
		}
	}
	for d := 0; d < nDocs; d += 10 {
		b.AddPhrasing(fmt.Sprintf("doc-%d", d), "", "what do we "+word()+" about "+word()+" "+word())
	}
	return b.Build()
}

// testQuestions are n questions in the benchmarks' shape, some naming a
// document's rare word.
func testQuestions(n, sections int, seed int64) []string {
	rng := rand.New(rand.NewSource(seed))
	word := func() string { return synth.Words[rng.Intn(len(synth.Words))] }
	qs := make([]string, n)
	for i := range qs {
		qs[i] = fmt.Sprintf("how should the %s handle %s %s during topic%d?", word(), word(), word(), rng.Intn(sections))
	}
	return qs
}

// rank runs a question through every stage, as the knowledge base does
// for an index held in memory.
func rank(ix *Index, q string) *Ranking {
	r := ix.Analyse(q)
	if r.Searchable() {
		r.Search()
		r.Rerank()
		r.ApplyLearnt()
	}
	return r
}

// noSections is a SectionReader for an index that holds its sections.
func noSections(string, func(Section)) error {
	panic("the index holds its sections: nothing to read")
}

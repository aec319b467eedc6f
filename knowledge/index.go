package knowledge

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/bothy-chat/bothy/bot"
)

// index is the in-memory side of the knowledge base: document metadata and
// corpus statistics (how many sections use each stem) that the FTS5 index
// does not expose cheaply, plus the typo-correction vocabulary and any
// embedding vectors. It is rebuilt after each ingest.
type index struct {
	gen string
	n   int            // sections
	df  map[string]int // sections whose text, title or tags use a stem
	// nDocs and docDF count documents rather than sections: a word used in
	// every section of one long document is not common across the corpus.
	nDocs int
	docDF map[string]int
	words map[string]string
	dels  map[string][]string // one-deletion variants -> vocabulary words
	docs  map[string]*docMeta
	vecs  []vecEntry
	// sections is nil above memSections sections: FTS5 finds candidates.
	sections *sectionIndex
	// vocab numbers every stem in the corpus from 1, for termSets.
	vocab map[string]uint32
	// learnt are the phrasings people and organisers taught (learnt.go).
	learnt []learntPhrasing
}

type docMeta struct {
	ID, Title, Kind, URL, Updated, Path, Origin string
	Tags                                        []string
	// field holds the stems of the title and tags (sorted, each once),
	// which count as context for every section and earn a boost when
	// matched.
	field []string
	// fieldIDs is field as vocabulary IDs, for the re-ranker.
	fieldIDs termSet
	// titleStems and tagStems keep repeats, for BM25 term frequencies.
	titleStems, tagStems []string
}

func buildIndex(ctx context.Context, q queryer, gen, model string) (*index, error) {
	ix := &index{gen: gen, df: map[string]int{}, docDF: map[string]int{}, words: map[string]string{}, dels: map[string][]string{}, docs: map[string]*docMeta{}}
	rows, err := q.QueryContext(ctx, "SELECT id, title, kind, url, updated, tags, path, origin FROM kb_documents")
	if err != nil {
		return nil, fmt.Errorf("knowledge: load documents: %w", err)
	}
	for rows.Next() {
		d := &docMeta{}
		var tags string
		if err := rows.Scan(&d.ID, &d.Title, &d.Kind, &d.URL, &d.Updated, &tags, &d.Path, &d.Origin); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: load documents: %w", err)
		}
		d.Tags = strings.Fields(tags)
		d.titleStems = stems(d.Title)
		d.tagStems = stems(strings.ReplaceAll(tags, "-", " "))
		d.field = slices.Compact(slices.Sorted(slices.Values(slices.Concat(d.titleStems, d.tagStems))))
		ix.docs[d.ID] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var count int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM kb_chunks").Scan(&count); err != nil {
		return nil, fmt.Errorf("knowledge: count sections: %w", err)
	}
	if count <= memSections {
		ix.sections = newSectionIndex(ix)
	}
	ix.vocab = map[string]uint32{}
	for _, d := range ix.docs {
		for _, s := range d.field {
			ix.addStem(s)
		}
	}
	for _, d := range ix.docs {
		d.fieldIDs = ix.termSet(d.field)
	}
	rows, err = q.QueryContext(ctx, "SELECT id, doc_id, ord, headings, asked, body, terms FROM kb_chunks ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("knowledge: load sections: %w", err)
	}
	seen := map[string]bool{}
	docTerms := map[string]map[string]bool{}
	for rows.Next() {
		var (
			id                                  int64
			ord                                 int
			docID, headings, asked, body, terms string
		)
		if err := rows.Scan(&id, &docID, &ord, &headings, &asked, &body, &terms); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: load sections: %w", err)
		}
		ix.n++
		clear(seen)
		words := strings.Fields(terms)
		for _, t := range words {
			seen[t] = true
			ix.addStem(t)
		}
		if ix.sections != nil {
			ix.sections.add(id, docID, ord, headings, asked, body, words, ix.docs[docID])
		}
		if d := ix.docs[docID]; d != nil {
			for _, t := range d.field {
				seen[t] = true
			}
		}
		dt := docTerms[docID]
		if dt == nil {
			dt = map[string]bool{}
			docTerms[docID] = dt
		}
		for t := range seen {
			ix.df[t]++
			dt[t] = true
		}
	}
	if ix.sections != nil {
		ix.sections.finish()
	}
	ix.nDocs = len(docTerms)
	for _, dt := range docTerms {
		for t := range dt {
			ix.docDF[t]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, "SELECT word, stem FROM kb_words")
	if err != nil {
		return nil, fmt.Errorf("knowledge: load vocabulary: %w", err)
	}
	for rows.Next() {
		var w, s string
		if err := rows.Scan(&w, &s); err != nil {
			rows.Close()
			return nil, err
		}
		if ix.df[s] == 0 {
			continue // the word left with a removed document
		}
		ix.addWord(w, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for w, s := range synonymVocabulary() {
		if _, have := ix.words[w]; !have {
			ix.addWord(w, s)
		}
	}
	if ix.learnt, err = loadLearnt(ctx, q); err != nil {
		return nil, err
	}
	if ix.vecs, err = loadVectors(ctx, q, model); err != nil {
		return nil, err
	}
	return ix, nil
}

func (ix *index) addStem(s string) {
	if _, ok := ix.vocab[s]; !ok {
		ix.vocab[s] = uint32(len(ix.vocab) + 1)
	}
}

func (ix *index) addWord(w, s string) {
	ix.words[w] = s
	for _, k := range deletions(w) {
		ix.dels[k] = append(ix.dels[k], w)
	}
}

// idf is the BM25 inverse document frequency of a stem over sections.
func (ix *index) idf(df int) float64 {
	n := float64(ix.n)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// docIDF is the same over documents.
func (ix *index) docIDF(df int) float64 {
	n := float64(ix.nDocs)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// deletions returns w and every string made by deleting one rune from it:
// two words within one edit (insert, delete, substitute, swap) share one.
func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r)+1)
	out = append(out, w)
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// correct finds vocabulary words within one edit of an unknown word; it
// returns nil for short words, where one edit turns a
// word into a different one too easily.
func (ix *index) correct(w string) []string {
	if len([]rune(w)) < 6 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range deletions(w) {
		for _, cand := range ix.dels[k] {
			if cand != w && !seen[cand] && bot.EditDistance(cand, w) <= 1 && plausibleSlip(w, cand) {
				seen[cand] = true
				out = append(out, cand)
			}
		}
	}
	// Most used first, so "facbook" prefers the word people use.
	sort.SliceStable(out, func(i, j int) bool { return ix.df[ix.words[out[i]]] > ix.df[ix.words[out[j]]] })
	return out
}

// plausibleSlip reports whether typed, one edit from word, looks like a
// slip of the fingers rather than a different word: people seldom get a
// word's first letter wrong, and a wrong letter is nearly always a
// neighbour on the keyboard. Without this, "design" would be read as
// "resign" and "evacuation" as "evaluation".
func plausibleSlip(typed, word string) bool {
	t, w := []rune(typed), []rune(word)
	if len(t) == 0 || len(w) == 0 || t[0] != w[0] {
		return false
	}
	if len(t) != len(w) {
		return true // a letter left out or doubled
	}
	at, n := 0, 0
	for i := range t {
		if t[i] != w[i] {
			at, n = i, n+1
		}
	}
	if n != 1 {
		return true // two neighbours swapped
	}
	return keyNeighbours(t[at], w[at])
}

// qwertyRows are the letter rows of a UK keyboard, for keyNeighbours.
var qwertyRows = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// keyNeighbours reports whether two letters touch on a QWERTY keyboard
// (same row side by side, or the row above or below, offset by half a key).
func keyNeighbours(a, b rune) bool {
	pos := func(r rune) (row, col int, ok bool) {
		for i, line := range qwertyRows {
			if j := strings.IndexRune(line, r); j >= 0 {
				return i, j, true
			}
		}
		return 0, 0, false
	}
	ra, ca, oka := pos(a)
	rb, cb, okb := pos(b)
	if !oka || !okb {
		return false
	}
	switch ra - rb {
	case 0:
		return ca-cb == 1 || cb-ca == 1
	case 1: // a is on the row below b: its keys sit half a key to the right
		return cb == ca || cb == ca+1
	case -1:
		return ca == cb || ca == cb+1
	}
	return false
}

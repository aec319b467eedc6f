package retrieval

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/bothy-chat/bothy/knowledge/wordvec"
)

// Index is an immutable snapshot of the knowledge base for retrieval:
// document metadata and corpus statistics (how many sections use each
// stem) that the FTS5 index does not expose cheaply, the typo-correction
// vocabulary, the phrasings organisers taught, any embedding vectors, and,
// up to memSections sections, every section with its posting lists. A
// Builder makes one; the knowledge base makes a new one after each ingest.
// Only caches derived from a section alone are filled in later, safely
// for concurrent questions.
type Index struct {
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
	// learnt are the phrasings people and organisers taught (learnt.go),
	// and learntBy lists, for each stem, the phrasings that hold it.
	learnt      []learntPhrasing
	learntBy    map[string][]stemIn
	learntStems int // all phrasings' stems, counted
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
	// vec is the direction of the document's word vectors (unit length,
	// nil when none of its words has one), errand its projection on
	// errandDir (errand.go).
	vec    []float32
	errand float64
}

// vecEntry is one section's embedding vector, of unit length.
type vecEntry struct {
	docID string
	vec   []float32
}

// Document is one document as the knowledge base stores it
// (kb_documents); Tags are space-separated.
type Document struct {
	ID, Title, Kind, URL, Updated, Tags, Path, Origin string
}

// Section is one section as the knowledge base stores it (kb_chunks):
// Headings is its heading path joined by " > ", Asked the ways people ask
// for it, Terms what SectionTerms made of it (space-separated stems).
type Section struct {
	ID                           int64
	DocID                        string
	Ord                          int
	Headings, Asked, Body, Terms string
}

// Builder makes an Index. Give it every document, then every section (in
// the order of their IDs), then the vocabulary words, phrasings and
// vectors, then call Build once.
type Builder struct {
	ix    *Index
	phase int
	// docTerms gathers the stems each document uses, for docDF.
	docTerms map[string]map[string]bool
	seen     map[string]bool
	// docVecs sums each document's words' vectors (each word once per
	// section); vecIdx remembers each word's place in the vector table
	// (-1: none), vecSeen the words of the section being summed.
	docVecs map[string][]float32
	vecIdx  map[string]int32
	vecSeen map[int32]bool
}

// The Builder's phases: it finishes the documents when the first section
// comes, and the sections when anything after them comes.
const (
	addingDocs = iota
	addingSections
	addingRest
	built
)

// NewBuilder starts an index of generation gen (the knowledge base's
// counter, which says when a snapshot is stale) for a corpus of the given
// number of sections: up to memSections, they are held in memory.
func NewBuilder(gen string, sections int) *Builder {
	ix := &Index{gen: gen, df: map[string]int{}, docDF: map[string]int{}, words: map[string]string{}, dels: map[string][]string{}, docs: map[string]*docMeta{}}
	if sections <= memSections {
		ix.sections = newSectionIndex(ix)
	}
	return &Builder{ix: ix, docTerms: map[string]map[string]bool{}, seen: map[string]bool{}, docVecs: map[string][]float32{},
		vecIdx: map[string]int32{}, vecSeen: map[int32]bool{}}
}

// advance moves the Builder on to phase p, finishing the phases between.
func (b *Builder) advance(p int) {
	if p < b.phase {
		panic("retrieval: Builder calls out of order")
	}
	for b.phase < p {
		switch b.phase {
		case addingDocs:
			b.finishDocuments()
		case addingSections:
			b.finishSections()
		case addingRest:
			b.finishRest()
		}
		b.phase++
	}
}

// AddDocument adds one document.
func (b *Builder) AddDocument(d Document) {
	b.advance(addingDocs)
	m := &docMeta{ID: d.ID, Title: d.Title, Kind: d.Kind, URL: d.URL, Updated: d.Updated, Path: d.Path, Origin: d.Origin}
	m.Tags = strings.Fields(d.Tags)
	m.titleStems = stems(m.Title)
	m.tagStems = stems(strings.ReplaceAll(d.Tags, "-", " "))
	m.field = slices.Compact(slices.Sorted(slices.Values(slices.Concat(m.titleStems, m.tagStems))))
	b.ix.docs[m.ID] = m
	b.docVecs[m.ID] = b.sumWords(nil, d.Title)
}

// finishDocuments numbers the documents' title and tag stems.
func (b *Builder) finishDocuments() {
	ix := b.ix
	ix.vocab = map[string]uint32{}
	for _, d := range ix.docs {
		for _, s := range d.field {
			ix.addStem(s)
		}
	}
	for _, d := range ix.docs {
		d.fieldIDs = ix.termSet(d.field)
	}
}

// AddSection adds one section and counts its stems.
func (b *Builder) AddSection(s Section) {
	b.advance(addingSections)
	ix := b.ix
	ix.n++
	seen := b.seen
	clear(seen)
	words := strings.Fields(s.Terms)
	for _, t := range words {
		seen[t] = true
		ix.addStem(t)
	}
	if ix.sections != nil {
		ix.sections.add(s.ID, s.DocID, s.Ord, s.Headings, s.Asked, s.Body, words, ix.docs[s.DocID])
	}
	if d := ix.docs[s.DocID]; d != nil {
		for _, t := range d.field {
			seen[t] = true
		}
	}
	if v := b.docVecs[s.DocID]; v != nil {
		b.sumWords(v, s.Headings+"\n"+s.Body)
	}
	dt := b.docTerms[s.DocID]
	if dt == nil {
		dt = map[string]bool{}
		b.docTerms[s.DocID] = dt
	}
	for t := range seen {
		ix.df[t]++
		dt[t] = true
	}
}

// finishSections builds the posting lists and the document frequencies.
func (b *Builder) finishSections() {
	ix := b.ix
	if ix.sections != nil {
		ix.sections.finish()
	}
	ix.nDocs = len(b.docTerms)
	for _, dt := range b.docTerms {
		for t := range dt {
			ix.docDF[t]++
		}
	}
	for id, v := range b.docVecs {
		if d := ix.docs[id]; d != nil {
			d.errand = errandOf(v)
			d.vec = UnitVec(v)
		}
	}
	b.docTerms, b.seen, b.docVecs, b.vecIdx, b.vecSeen = nil, nil, nil, nil, nil
}

// AddWord adds a word of the corpus and its stem to the typo-correction
// vocabulary; a word whose stem no section uses any more is left out.
func (b *Builder) AddWord(word, stem string) {
	b.advance(addingRest)
	if b.ix.df[stem] == 0 {
		return // the word left with a removed document
	}
	b.ix.addWord(word, stem)
}

// AddPhrasing adds a way people ask for a section (its document and
// anchor, "" for the lead): one question per line.
func (b *Builder) AddPhrasing(docID, anchor, text string) {
	b.advance(addingRest)
	b.ix.learnt = appendPhrasings(b.ix.learnt, docID, anchor, text)
}

// AddVector adds the embedding vector of a section of document docID,
// which must be of unit length.
func (b *Builder) AddVector(docID string, vec []float32) {
	b.advance(addingRest)
	b.ix.vecs = append(b.ix.vecs, vecEntry{docID: docID, vec: vec})
}

// finishRest adds the synonym lists' words to the vocabulary, so a typo
// of a word the corpus does not use is still corrected.
func (b *Builder) finishRest() {
	ix := b.ix
	for w, s := range synonymVocabulary() {
		if _, have := ix.words[w]; !have {
			ix.addWord(w, s)
		}
	}
}

// Build returns the finished Index; the Builder is spent.
func (b *Builder) Build() *Index {
	b.advance(built)
	b.ix.indexLearnt()
	return b.ix
}

// Gen is the generation of the knowledge base the snapshot was made from.
func (ix *Index) Gen() string { return ix.gen }

// Documents and Sections count what is indexed.
func (ix *Index) Documents() int { return len(ix.docs) }

// Sections counts the indexed sections.
func (ix *Index) Sections() int { return ix.n }

// InMemory reports whether the sections are held in memory; when not, the
// caller searches FTS5 (see Ranking.MatchQuery) and reads a document's
// sections from SQLite (see SectionReader).
func (ix *Index) InMemory() bool { return ix.sections != nil }

// HasVectors reports whether any section has an embedding vector.
func (ix *Index) HasVectors() bool { return len(ix.vecs) > 0 }

func (ix *Index) addStem(s string) {
	if _, ok := ix.vocab[s]; !ok {
		ix.vocab[s] = uint32(len(ix.vocab) + 1)
	}
}

func (ix *Index) addWord(w, s string) {
	ix.words[w] = s
	for _, k := range deletions(w) {
		ix.dels[k] = append(ix.dels[k], w)
	}
}

// docIDF is the BM25 inverse document frequency of a stem over
// documents.
func (ix *Index) docIDF(df int) float64 {
	n := float64(ix.nDocs)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// sumWords adds the vectors of text's distinct content words to sum (nil
// to start one), as sumVecs(sum, vecWords(text)) would. It splits the
// text as tokenize does but looks each distinct spelling up once: a
// corpus repeats its words, and this runs over every section at every
// build.
func (b *Builder) sumWords(sum []float32, text string) []float32 {
	tb := wordvec.Default()
	if sum == nil {
		sum = make([]float32, tb.Dims())
	}
	clear(b.vecSeen)
	add := func(raw string) {
		i, ok := b.vecIdx[raw]
		if !ok {
			i = -1
			w := strings.ToLower(raw)
			t := token{word: w, stem: stem(w), upper: len(raw) > 1 && raw != w && !hasLower(raw) || raw == "X"}
			if len(raw) <= 40 && !isStop(t) && len(w) >= 3 {
				if j, found := tb.Lookup(w); found {
					i = int32(j)
				}
			}
			b.vecIdx[strings.Clone(raw)] = i
		}
		if i >= 0 && !b.vecSeen[i] {
			b.vecSeen[i] = true
			tb.AddTo(sum, int(i))
		}
	}
	start := -1
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			add(text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		add(text[start:])
	}
	return sum
}

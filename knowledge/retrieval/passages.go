package retrieval

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Passage is one section of a document as an answer uses it: what the
// extractive answer quotes (the first) and what a language model is given
// (the first few), best first.
type Passage struct {
	// ID is the document id, with "#anchor" for a headed section (the
	// anchor of its heading on the community page's /kb/ID), without for
	// the document's lead.
	ID string `json:"id"`
	// Section is the heading as written, or the document's title for its
	// lead.
	Section string  `json:"section"`
	Text    string  `json:"text"`
	Score   float64 `json:"score"`

	doc   *docMeta
	sec   *memSection
	feats SectionFeatures
	// anchor is the section's anchor on the community page, numbered as
	// the page numbers a heading its document repeats ("notes-2").
	anchor string
	// learnt is the best match of a learnt phrasing of this section with
	// the question (0 for none).
	learnt float64
}

// DocID is the document the passage is from.
func (p Passage) DocID() string {
	id, _, _ := strings.Cut(p.ID, "#")
	return id
}

// Headings is the section's heading path, outermost first, joined by
// " > " ("" for a document's lead).
func (p Passage) Headings() string {
	if p.sec == nil {
		return ""
	}
	return p.sec.headings
}

// Document is the passage's document: its id as indexed (unlike DocID,
// whole when the id holds a "#") and its title.
func (p Passage) Document() (id, title string) {
	if p.sec != nil {
		id = p.sec.docID
	}
	if p.doc != nil {
		title = p.doc.Title
	}
	return id, title
}

// Anchor is the fragment a heading gets on the community page: lower case
// letters and digits, words joined by hyphens. Answers link to it and
// kb link accepts it, so it must not change lightly.
func Anchor(heading string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "don't" reads as one word
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return "section" // a heading of punctuation or emoji only
	}
	return b.String()
}

// SectionName is the last heading of a section's heading path, or "" for
// a lead.
func SectionName(headings string) string {
	if i := strings.LastIndex(headings, " > "); i >= 0 {
		return headings[i+3:]
	}
	return headings
}

// describe fills in what a reader sees of the passage's section: its id,
// name and text. Scoring leaves them out, since most sections scored are
// never shown.
func (p *Passage) describe() {
	m := p.sec
	p.ID, p.Section, p.Text = m.docID, SectionName(m.headings), m.body
	if p.Section == "" {
		if p.doc != nil {
			p.Section = p.doc.Title
		}
	} else {
		p.ID += "#" + p.anchor // every passage is scored with its page anchor
	}
}

// PageAnchors numbers a document's section anchors as its page does:
// consecutive parts of one section share its anchor, and a heading the
// document repeats gets "-2", "-3"... heads are the sections' heading
// paths in order; the lead's anchor is "".
func PageAnchors(heads []string) []string {
	out := make([]string, len(heads))
	used := map[string]int{}
	for i, h := range heads {
		switch {
		case h == "":
		case i > 0 && heads[i-1] == h:
			out[i] = out[i-1]
		default:
			a := SectionAnchor(h)
			if used[a]++; used[a] > 1 {
				a = fmt.Sprintf("%s-%d", a, used[a])
			}
			out[i] = a
		}
	}
	return out
}

// SectionAnchor is the anchor of a section by its heading path: its own
// heading's. Two sections with the same heading in one document share it;
// PageAnchors numbers the later ones, as the page and answers' links do.
func SectionAnchor(headings string) string { return Anchor(SectionName(headings)) }

// SectionReader reads a document's sections from the knowledge base and
// hands each to add, in order, when the index does not hold them in
// memory (see Index.InMemory); for an index that does, it is never
// called.
type SectionReader func(docID string, add func(Section)) error

// docSections returns a document's sections in order: from memory when the
// index holds them, else through read.
func (ix *Index) docSections(id string, read SectionReader) ([]*memSection, error) {
	var out []*memSection
	if si := ix.sections; si != nil {
		out = make([]*memSection, len(si.byDoc[id]))
		for i, j := range si.byDoc[id] {
			out[i] = &si.secs[j]
		}
		return out, nil
	}
	if err := read(id, func(s Section) { out = append(out, ix.loadSection(s)) }); err != nil {
		return nil, err
	}
	return out, nil
}

// passageDocs is how many of the best documents' sections compete for the
// passages: a third changed no set's section@1 and cost a third more time.
const passageDocs = 2

// maxPassages is how many passages an answer carries.
const maxPassages = 5

// Passages ranks the sections of the best documents for the question and
// keeps the best maxPassages, best first: the first is what an extractive
// answer quotes (Extract). read is called only for an index that does not
// hold the sections in memory.
func (r *Ranking) Passages(read SectionReader) ([]Passage, error) {
	if len(r.hits) == 0 {
		return nil, nil
	}
	var ids []string
	for _, h := range r.hits {
		if len(ids) == passageDocs {
			break
		}
		if h.confidence > 0 || len(ids) == 0 {
			ids = append(ids, h.ID)
		}
	}
	out, err := r.scoredSections(read, ids)
	if err != nil {
		return nil, err
	}
	r.learntFirst(out)
	r.topicFirst(out)
	r.agreeLearnt(out)
	// A section split into parts is one passage: keep its best part.
	kept := out[:0]
	for _, p := range out {
		if len(kept) == maxPassages {
			break
		}
		if !slices.ContainsFunc(kept, func(q Passage) bool { return q.sec.docID == p.sec.docID && q.sec.headings == p.sec.headings }) {
			p.describe()
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// scoredSections scores every section of the listed documents (best
// ranked first), best first.
func (r *Ranking) scoredSections(read SectionReader, ids []string) ([]Passage, error) {
	var out []Passage
	for rank, id := range ids {
		secs, err := r.ix.docSections(id, read)
		if err != nil {
			return nil, err
		}
		h := r.hits[slices.IndexFunc(r.hits, func(h Hit) bool { return h.ID == id })]
		out = r.scoreSections(out, secs, h, rank)
	}
	slices.SortStableFunc(out, func(a, b Passage) int { return cmpDesc(a.Score, b.Score) })
	return out, nil
}

// topicShare is how much of a question's weight its document's topic
// must carry for the question to be asking what the topic is.
const topicShare = 0.8

// topicFirst quotes the lead when the question names little but its
// document's topic ("what is purdah", "what does FOI mean"): one concept
// carries nearly all of its weight and the title or tags hold it. Every
// section mentions the topic, so the section model's choice among them
// is a coin toss, and the lead is where a document says what it is.
func (r *Ranking) topicFirst(ps []Passage) {
	if len(r.hits) == 0 || r.hits[0].feats.TitleTags < topicShare || len(r.learnt) > 0 && r.learnt[0].score >= learntSame {
		return
	}
	// "Who is on call" names the topic too, but asks a particular thing
	// about it; only "what is…", "what does… mean" or the bare topic ask
	// what it is.
	for _, t := range r.toks {
		switch t.word {
		case "who", "whom", "whose", "when", "where", "why", "how", "which", "can", "could", "should", "would", "may", "might", "must", "will", "shall":
			return
		}
	}
	var total, most float64
	for _, c := range r.concepts {
		total += c.weight
		most = max(most, c.weight)
	}
	if total == 0 || most < topicShare*total {
		return
	}
	top := r.hits[0].ID
	i := slices.IndexFunc(ps, func(p Passage) bool { return p.sec.docID == top && p.sec.headings == "" })
	promote(ps, i)
}

// promote moves passage i first, scoring it above the old first by more
// than the gap that quotes a second passage too: the choice is made.
func promote(ps []Passage, i int) {
	if i <= 0 {
		return
	}
	p := ps[i]
	p.Score = max(p.Score, ps[0].Score+1)
	copy(ps[1:i+1], ps[:i])
	ps[0] = p
}

package knowledge

import (
	"context"
	"fmt"
	"math"
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
	index int // into si.secs + 1, 0 when loaded from SQLite
	feats sectionFeatures
}

// DocID is the document the passage is from.
func (p Passage) DocID() string {
	id, _, _ := strings.Cut(p.ID, "#")
	return id
}

// AnchorFor is the anchor of a document's best passage in the answer
// ("" for its lead, or when none of its sections is among the passages):
// where a link to the document should land.
func (a Answer) AnchorFor(docID string) string {
	for _, p := range a.Passages {
		if p.DocID() == docID {
			_, anchor, _ := strings.Cut(p.ID, "#")
			return anchor
		}
	}
	return ""
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

// sectionName is the last heading of a section's path, or "" for a lead.
func sectionName(headings string) string {
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
	p.ID, p.Section, p.Text = m.docID, sectionName(m.headings), m.body
	if p.Section == "" {
		if p.doc != nil {
			p.Section = p.doc.Title
		}
	} else {
		p.ID += "#" + m.statics().anchor
	}
}

// sectionAnchor is the anchor of a section by its heading path: its own
// heading's. Two sections with the same heading in one document share it,
// which the page resolves by numbering the later ones (see Document
// rendering in the web package); retrieval names the first.
func sectionAnchor(headings string) string { return Anchor(sectionName(headings)) }

// docSections returns a document's sections in order: from the in-memory
// index when there is one, else from SQLite.
func (b *Base) docSections(ctx context.Context, ix *index, id string) ([]*memSection, error) {
	var out []*memSection
	if si := ix.sections; si != nil {
		out = make([]*memSection, len(si.byDoc[id]))
		for i, j := range si.byDoc[id] {
			out[i] = &si.secs[j]
		}
		return out, nil
	}
	rows, err := b.db.Read.QueryContext(ctx, "SELECT id, doc_id, ord, headings, asked, body, terms FROM kb_chunks WHERE doc_id = ? ORDER BY ord", id)
	if err != nil {
		return nil, fmt.Errorf("knowledge: load sections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m := &memSection{pos: -1}
		var terms, asked string
		if err := rows.Scan(&m.id, &m.docID, &m.ord, &m.headings, &asked, &m.body, &terms); err != nil {
			return nil, fmt.Errorf("knowledge: load sections: %w", err)
		}
		m.doc = ix.docs[m.docID]
		m.terms = ix.termSet(strings.Fields(terms))
		m.heads = ix.termSet(headStems(m.headings, asked))
		out = append(out, m)
	}
	return out, rows.Err()
}

// passageDocs is how many of the best documents' sections compete for the
// passages: a third changed no set's section@1 and cost a third more time.
const passageDocs = 2

// maxPassages is how many passages an answer carries.
const maxPassages = 5

// passages ranks the sections of the best documents for the question and
// keeps the best maxPassages.
func (b *Base) passages(ctx context.Context, r *ranking) ([]Passage, error) {
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
	out, err := b.scoredSections(ctx, r, ids)
	if err != nil {
		return nil, err
	}
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
func (b *Base) scoredSections(ctx context.Context, r *ranking, ids []string) ([]Passage, error) {
	var out []Passage
	for rank, id := range ids {
		secs, err := b.docSections(ctx, r.ix, id)
		if err != nil {
			return nil, err
		}
		h := r.hits[slices.IndexFunc(r.hits, func(h Hit) bool { return h.ID == id })]
		out = r.scoreSections(out, secs, h, rank)
	}
	slices.SortStableFunc(out, func(a, b Passage) int { return cmpDesc(a.Score, b.Score) })
	return out, nil
}

// sectionFeatures describe how well one section answers the question.
type sectionFeatures struct {
	Own  float64 // share of the question's weight its own text covers
	Head float64 // ... its own heading path covers
	// Dis is Own counting each concept by how well it tells the
	// document's sections apart: words of the document's topic, found in
	// most of its sections, say which document, not which section.
	Dis  float64
	Lead float64 // 1 for a document's lead (text before the first heading)
	Ask  float64 // the heading asks what the question asks (who, when, can...)
	Len  float64 // log of its length in words
	Sim  float64 // word-vector similarity of the heading's words to the question's
	BM25 float64 // the section's BM25 for the question, over the best of these sections
	Doc  float64 // the document's ranking score
	Top  float64 // 1 for a section of the best document
	Conf float64 // the document's confidence
}

// secModel weighs the section features: a conditional logit over the
// sections of the best three documents (passages now come from two), fitted by
// knowledge/testdata/fit_models.py (mode sections) on the section-level
// eval sets. Left out one knowledge base at a time it puts the right
// section first for 0.35 to 0.86 of questions (0.61 on sections_i, never
// fitted on); the hard sets are those whose questions describe a situation
// in words no section uses.
var secModel = sectionFeatures{
	Own: 1.83, Head: 1.57, Dis: 1.17, Lead: -0.77, Ask: 1.86, Len: 0.71, Sim: 1.39, BM25: 1.94,
	Doc: 3.13, Top: 1.17, Conf: 1.60,
}

// learntBonus is how much a learnt phrasing's match (0.6 to 1) adds to
// its section's score: enough to put it first over sections that answer
// about as well, not over one that plainly answers better.
const learntBonus = 2.5

func (f sectionFeatures) dot(w sectionFeatures) float64 {
	return f.Own*w.Own + f.Head*w.Head + f.Dis*w.Dis + f.Lead*w.Lead + f.Ask*w.Ask + f.Len*w.Len +
		f.Sim*w.Sim + f.BM25*w.BM25 + f.Doc*w.Doc + f.Top*w.Top + f.Conf*w.Conf
}

// scoreSections scores a document's sections for the question, appending
// them to out.
func (r *ranking) scoreSections(out []Passage, secs []*memSection, h Hit, rank int) []Passage {
	var total float64
	for _, c := range r.concepts {
		total += c.weight
	}
	nc := len(r.concepts)
	// Each concept's best match in each section's own text and heading.
	inBody := make([]float64, len(secs)*nc)
	inHead := make([]float64, len(secs)*nc)
	found := make([]int, nc) // sections holding the concept
	for si, m := range secs {
		for ci, c := range r.concepts {
			var best, bestHead float64
			for _, a := range c.alts {
				if len(a.ids) == 0 || a.strength <= best && a.strength <= bestHead {
					continue
				}
				body, head := true, true
				for _, id := range a.ids {
					body = body && m.terms.has(id)
					head = head && m.heads.has(id)
				}
				if body {
					best = max(best, a.strength)
				}
				if head {
					bestHead = max(bestHead, a.strength)
				}
			}
			inBody[si*nc+ci], inHead[si*nc+ci] = best, bestHead
			if best > 0 {
				found[ci]++
			}
		}
	}
	// How well each concept tells this document's sections apart.
	sep := make([]float64, nc)
	var sepTotal float64
	for ci, c := range r.concepts {
		if found[ci] > 0 {
			sep[ci] = c.weight * math.Log(float64(len(secs)+1)/float64(found[ci]))
			sepTotal += sep[ci]
		}
	}
	bm := r.sectionBM25(secs)
	for si, m := range secs {
		p := Passage{doc: m.doc, sec: m}
		f := sectionFeatures{Doc: h.Score, Conf: h.confidence, BM25: bm[si]}
		var own, head, dis float64
		for ci, c := range r.concepts {
			own += c.weight * inBody[si*nc+ci]
			head += c.weight * inHead[si*nc+ci]
			dis += sep[ci] * inBody[si*nc+ci]
		}
		if total > 0 {
			f.Own, f.Head = own/total, head/total
		}
		if sepTotal > 0 {
			f.Dis = dis / sepTotal
		}
		st := m.statics()
		if m.headings == "" {
			f.Lead = 1
		} else {
			f.Ask = asksAlike(r.toks, st.asks)
		}
		if rank == 0 {
			f.Top = 1
		}
		f.Len = st.logLen
		f.Sim = r.headingSim(st.headVecs)
		p.feats = f
		p.Score = f.dot(secModel)
		p.Score += r.learntBonusFor(m)
		out = append(out, p)
	}
	return out
}

// askWords are how questions and question-shaped headings begin; a
// heading that asks what the question asks ("Who leads...?" for "who do
// I tell") is likely its answer, whatever words they share.
var askWords = [][]string{
	{"how", "long"}, {"how", "soon"}, {"how", "quickly"}, {"how", "often"}, {"how", "many"}, {"how", "much"},
	{"who"}, {"when"}, {"why"}, {"where"}, {"which"},
	{"can"}, {"should"}, {"is"}, {"are"}, {"do"}, {"does"}, {"what"}, {"how"},
}

// asksAlike is 1 when the heading (its first words, h) opens with an
// asking phrase the question uses, 0.5 for the common ones (what, how, do,
// is...), else 0.
func asksAlike(q []token, h []token) float64 {
	for _, aw := range askWords {
		if len(h) < len(aw) {
			continue
		}
		match := true
		for i, w := range aw {
			match = match && h[i].word == w
		}
		if !match {
			continue
		}
		for i := 0; i+len(aw) <= len(q); i++ {
			same := true
			for j, w := range aw {
				same = same && q[i+j].word == w
			}
			if same {
				if len(aw) > 1 || slices.Contains([]string{"who", "when", "why", "where", "which"}, aw[0]) {
					return 1
				}
				return 0.5
			}
		}
		return 0
	}
	return 0
}

// sectionBM25 scores sections with the same BM25 the search uses, each
// relative to the best of them (0 when the index is not in memory).
func (r *ranking) sectionBM25(secs []*memSection) []float64 {
	out := make([]float64, len(secs))
	si := r.ix.sections
	if si == nil {
		return out
	}
	n := float64(len(si.secs))
	var best float64
	for _, hits := range r.altHits {
		if len(hits) == 0 {
			continue
		}
		idf := math.Log((n - float64(len(hits)) + 0.5) / (float64(len(hits)) + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		for i, m := range secs {
			if m.pos < 0 {
				continue
			}
			j, ok := slices.BinarySearchFunc(hits, m.pos, func(p posting, sec int32) int { return int(p.sec - sec) })
			if !ok {
				continue
			}
			tf := float64(hits[j].tf)
			norm := 1 - bm25B + bm25B*float64(m.length)/si.avgLen
			out[i] += idf * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
	}
	for _, v := range out {
		best = max(best, v)
	}
	if best > 0 {
		for i := range out {
			out[i] /= best
		}
	}
	return out
}

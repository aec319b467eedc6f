package retrieval

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The extractive answer: the sentences and list items of the best passage
// that cover the question.

// quoteWords is about how much an extractive answer quotes: enough to act
// on (a whole short list, a short section whole), short enough for chat.
const (
	quoteWords = 80
	// secondWords is how much of a second passage is quoted.
	secondWords = 40
	// listWords is the longest list kept whole when part of it is picked.
	listWords = 110
	// maxExtractRunes cuts a quote that is still too long (one huge
	// paragraph).
	maxExtractRunes = 900
)

// Extract builds the extractive answer from the first passage: the whole
// section when it is short, else the sentences and list items that cover
// the question best, in their original order, a list kept whole with the
// sentence that introduces it. When the second passage scores nearly as
// well, it is quoted too, more briefly: the section model cannot tell
// them apart, and a person reading both can. Then the other sections of
// the first passage's document that answer nearly as well.
func (r *Ranking) Extract(ps []Passage) string {
	top := ps[0]
	out := fmt.Sprintf("From **%s**:\n%s", where(top), r.quote(top, quoteWords))
	shown := []string{top.Section}
	if QuotesSecond(ps) {
		out += fmt.Sprintf("\nOr from **%s**:\n%s", where(ps[1]), r.quote(ps[1], secondWords))
		if ps[1].sec.docID == top.sec.docID {
			shown = append(shown, ps[1].Section)
		}
	}
	var more []string
	for _, p := range ps[1:] {
		if len(more) == 2 {
			break
		}
		if p.sec.docID == top.sec.docID && p.sec.headings != "" && !slices.Contains(shown, p.Section) && !slices.Contains(more, p.Section) {
			more = append(more, p.Section)
		}
	}
	if len(more) > 0 {
		out += "\nAlso in this document: " + strings.Join(more, " · ")
	}
	return out
}

// secondGap is how close the second passage's score must be to the
// first's for the answer to quote it too: the section model then gives it
// at least half the first's odds of being the answer. Left out one
// knowledge base at a time, quoting it puts the right section in front of
// the reader 0.02 to 0.12 more often, on about a quarter of answers.
const secondGap = 0.75

// QuotesSecond tells whether Extract quotes the second passage too.
func QuotesSecond(ps []Passage) bool {
	return len(ps) > 1 && ps[0].Score-ps[1].Score <= secondGap
}

// where names a passage's document and heading for a reader.
func where(p Passage) string {
	w := p.sec.docID // its document has gone since the ranking
	if p.doc != nil {
		w = p.doc.Title
	}
	if p.sec.headings != "" {
		// The heading path is stored joined by " > "; a reader sees one
		// kind of separator.
		w += " › " + strings.ReplaceAll(p.sec.headings, " > ", " › ")
	}
	return w
}

// quote is what an answer quotes of a passage, about budget words: the
// whole section when it is short, else its best-covering units.
func (r *Ranking) quote(p Passage, budget int) string {
	units := r.ix.unitsOfSection(p.sec)
	pick := make([]bool, len(units))
	words := make([]int, len(units))
	total := 0
	for i, u := range units {
		words[i] = u.words
		total += words[i]
	}
	if total <= budget+budget/4 {
		for i := range pick {
			pick[i] = true
		}
	} else {
		r.pickUnits(units, words, pick, budget)
		// A section's first sentence usually says what the rest
		// explains ("aim to publish a holding statement within 30
		// minutes"), while the best-covering ones often echo the
		// situation the question describes.
		if !pick[0] && words[0] <= budget/2 {
			pick[0] = true
		}
	}
	var out []string
	for i, u := range units {
		if pick[i] {
			out = append(out, u.text)
		}
	}
	body := strings.Join(out, "\n")
	if utf8.RuneCountInString(body) > maxExtractRunes {
		body = string([]rune(body)[:maxExtractRunes]) + "…"
	}
	return body
}

// pickUnits marks the units to quote from a long section: the best
// covering first, until about budget words; a picked list item or list
// introduction brings its whole list when the list is short.
func (r *Ranking) pickUnits(units []unit, words []int, pick []bool, budget int) {
	type scored struct {
		i     int
		score float64
	}
	ss := make([]scored, 0, len(units))
	for i, u := range units {
		var sc float64
		for _, c := range r.concepts {
			for _, a := range c.alts {
				all := len(a.ids) > 0
				for _, id := range a.ids {
					all = all && u.ids.has(id)
				}
				if all {
					sc += c.weight * a.strength
					break
				}
			}
		}
		ss = append(ss, scored{i, sc})
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].score > ss[j].score })
	n := 0
	for _, s := range ss {
		if n > 0 && (s.score == 0 || n >= budget) {
			break
		}
		if pick[s.i] {
			continue
		}
		from, to := listAround(units, s.i)
		size := 0
		for i := from; i < to; i++ {
			if !pick[i] {
				size += words[i]
			}
		}
		if to-from > 1 && size <= listWords*budget/quoteWords && (n == 0 || n+size <= budget+budget/2) {
			for i := from; i < to; i++ {
				pick[i] = true
			}
			n += size
			continue
		}
		if n > 0 && n+words[s.i] > budget+budget/4 {
			continue
		}
		pick[s.i] = true
		n += words[s.i]
	}
}

// listAround is the list unit i belongs to, with the sentence ending in a
// colon that introduces it, as [from, to); just [i, i+1) when i is
// neither a list item nor an introduction.
func listAround(units []unit, i int) (from, to int) {
	item := func(j int) bool { return j >= 0 && j < len(units) && strings.HasPrefix(units[j].text, "- ") }
	intro := func(j int) bool { return j >= 0 && j < len(units) && strings.HasSuffix(units[j].text, ":") }
	switch {
	case item(i):
		from, to = i, i+1
		for item(from - 1) {
			from--
		}
		for item(to) {
			to++
		}
		if intro(from - 1) {
			from--
		}
		return from, to
	case intro(i) && item(i+1):
		to = i + 1
		for item(to) {
			to++
		}
		return i, to
	}
	return i, i + 1
}

// splitUnits cuts a passage into list items and sentences.
func splitUnits(p string) []string {
	var out []string
	for _, line := range strings.Split(p, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "- ") {
			out = append(out, line)
			continue
		}
		for _, s := range sentences(line) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// sentences cuts a line after each full stop, question or exclamation
// mark that is followed by a space, except inside double quotes: an
// example statement ("We are aware of a fire. Please avoid the area.")
// stays whole, so an answer never quotes half of it. A mark that closes a
// quotation ends the sentence after the closing quote when a new one
// starts there. A line with an odd
// number of straight quotes has no pairs to trust, and they are ignored.
func sentences(line string) []string {
	straight := strings.Count(line, `"`)%2 == 0
	var out []string
	depth, start := 0, 0
	rs := []rune(line)
	at := 0 // byte offset of rs[i]
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		n := utf8.RuneLen(r)
		switch {
		case r == '“':
			depth++
		case r == '”':
			depth = max(depth-1, 0)
		case r == '"' && straight:
			if depth > 0 {
				depth--
			} else {
				depth++
			}
		case (r == '.' || r == '!' || r == '?') && depth <= 1:
			// Closing quotes and brackets straight after the mark belong
			// to the sentence it ends.
			j, end, d := i+1, at+n, depth
			for j < len(rs) && (rs[j] == '”' || rs[j] == '"' && straight && d > 0 || rs[j] == ')' || rs[j] == '’') {
				if rs[j] == '”' || rs[j] == '"' {
					d--
				}
				end += utf8.RuneLen(rs[j])
				j++
			}
			// After a quotation, the sentence goes on unless a new one
			// starts ("…can you DM us?” and move on").
			quoted := depth > 0
			k := j
			for k < len(rs) && unicode.IsSpace(rs[k]) {
				k++
			}
			if d == 0 && j < len(rs) && unicode.IsSpace(rs[j]) && (!quoted || k < len(rs) && !unicode.IsLower(rs[k])) {
				out = append(out, line[start:end])
				start, depth = end, 0
				for k := i + 1; k < j; k++ {
					at += utf8.RuneLen(rs[k])
				}
				i = j - 1
			}
		}
		at += n
	}
	return append(out, line[start:])
}

// unit is one sentence or list item of a passage.
type unit struct {
	text  string
	ids   termSet
	words int
}

// splitPassage cuts a passage into units with their stem IDs.
func (ix *Index) splitPassage(p string) []unit {
	texts := splitUnits(p)
	out := make([]unit, len(texts))
	for i, t := range texts {
		out[i] = unit{text: t, ids: ix.termSet(stems(t)), words: len(strings.Fields(t))}
	}
	return out
}

// unitsOfSection returns a section's units, splitting it on first use.
func (ix *Index) unitsOfSection(m *memSection) []unit {
	if u := m.units.Load(); u != nil {
		return *u
	}
	u := ix.splitPassage(m.body)
	m.units.Store(&u)
	return u
}

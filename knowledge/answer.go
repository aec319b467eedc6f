package knowledge

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Question is one thing someone asked.
type Question struct {
	Text, UserID, Platform, RoomID string
	// Record stores the question (and, when abstaining, lists it as a gap).
	Record bool
	// NoModel keeps language and embedding models out of the answer: it
	// comes from the passages alone (the community page's search, unless
	// llm.web allows more, so anonymous visitors cannot spend model calls).
	NoModel bool
	// OnDelta, when set and a Writer is configured, receives the answer
	// text so far while the LLM streams it.
	OnDelta func(partial string)
}

// Answer is the reply to a Question.
type Answer struct {
	Text string
	// Confident is false when the bot abstains.
	Confident bool
	// Confidence is the calibrated score compared with the threshold.
	Confidence float64
	// Sources are the documents, best first, one per document. When
	// abstaining they are the nearest documents, if any are close.
	Sources []Hit
	// Ranked is the retrieval ranking, best first, up to five documents,
	// whether or not the bot answered: what bothy ask --json reports, so
	// scripts can score the ranking the way bothy kb eval does.
	Ranked []Hit
	// Passages are the sections that answer best, best first, from the
	// best few documents: the first is what the extractive answer quotes
	// and the first few are what a Writer is given. Filled whether or not
	// the bot answered, like Ranked.
	Passages []Passage
	// QuestionID is the recorded question (0 when not recorded).
	QuestionID int64
	// ByLLM says the text was written by the Writer.
	ByLLM bool
}

const (
	maxSources = 5
	// nearCoverage is how much of a question a document must cover to be
	// offered as "nearest" when abstaining.
	nearCoverage = 0.25
)

// Ask answers a question from the knowledge base.
func (b *Base) Ask(ctx context.Context, q Question) (Answer, error) {
	a, _, err := b.ask(ctx, q)
	return a, err
}

// ask is Ask that also returns the whole ranking, which eval scores.
func (b *Base) ask(ctx context.Context, q Question) (Answer, *ranking, error) {
	start := time.Now()
	text := strings.ToValidUTF8(q.Text, "")
	r, err := b.retrieveWith(ctx, text, !q.NoModel)
	if err != nil {
		return Answer{}, nil, err
	}
	a := Answer{Confidence: r.confidence, Confident: len(r.hits) > 0 && r.confidence >= b.opts.MinConfidence, Ranked: relevant(r.hits)}
	if a.Passages, err = b.passages(ctx, r); err != nil {
		return Answer{}, nil, err
	}
	if a.Confident {
		a.Sources = a.Ranked
		a.Text = b.extract(r, a.Passages)
		if b.opts.Writer != nil && !q.NoModel {
			if t, ok := b.write(ctx, text, a.Passages, q.OnDelta); ok {
				a.Text, a.ByLLM = t, true
				a.Sources = citedDocs(a.Passages, a.Ranked)
			}
		}
	} else {
		for _, h := range r.hits {
			if h.Coverage >= nearCoverage && len(a.Sources) < 3 {
				a.Sources = append(a.Sources, h)
			}
		}
		a.Text = abstainText(a.Sources)
	}
	if q.Record {
		id, err := b.recordQuestion(ctx, q, text, a)
		if err != nil {
			return a, r, err
		}
		a.QuestionID = id
	}
	b.opts.Metrics.Answered(a.Confident, time.Since(start))
	return a, r, nil
}

// relevant keeps the hits worth showing: up to maxSources documents.
func relevant(hits []Hit) []Hit {
	if len(hits) > maxSources {
		hits = hits[:maxSources]
	}
	return append([]Hit(nil), hits...)
}

func abstainText(near []Hit) string {
	var b strings.Builder
	b.WriteString("Sorry, the knowledge base doesn't cover that yet, so I won't guess. I've noted the question so the organisers can see it and add an answer.")
	if len(near) > 0 {
		b.WriteString("\nThese are the nearest documents I have, in case they help:")
		for _, h := range near {
			fmt.Fprintf(&b, "\n- %s (%s)", h.Title, h.ID)
		}
	}
	return b.String()
}

var sentenceEnd = regexp.MustCompile(`([.!?])\s+`)

// quoteWords is about how much an extractive answer quotes: enough to act
// on (a whole short list, a short section whole), short enough for chat.
const (
	quoteWords = 80
	// listWords is the longest list kept whole when part of it is picked.
	listWords = 110
	// maxExtractRunes cuts a quote that is still too long (one huge
	// paragraph).
	maxExtractRunes = 900
)

// extract builds the extractive answer from the first passage: the whole
// section when it is short, else the sentences and list items that cover
// the question best, in their original order, a list kept whole with the
// sentence that introduces it; then the other sections of its document
// that answer nearly as well.
func (b *Base) extract(r *ranking, ps []Passage) string {
	top := ps[0]
	units := r.ix.unitsOfSection(top.sec)
	pick := make([]bool, len(units))
	words := make([]int, len(units))
	total := 0
	for i, u := range units {
		words[i] = u.words
		total += words[i]
	}
	if total <= quoteWords+quoteWords/4 {
		for i := range pick {
			pick[i] = true
		}
	} else {
		b.pickUnits(r, units, words, pick)
		// A section's first sentence usually says what the rest
		// explains ("aim to publish a holding statement within 30
		// minutes"), while the best-covering ones often echo the
		// situation the question describes.
		if !pick[0] && words[0] <= 40 {
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
	where := top.doc.Title
	if top.sec.headings != "" {
		where += " › " + top.sec.headings
	}
	var more []string
	for _, p := range ps[1:] {
		if len(more) == 2 {
			break
		}
		if p.sec.docID == top.sec.docID && p.sec.headings != "" && p.Section != top.Section && !slices.Contains(more, p.Section) {
			more = append(more, p.Section)
		}
	}
	if len(more) > 0 {
		body += "\nAlso in this document: " + strings.Join(more, " · ")
	}
	return fmt.Sprintf("From **%s**:\n%s", where, body)
}

// pickUnits marks the units to quote from a long section: the best
// covering first, until about quoteWords; a picked list item or list
// introduction brings its whole list when the list is short.
func (b *Base) pickUnits(r *ranking, units []unit, words []int, pick []bool) {
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
		if n > 0 && (s.score == 0 || n >= quoteWords) {
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
		if to-from > 1 && size <= listWords && (n == 0 || n+size <= quoteWords+quoteWords/2) {
			for i := from; i < to; i++ {
				pick[i] = true
			}
			n += size
			continue
		}
		if n > 0 && n+words[s.i] > quoteWords+quoteWords/4 {
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
		for _, s := range strings.Split(sentenceEnd.ReplaceAllString(line, "$1\x00"), "\x00") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// llmPassages is how many passages a Writer is given.
const llmPassages = 4

// llmSources numbers the passages a Writer is given by document, as the
// reply's sources are numbered: two sections of one document are one
// source, so a citation [n] always names the nth source shown.
func llmSources(ps []Passage) []Source {
	var srcs []Source
	for i, p := range ps {
		if i == llmPassages {
			break
		}
		text := joinNonEmpty("\n", p.sec.headings, p.sec.body)
		j := slices.IndexFunc(srcs, func(s Source) bool { return s.docID == p.sec.docID })
		if j >= 0 {
			srcs[j].Text += "\n\n" + text
			continue
		}
		srcs = append(srcs, Source{N: len(srcs) + 1, Title: p.doc.Title, Text: text, docID: p.sec.docID})
	}
	return srcs
}

// citedDocs lists the documents in the order llmSources numbered them.
func citedDocs(ps []Passage, ranked []Hit) []Hit {
	var out []Hit
	for _, s := range llmSources(ps) {
		if i := slices.IndexFunc(ranked, func(h Hit) bool { return h.ID == s.docID }); i >= 0 {
			out = append(out, ranked[i])
		}
	}
	return out
}

// write asks the Writer for a grounded answer; ok is false when it failed
// or timed out, and the caller keeps the extractive answer.
func (b *Base) write(ctx context.Context, question string, ps []Passage, onDelta func(string)) (string, bool) {
	srcs := llmSources(ps)
	wctx, cancel := context.WithTimeout(ctx, b.opts.WriterTimeout)
	defer cancel()
	text, err := b.opts.Writer.Answer(wctx, question, srcs, onDelta)
	if err != nil {
		b.log.Warn("LLM answer failed; using the extractive answer", "err", err)
		return "", false
	}
	if strings.TrimSpace(text) == "" {
		b.log.Warn("LLM answer was empty; using the extractive answer")
		return "", false
	}
	return text, true
}

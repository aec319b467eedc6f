package knowledge

import (
	"context"
	"fmt"
	"regexp"
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
	start := time.Now()
	text := strings.ToValidUTF8(q.Text, "")
	r, err := b.retrieveWith(ctx, text, !q.NoModel)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Confidence: r.confidence, Confident: len(r.hits) > 0 && r.confidence >= b.opts.MinConfidence, Ranked: relevant(r.hits)}
	if a.Confident {
		a.Sources = a.Ranked
		a.Text = b.extract(ctx, r)
		if b.opts.Writer != nil && !q.NoModel {
			if t, ok := b.write(ctx, text, a.Sources, q.OnDelta); ok {
				a.Text, a.ByLLM = t, true
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
			return a, err
		}
		a.QuestionID = id
	}
	b.opts.Metrics.Answered(a.Confident, time.Since(start))
	return a, nil
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

// maxExtractRunes keeps the extractive answer short enough for chat.
const maxExtractRunes = 600

// extract builds the extractive answer: the sentences (or list items) of
// the best passage that cover the question best, in their original order.
func (b *Base) extract(ctx context.Context, r *ranking) string {
	top := r.hits[0]
	passage := top.Passage
	if passage == "" && top.chunkID > 0 {
		_ = b.db.Read.QueryRowContext(ctx, "SELECT body FROM kb_chunks WHERE id = ?", top.chunkID).Scan(&passage)
	}
	var units []unit
	if top.sec > 0 && r.ix.sections != nil {
		units = r.ix.sections.unitsOf(top.sec - 1)
	} else {
		units = r.ix.splitPassage(passage)
	}
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
	pick := map[int]bool{}
	n := 0
	for _, s := range ss {
		if len(pick) > 0 && (s.score == 0 || n+utf8.RuneCountInString(units[s.i].text) > maxExtractRunes) {
			continue
		}
		pick[s.i] = true
		n += utf8.RuneCountInString(units[s.i].text)
		if len(pick) == 3 {
			break
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
	where := top.Title
	if top.Headings != "" {
		where += " › " + top.Headings
	}
	if len(top.More) > 0 {
		body += "\nAlso in this document: " + strings.Join(top.More, " · ")
	}
	return fmt.Sprintf("From **%s**:\n%s", where, body)
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

// write asks the Writer for a grounded answer; ok is false when it failed
// or timed out, and the caller keeps the extractive answer.
func (b *Base) write(ctx context.Context, question string, hits []Hit, onDelta func(string)) (string, bool) {
	srcs := make([]Source, 0, len(hits))
	for i, h := range hits {
		if i >= 4 {
			break
		}
		srcs = append(srcs, Source{N: i + 1, Title: h.Title, Text: joinNonEmpty("\n", h.Headings, h.Passage)})
	}
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

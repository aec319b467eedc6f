package knowledge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/knowledge/retrieval"
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
	// Declined says the Writer read the passages and found they do not
	// answer, so the bot abstained whatever retrieval's confidence.
	Declined bool
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
func (b *Base) ask(ctx context.Context, q Question) (Answer, *retrieval.Ranking, error) {
	start := time.Now()
	text := strings.ToValidUTF8(q.Text, "")
	r, err := b.retrieveWith(ctx, text, !q.NoModel)
	if err != nil {
		return Answer{}, nil, err
	}
	var ps []Passage
	if ps, err = b.passages(ctx, r); err != nil {
		return Answer{}, nil, err
	}
	hits := r.Hits()
	conf := r.Confidence()
	a := Answer{Confidence: conf, Confident: len(hits) > 0 && conf >= b.opts.MinConfidence, Ranked: relevant(hits), Passages: ps}
	useModel := b.opts.Writer != nil && !q.NoModel && len(a.Passages) > 0
	// Retrieval doubts this one, but not by much: the model reads the
	// passages and decides (see Options.WriterMinConfidence).
	consult := useModel && !a.Confident && len(hits) > 0 && b.opts.WriterMinConfidence > 0 && conf >= b.opts.WriterMinConfidence
	if a.Confident {
		a.Sources = a.Ranked
		a.Text = r.Extract(a.Passages)
	}
	if a.Confident && useModel || consult {
		switch t, res := b.write(ctx, text, a.Passages, q.OnDelta); res {
		case written:
			a.Confident, a.Text, a.ByLLM = true, t, true
			a.Sources = citedDocs(a.Passages, a.Ranked)
		case notCovered:
			// The model read the passages and found no answer in them:
			// a wrong answer costs more than a gap, which the organisers
			// see and can fill.
			a.Confident, a.Declined, a.Sources = false, true, nil
		}
		// A failed consultation leaves a doubted question abstained:
		// the extractive answer was not trusted without the model.
	}
	if !a.Confident {
		for _, h := range hits {
			if h.Coverage >= nearCoverage && len(a.Sources) < 3 {
				a.Sources = append(a.Sources, h)
			}
		}
		a.Text = abstainText(a.Sources, a.Declined, q.Record)
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

// abstainText says why there is no answer and where to look instead;
// declined says the passages were read and found wanting, which a reader
// who sees them listed as nearest would otherwise wonder about. Only a
// recorded question is said to be noted for the organisers (bothy ask on
// the command line records nothing).
func abstainText(near []Hit, declined, recorded bool) string {
	var b strings.Builder
	if declined {
		b.WriteString("I read the nearest passages in the knowledge base and none of them answers that, so I won't guess.")
	} else {
		b.WriteString("Sorry, the knowledge base doesn't cover that yet, so I won't guess.")
	}
	if recorded {
		b.WriteString(" I've noted the question so the organisers can see it and add an answer.")
	}
	if len(near) > 0 {
		b.WriteString("\nThese are the nearest documents I have, in case they help:")
		for _, h := range near {
			// The section nearest the question, so a reader knows where
			// in the document to look.
			where := h.Title
			if s := retrieval.SectionName(h.Headings); s != "" {
				where += " › " + s
			}
			fmt.Fprintf(&b, "\n- %s (%s)", where, h.ID)
		}
	}
	return b.String()
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
		docID, title := p.Document()
		text := joinNonEmpty("\n", p.Headings(), p.Text)
		j := slices.IndexFunc(srcs, func(s Source) bool { return s.docID == docID })
		if j >= 0 {
			srcs[j].Text += "\n\n" + text
			continue
		}
		srcs = append(srcs, Source{N: len(srcs) + 1, Title: title, Text: text, docID: docID})
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

// writeResult is how a Writer's attempt ended.
type writeResult int

const (
	writeFailed writeResult = iota // error or timeout: keep the extractive answer
	written                        // a grounded answer
	notCovered                     // the Writer says the passages do not answer
)

// write asks the Writer for a grounded answer.
func (b *Base) write(ctx context.Context, question string, ps []Passage, onDelta func(string)) (string, writeResult) {
	srcs := llmSources(ps)
	wctx, cancel := context.WithTimeout(ctx, b.opts.WriterTimeout)
	defer cancel()
	text, err := b.opts.Writer.Answer(wctx, question, srcs, onDelta)
	switch {
	case errors.Is(err, ErrNotCovered):
		b.log.Debug("the LLM found the passages do not answer; abstaining", "passages", len(srcs))
		return "", notCovered
	case err != nil:
		b.log.Warn("LLM answer failed; answering without it", "err", err)
		return "", writeFailed
	case strings.TrimSpace(text) == "":
		b.log.Warn("LLM answer was empty; answering without it")
		return "", writeFailed
	}
	return text, written
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

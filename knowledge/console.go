package knowledge

import (
	"context"
	"strings"
)

// What the organisers' web console reads beyond questions and documents.

// Rank returns the documents that would answer text, best first, each with
// the passage an answer would quote (Hit.Passage under Hit.Headings), and
// the confidence that the first one answers. Nothing is recorded and no
// language model is asked, so a page can show many of these cheaply.
func (b *Base) Rank(ctx context.Context, text string) ([]Hit, float64, error) {
	r, err := b.retrieve(ctx, strings.ToValidUTF8(text, ""))
	if err != nil {
		return nil, 0, err
	}
	return relevant(r.Hits()), r.Confidence(), nil
}

// MinConfidence is the answer/abstain threshold in use.
func (b *Base) MinConfidence() float64 { return b.opts.MinConfidence }

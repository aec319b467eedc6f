package knowledge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// FeatureSet is one question set for WriteFeatures: its name as the fit
// script knows it, the knowledge folder (empty for the embedded starter)
// and the question file.
type FeatureSet struct {
	Name, KB, Questions string
}

// featureHit is one ranked document as the fit script reads it.
type featureHit struct {
	ID    string
	Score float64
	F     features
}

// WriteFeatures writes one JSON line per question of set to w: the
// question, what it expects, the question's own features ("qf"), its
// concept count ("n") and every ranked document with its ranking features.
// knowledge/testdata/fit_confidence.py fits the ranking and confidence
// weights from these lines. It returns how many questions had any hit, so
// a caller can tell a set that lost its features.
func (b *Base) WriteFeatures(ctx context.Context, w io.Writer, set string, qs []EvalQuestion) (withHits int, err error) {
	enc := json.NewEncoder(w)
	for _, q := range qs {
		r, err := b.retrieve(ctx, q.Q)
		if err != nil {
			return withHits, fmt.Errorf("knowledge: features for %q: %w", q.Q, err)
		}
		if len(r.hits) > 0 {
			withHits++
		}
		var hs []featureHit
		for _, h := range r.hits {
			hs = append(hs, featureHit{h.ID, h.Score, h.feats})
		}
		row := map[string]any{"set": set, "q": q.Q, "expect": q.Expect, "qf": r.q, "hits": hs, "n": len(r.concepts)}
		if err := enc.Encode(row); err != nil {
			return withHits, fmt.Errorf("knowledge: write features: %w", err)
		}
	}
	return withHits, nil
}

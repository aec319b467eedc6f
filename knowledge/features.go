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

// WriteFeatures writes one JSON line per question of set to w: the
// question, what it expects, the question's own features ("qf"), its
// concept count ("n"), every ranked document with its ranking features,
// and, with the section it expects ("section"), every section of the best
// documents with the section features ("secs"); see retrieval.FeatureRow.
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
		if len(r.Hits()) > 0 {
			withHits++
		}
		f, err := r.FeatureRow(b.sectionReader(ctx))
		if err != nil {
			return withHits, err
		}
		row := map[string]any{"set": set, "q": q.Q, "expect": q.Expect, "qf": f.Question, "hits": f.Hits, "n": f.Concepts,
			"section": q.Section, "secs": f.Sections, "qvec": f.QVec, "docvec": f.TopDocVec}
		if err := enc.Encode(row); err != nil {
			return withHits, fmt.Errorf("knowledge: write features: %w", err)
		}
	}
	return withHits, nil
}

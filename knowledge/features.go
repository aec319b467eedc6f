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

// featureSection is one section of a best document as
// knowledge/testdata/fit_sections.py reads it.
type featureSection struct {
	Doc, Section string
	F            sectionFeatures
}

// WriteFeatures writes one JSON line per question of set to w: the
// question, what it expects, the question's own features ("qf"), its
// concept count ("n"), every ranked document with its ranking features,
// and, with the section it expects ("section"), every section of the best
// documents with the section features ("secs").
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
		var ids []string
		for _, h := range r.hits {
			hs = append(hs, featureHit{h.ID, h.Score, h.feats})
			if len(ids) < passageDocs {
				ids = append(ids, h.ID)
			}
		}
		// Every section of the best documents, for the section model.
		ps, err := b.scoredSections(ctx, r, ids)
		if err != nil {
			return withHits, err
		}
		secs := make([]featureSection, len(ps))
		for i, p := range ps {
			p.describe()
			secs[i] = featureSection{p.DocID(), p.Section, p.feats}
		}
		row := map[string]any{"set": set, "q": q.Q, "expect": q.Expect, "qf": r.q, "hits": hs, "n": len(r.concepts),
			"section": q.Section, "secs": secs}
		if err := enc.Encode(row); err != nil {
			return withHits, fmt.Errorf("knowledge: write features: %w", err)
		}
	}
	return withHits, nil
}

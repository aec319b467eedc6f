package retrieval

import (
	"fmt"
	"strings"
)

// Explain describes how the question was understood and ranked, for
// organisers tuning the knowledge base (bothy ask --explain); threshold is
// the answer/abstain threshold in use.
func (r *Ranking) Explain(threshold float64) string {
	var sb strings.Builder
	sb.WriteString("concepts:")
	for _, c := range r.concepts {
		fmt.Fprintf(&sb, " %s(%.2f", c.word, c.weight)
		if len(c.alts) > 1 {
			fmt.Fprintf(&sb, ", %d alternatives", len(c.alts)-1)
		}
		sb.WriteString(")")
	}
	fmt.Fprintf(&sb, "\nconfidence %.2f (threshold %.2f)", r.Confidence(), threshold)
	if len(r.hits) > 0 && r.hits[0].Coverage > 0 {
		fmt.Fprintf(&sb, " = logistic(%s)", strings.Join(confidence(r.hits[0].feats, r.q, true).terms, ", "))
	}
	sb.WriteString("\n")
	for i, h := range r.hits {
		if i == 8 {
			break
		}
		f := h.feats
		fmt.Fprintf(&sb, "%d. %s score %.3f confidence %.2f: cov %.2f title/tags %.2f headings %.2f bm25 %.2f doc-cov %.2f\n",
			i+1, h.ID, h.Score, h.confidence, f.Cov, f.TitleTags, f.Heads, f.BM25, f.DocCov)
	}
	return sb.String()
}

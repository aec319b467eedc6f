package retrieval

import (
	"fmt"
	"math"
)

// The ranking score of a document and the confidence that it answers the
// question, from the features of the question and of the document's best
// section.

// Ranking weights. Coverage dominates; title and tag matches, heading
// matches and raw BM25 break ties between passages that cover as much.
const (
	wTitleTags = 0.3
	wHeadings  = 0.1
	wBM25      = 0.5
	wDocCover  = 0.15
)

// Features describe how well one document matches the question; the
// ranking score and the confidence are both built from them, --explain
// prints them and the fit scripts read them (see FeatureRow).
type Features struct {
	Cov       float64 // idf-weighted coverage of the question by the best section (+ title/tags)
	DocCov    float64 // the same over the whole document
	TitleTags float64 // share of the question matched in the title or tags
	Heads     float64 // share matched in the best section's headings
	BM25      float64 // best section's bm25, relative to the best in the candidates
	Errand    float64 // how much more errand-like the question is than the document, times 1-Cov (errand.go)
}

// QuestionFeatures describe the question as a whole.
type QuestionFeatures struct {
	Unknown float64 // share of the question's weight in words the corpus never uses
	// Org is 1 when the question speaks for an organisation ("we", "our"),
	// as practitioners asking about their practice do; Personal is 1 when
	// it speaks only for the asker ("my laptop", "how do I renew"), as
	// personal errands do.
	Org, Personal float64
	// Long is ln(concepts/longQuestion) for a question of more than
	// longQuestion concepts (at most ln 2), else 0. A question that tells its story
	// before asking ("we've had a guy posting nasty stuff for three weeks,
	// my manager wants him gone today...") covers less of itself in any
	// document, so coverage alone would doubt it more than a terse one.
	Long float64
	// errand is the question's projection on errandDir; the model reads
	// it against each document's (Features.Errand).
	errand float64
}

// longQuestion is where a question starts to count as long.
const longQuestion = 6

// DefaultMinConfidence is the threshold the model's confidence must reach
// for an answer. Left out one knowledge base at a time, the mean of
// answered and abstained is 0.812 at 0.45 and 0.814 at 0.50; 0.45 answers
// more in-scope questions, which are most of what people ask, so it is
// kept.
const DefaultMinConfidence = 0.45

// The confidence model: a logistic regression over a few features of the
// question and its best document, fitted with balanced classes and light
// L2 by knowledge/testdata/fit_models.py (mode errand, which also fits
// errandDir) on 28 question sets over 22 knowledge bases, nineteen of them
// written blind at section level with off-topic questions that share
// words with the base. Left out one knowledge base at a time, the mean of
// answered and abstained is 0.81 at the threshold DefaultMinConfidence
// takes (0.45); without the errand feature it was 0.72. On the
// section-level bases alone that is 0.79 against 0.66, on the
// document-level sets 0.86 against 0.85.
// fresh_d, fresh_f, sections_i, sections_h, sections_p to sections_s and
// sections_aa are never fitted on.
// Tried and left out (no gain left out one base at a time): the share of
// unknown words with no near word by meaning, the weightiest word the
// document misses, how rare in English the unknown words are, the margin
// over the second document, the section model's certainty, the best
// passage's own coverage, heading, distinctive or vector features.
var confModel = struct {
	bias, cov, docCov, titleTags, unknown, org, personal, long, errand float64
}{
	bias:      -0.80,
	cov:       1.11,  // share of the question the best passage covers
	docCov:    1.04,  // ... the whole document covers
	titleTags: 0.55,  // ... the document's title and tags match: it is about the topic
	unknown:   -0.15, // share in words the knowledge base never uses
	org:       0.34,  // asked for an organisation ("we", "our"): practice
	personal:  -0.34, // asked only for oneself ("my laptop"): often an errand
	long:      0.77,  // a long question: its backstory dilutes coverage
	errand:    -1.99, // more errand-like than the document (errand.go)
}

// confidenceTerms is the model's output with each feature's contribution,
// for --explain.
type confidenceTerms struct {
	p     float64
	terms []string
}

func confidence(f Features, q QuestionFeatures, explain bool) confidenceTerms {
	if f.Cov == 0 {
		return confidenceTerms{}
	}
	m := confModel
	parts := []struct {
		name string
		w, x float64
	}{
		{"coverage", m.cov, f.Cov}, {"doc-coverage", m.docCov, f.DocCov}, {"title/tags", m.titleTags, f.TitleTags},
		{"unknown-words", m.unknown, q.Unknown}, {"we-voice", m.org, q.Org}, {"i-voice", m.personal, q.Personal},
		{"long-question", m.long, q.Long}, {"errand", m.errand, f.Errand},
	}
	z := m.bias
	var out confidenceTerms
	if explain {
		out.terms = []string{fmt.Sprintf("bias %+.2f", m.bias)}
	}
	for _, p := range parts {
		z += p.w * p.x
		if explain && p.x != 0 {
			out.terms = append(out.terms, fmt.Sprintf("%s %.2f×%+.2f", p.name, p.x, p.w))
		}
	}
	out.p = 1 / (1 + math.Exp(-z))
	return out
}

// voice tells whether a question speaks for an organisation or only for
// the asker (see QuestionFeatures).
func voice(toks []token) (org, personal float64) {
	var we, i bool
	for _, t := range toks {
		switch t.word {
		case "we", "our", "ours", "ourselves":
			we = true
		case "us":
			we = we || !t.upper // "US" is a country
		case "i", "my", "me", "mine", "myself":
			i = true
		}
	}
	switch {
	case we:
		return 1, 0
	case i:
		return 0, 1
	}
	return 0, 0
}

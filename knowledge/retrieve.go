package knowledge

import (
	"context"
	"fmt"
	"strings"

	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// Retrieval runs in knowledge/retrieval, over the snapshot of the corpus
// this package keeps (see refresh); what needs SQLite or a model, the
// FTS5 search of a large knowledge base and the question's embedding, is
// done here between its stages.

// Hit is one ranked document (retrieval.Hit).
type Hit = retrieval.Hit

// Passage is one section of a document as an answer uses it
// (retrieval.Passage).
type Passage = retrieval.Passage

// Anchor is the fragment a heading gets on the community page: answers
// link to it and kb link accepts it (retrieval.Anchor).
func Anchor(heading string) string { return retrieval.Anchor(heading) }

func (b *Base) retrieve(ctx context.Context, question string) (*retrieval.Ranking, error) {
	return b.retrieveWith(ctx, question, true)
}

// retrieveWith ranks the knowledge base for a question; vectors false
// keeps the embeddings model out of it (no call leaves the machine).
func (b *Base) retrieveWith(ctx context.Context, question string, vectors bool) (*retrieval.Ranking, error) {
	ix, err := b.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	r := ix.Analyse(question)
	if !r.Searchable() {
		return r, nil
	}
	if err := b.candidates(ctx, r); err != nil {
		return nil, err
	}
	r.Rerank()
	if vectors && b.opts.Embedder != nil && ix.HasVectors() {
		b.fuse(ctx, r, question)
	}
	r.ApplyLearnt()
	return r, nil
}

// candidates finds the sections the re-ranker scores: in the posting
// lists held in memory, or, for a knowledge base too large for that,
// through FTS5 with the same weighted BM25.
func (b *Base) candidates(ctx context.Context, r *retrieval.Ranking) error {
	if r.Index().InMemory() {
		r.Search()
		return nil
	}
	q := r.MatchQuery()
	if q == "" {
		return nil
	}
	rows, err := b.db.Read.QueryContext(ctx, `SELECT c.id, c.doc_id, c.ord, c.headings, c.asked, c.body, c.terms, f.score
		FROM (SELECT rowid, bm25(kb_fts, `+retrieval.BM25Weights+`) AS score FROM kb_fts WHERE kb_fts MATCH ? ORDER BY score LIMIT ?) f
		JOIN kb_chunks c ON c.id = f.rowid ORDER BY f.score`, q, retrieval.MaxCandidates)
	if err != nil {
		return fmt.Errorf("knowledge: search: %w", err)
	}
	defer rows.Close()
	// Streamed, not store.List: on the ask path each row is scanned into one reused variable, costing no allocation.
	var s retrieval.Section
	var score float64
	for rows.Next() {
		if err := rows.Scan(&s.ID, &s.DocID, &s.Ord, &s.Headings, &s.Asked, &s.Body, &s.Terms, &score); err != nil {
			return fmt.Errorf("knowledge: search: %w", err)
		}
		r.AddCandidate(s, score)
	}
	return rows.Err()
}

// sectionReader reads a document's sections from SQLite, for the
// passages of a knowledge base whose index does not hold them in memory.
func (b *Base) sectionReader(ctx context.Context) retrieval.SectionReader {
	return func(docID string, add func(retrieval.Section)) error {
		rows, err := b.db.Read.QueryContext(ctx, "SELECT id, doc_id, ord, headings, asked, body, terms FROM kb_chunks WHERE doc_id = ? ORDER BY ord", docID)
		if err != nil {
			return fmt.Errorf("knowledge: load sections: %w", err)
		}
		defer rows.Close()
		// Streamed, not store.List: on the ask path too, sections go to add from one reused variable.
		var s retrieval.Section
		for rows.Next() {
			if err := rows.Scan(&s.ID, &s.DocID, &s.Ord, &s.Headings, &s.Asked, &s.Body, &s.Terms); err != nil {
				return fmt.Errorf("knowledge: load sections: %w", err)
			}
			add(s)
		}
		return rows.Err()
	}
}

// passages are the sections that answer best, best first.
func (b *Base) passages(ctx context.Context, r *retrieval.Ranking) ([]Passage, error) {
	return r.Passages(b.sectionReader(ctx))
}

// Explain describes how a question was understood and ranked, for
// organisers tuning the knowledge base (bothy ask --explain).
func (b *Base) Explain(ctx context.Context, question string) (string, error) {
	r, err := b.retrieve(ctx, strings.ToValidUTF8(question, ""))
	if err != nil {
		return "", err
	}
	return r.Explain(b.opts.MinConfidence), nil
}

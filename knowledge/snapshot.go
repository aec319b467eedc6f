package knowledge

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// loadIndex reads the corpus from SQLite into a retrieval snapshot of
// generation gen: documents, sections (their stored terms, so nothing is
// re-stemmed), the typo-correction vocabulary, the phrasings people and
// organisers taught, and the embedding vectors of model.
func loadIndex(ctx context.Context, q queryer, gen, model string) (*retrieval.Index, error) {
	var count int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM kb_chunks").Scan(&count); err != nil {
		return nil, fmt.Errorf("knowledge: count sections: %w", err)
	}
	b := retrieval.NewBuilder(gen, count)
	rows, err := q.QueryContext(ctx, "SELECT id, title, kind, url, updated, tags, path, origin FROM kb_documents")
	if err != nil {
		return nil, fmt.Errorf("knowledge: load documents: %w", err)
	}
	// Streamed, not store.List: documents go straight into the builder, no list beside it.
	for rows.Next() {
		var d retrieval.Document
		if err := rows.Scan(&d.ID, &d.Title, &d.Kind, &d.URL, &d.Updated, &d.Tags, &d.Path, &d.Origin); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: load documents: %w", err)
		}
		b.AddDocument(d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, "SELECT id, doc_id, ord, headings, asked, body, terms FROM kb_chunks ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("knowledge: load sections: %w", err)
	}
	// Streamed, not store.List: maybe 100k sections, each straight into the builder rather than a copy of them all.
	for rows.Next() {
		var s retrieval.Section
		if err := rows.Scan(&s.ID, &s.DocID, &s.Ord, &s.Headings, &s.Asked, &s.Body, &s.Terms); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: load sections: %w", err)
		}
		b.AddSection(s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, "SELECT word, stem FROM kb_words")
	if err != nil {
		return nil, fmt.Errorf("knowledge: load vocabulary: %w", err)
	}
	// Streamed, not store.List: the vocabulary grows with the corpus and goes straight into the builder.
	for rows.Next() {
		var w, s string
		if err := rows.Scan(&w, &s); err != nil {
			rows.Close()
			return nil, err
		}
		b.AddWord(w, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadPhrasings(ctx, q, b); err != nil {
		return nil, err
	}
	if err := loadVectors(ctx, q, model, b); err != nil {
		return nil, err
	}
	return b.Build(), nil
}

// loadPhrasings reads every phrasing: learnt ones (kb_phrasings) and the
// questions documents list in their front matter, which ingest stored with
// the sections they ask for (kb_chunks.asked; the lead's for a plain list).
func loadPhrasings(ctx context.Context, q queryer, b *retrieval.Builder) error {
	// Learnt phrasings come first, newest first, so that of two that match
	// a question equally the latest correction wins.
	for _, query := range []string{
		// The same words kept for two people's questions are one phrasing.
		"SELECT doc_id, anchor, text, '' FROM kb_phrasings GROUP BY doc_id, anchor, text ORDER BY max(id) DESC",
		"SELECT DISTINCT doc_id, '', asked, headings FROM kb_chunks WHERE asked != ''",
	} {
		if err := loadPhrasingRows(ctx, q, b, query); err != nil {
			return fmt.Errorf("knowledge: load phrasings: %w", err)
		}
	}
	return nil
}

func loadPhrasingRows(ctx context.Context, q queryer, b *retrieval.Builder, query string) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Streamed, not store.List: phrasings go straight into the builder.
	for rows.Next() {
		var docID, anchor, text, headings string
		if err := rows.Scan(&docID, &anchor, &text, &headings); err != nil {
			return err
		}
		if headings != "" {
			anchor = retrieval.SectionAnchor(headings)
		}
		b.AddPhrasing(docID, anchor, text)
	}
	return rows.Err()
}

package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// DocumentPage is one document as the community page shows it at /kb/ID:
// its sections in order, each with the anchor answers link to.
type DocumentPage struct {
	ID, Title, Kind, Organisation, URL, Updated string
	Tags                                        []string
	Sections                                    []PageSection
}

// PageSection is one heading's section. A section split into parts for
// indexing is one section here (so are two headings in a row with the
// same text).
type PageSection struct {
	// Anchor is the fragment answers link to ("" for the lead). A heading
	// that repeats an earlier one in the document gets "-2", "-3"...;
	// answers name the first.
	Anchor  string
	Heading string // "" for the lead
	// Level is the heading's depth under the title: 1 for ##, 2 for ###.
	Level int
	// Text is the section's plain text: paragraphs separated by blank
	// lines, list items as lines starting "- ".
	Text string
}

// Document reads one document for its page. ErrNotFound when there is no
// such document.
func (b *Base) Document(ctx context.Context, id string) (DocumentPage, error) {
	var p DocumentPage
	var tags string
	err := b.db.Read.QueryRowContext(ctx, "SELECT id, title, kind, organisation, url, updated, tags FROM kb_documents WHERE id = ?", id).
		Scan(&p.ID, &p.Title, &p.Kind, &p.Organisation, &p.URL, &p.Updated, &tags)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: no document %q", ErrNotFound, id)
	}
	if err != nil {
		return p, fmt.Errorf("knowledge: read document %s: %w", id, err)
	}
	p.Tags = splitTags(tags)
	parts, err := store.List(ctx, b.db.Read, scanChunkText, "SELECT headings, body FROM kb_chunks WHERE doc_id = ? ORDER BY ord", id)
	if err != nil {
		return p, fmt.Errorf("knowledge: read document %s: %w", id, err)
	}
	heads := make([]string, len(parts))
	for i, c := range parts {
		heads[i] = c.heads
	}
	// Answers link sections by the same numbering (retrieval.PageAnchors).
	anchors := retrieval.PageAnchors(heads)
	for i, c := range parts {
		if i > 0 && c.heads == parts[i-1].heads {
			s := &p.Sections[len(p.Sections)-1]
			s.Text += "\n\n" + c.body
			continue
		}
		s := PageSection{Heading: retrieval.SectionName(c.heads), Text: c.body, Anchor: anchors[i]}
		if c.heads != "" {
			s.Level = strings.Count(c.heads, " > ") + 1
		}
		p.Sections = append(p.Sections, s)
	}
	return p, nil
}

// chunkText is a stored section's heading path and body.
type chunkText struct{ heads, body string }

func scanChunkText(sc store.Scanner) (chunkText, error) {
	var c chunkText
	err := sc.Scan(&c.heads, &c.body)
	return c, err
}

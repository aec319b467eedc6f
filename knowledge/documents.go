package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// SQL for kb_documents, kb_chunks, kb_fts and kb_words: the indexed corpus.

type storedDoc struct {
	id, origin, path, hash string
}

func loadStoredDocs(ctx context.Context, q queryer) (map[string]storedDoc, error) {
	docs, err := store.List(ctx, q, func(sc store.Scanner) (storedDoc, error) {
		var d storedDoc
		err := sc.Scan(&d.id, &d.origin, &d.path, &d.hash)
		return d, err
	}, "SELECT id, origin, path, hash FROM kb_documents")
	if err != nil {
		return nil, fmt.Errorf("knowledge: list documents: %w", err)
	}
	out := make(map[string]storedDoc, len(docs))
	for _, d := range docs {
		out[d.id] = d
	}
	return out, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// bumpGeneration moves the knowledge base's generation on: every process
// with the database open (a running bot beside bothy kb ingest) reloads
// its in-memory index when it sees the change.
func bumpGeneration(ctx context.Context, q queryer) error {
	_, err := q.ExecContext(ctx, `INSERT INTO kv(namespace, key, value) VALUES (?, 'generation', '1')
		ON CONFLICT(namespace, key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`, kvNamespace)
	return err
}

func deleteDoc(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM kb_fts WHERE rowid IN (SELECT id FROM kb_chunks WHERE doc_id = ?)", id); err != nil {
		return fmt.Errorf("knowledge: unindex %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM kb_documents WHERE id = ?", id); err != nil {
		return fmt.Errorf("knowledge: delete %s: %w", id, err)
	}
	return nil
}

// insertStmts are prepared once per ingest transaction.
type insertStmts struct {
	doc, chunk, fts, word *sql.Stmt
	words                 map[string]bool
}

func prepareInserts(ctx context.Context, tx *sql.Tx) (*insertStmts, error) {
	var s insertStmts
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	s.doc = prep(`INSERT INTO kb_documents(id, origin, path, hash, title, kind, tags, organisation, url, updated, review_by, ingested_at, questions)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.chunk = prep("INSERT INTO kb_chunks(doc_id, ord, headings, body, terms, asked) VALUES (?, ?, ?, ?, ?, ?)")
	s.fts = prep("INSERT INTO kb_fts(rowid, title, tags, headings, body) VALUES (?, ?, ?, ?, ?)")
	s.word = prep("INSERT OR IGNORE INTO kb_words(word, stem) VALUES (?, ?)")
	if err != nil {
		s.close()
		return nil, fmt.Errorf("knowledge: prepare ingest: %w", err)
	}
	s.words = map[string]bool{}
	return &s, nil
}

func (s *insertStmts) close() {
	for _, st := range []*sql.Stmt{s.doc, s.chunk, s.fts, s.word} {
		if st != nil {
			st.Close()
		}
	}
}

func (s *insertStmts) insert(ctx context.Context, d *Document, origin string, now time.Time) error {
	tags := joinTags(d.Tags)
	questions := strings.Join(d.Questions, "\n")
	if _, err := s.doc.ExecContext(ctx, d.ID, origin, d.Path, d.Hash, d.Title, d.Kind, tags, d.Organisation, d.URL, d.Updated, d.ReviewBy,
		store.Time(now), questions); err != nil {
		return fmt.Errorf("knowledge: save %s: %w", d.ID, err)
	}
	// Title and tag words go into the vocabulary too, so typos of them
	// are corrected.
	s.addWords(ctx, d.Title+" "+tags)
	heads := make([]string, len(d.Chunks))
	for i, c := range d.Chunks {
		heads[i] = strings.Join(c.Headings, " > ")
	}
	asked := askedBySection(heads, questions)
	for i, c := range d.Chunks {
		asked[i] = joinNonEmpty("\n", asked[i], strings.Join(c.Questions, "\n"))
	}
	for i, c := range d.Chunks {
		terms := retrieval.SectionTerms(joinNonEmpty("\n", heads[i], asked[i]), c.Body)
		res, err := s.chunk.ExecContext(ctx, d.ID, i, heads[i], c.Body, terms, asked[i])
		if err != nil {
			return fmt.Errorf("knowledge: save %s section %d: %w", d.ID, i, err)
		}
		id, _ := res.LastInsertId()
		// Tags are indexed with their hyphens as spaces so "house-rules"
		// matches "house rules"; phrasings count as headings.
		if _, err := s.fts.ExecContext(ctx, id, d.Title, strings.ReplaceAll(tags, "-", " "), joinNonEmpty("\n", heads[i], asked[i]), c.Body); err != nil {
			return fmt.Errorf("knowledge: index %s section %d: %w", d.ID, i, err)
		}
		s.addWords(ctx, heads[i]+" "+c.Body)
	}
	return nil
}

func (s *insertStmts) addWords(ctx context.Context, text string) {
	for word, stem := range retrieval.VocabularyWords(text) {
		if s.words[word] {
			continue
		}
		s.words[word] = true
		// Best effort: the vocabulary only feeds typo correction.
		_, _ = s.word.ExecContext(ctx, word, stem)
	}
}

// DocumentInfo describes one document for listings and the weekly digest.
type DocumentInfo struct {
	ID, Title, Kind, URL, Updated string
	Tags                          []string
	IngestedAt                    time.Time
	// Set by Documents only: the review date, whether the document came
	// from a knowledge folder (rather than the embedded starter), the
	// file it was read from (empty when not in a folder), and the sha256
	// of that file as indexed.
	ReviewBy, Organisation string
	Folder                 bool
	File, Hash             string
}

// Documents lists every indexed document by title.
func (b *Base) Documents(ctx context.Context) ([]DocumentInfo, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (DocumentInfo, error) {
		var d DocumentInfo
		var tags, at, origin, rel string
		if err := sc.Scan(&d.ID, &d.Title, &d.Kind, &d.URL, &d.Updated, &tags, &at, &d.ReviewBy, &d.Organisation, &origin, &rel, &d.Hash); err != nil {
			return d, err
		}
		d.Tags = splitTags(tags)
		d.IngestedAt, _ = store.ParseTime(at)
		if d.Folder = origin == originFolder; d.Folder {
			d.File = b.fileOf(rel)
		}
		return d, nil
	}, `SELECT id, title, kind, url, updated, tags, ingested_at, review_by, organisation, origin, path, hash
		FROM kb_documents ORDER BY title COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("knowledge: list documents: %w", err)
	}
	return out, nil
}

// DocumentSections lists a document's section headings in order: the last
// heading of each section's path, "" for the text before the first
// heading (the lead), each once.
func (b *Base) DocumentSections(ctx context.Context, id string) ([]string, error) {
	all, err := store.List(ctx, b.db.Read, store.Column[string], "SELECT headings FROM kb_chunks WHERE doc_id = ? ORDER BY ord", id)
	if err != nil {
		return nil, fmt.Errorf("knowledge: sections of %s: %w", id, err)
	}
	var out []string
	seen := map[string]bool{}
	for _, heads := range all {
		h := heads
		if i := strings.LastIndex(heads, " > "); i >= 0 {
			h = heads[i+3:]
		}
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out, nil
}

// fileOf finds the file a folder document was read from: its path is
// stored relative to whichever configured folder holds it.
func (b *Base) fileOf(rel string) string {
	for _, dir := range b.opts.Dirs {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// RecentDocuments lists documents added or changed since a time, newest
// first (the weekly digest shows them).
func (b *Base) RecentDocuments(ctx context.Context, since time.Time) ([]DocumentInfo, error) {
	out, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (DocumentInfo, error) {
		var d DocumentInfo
		var tags, at string
		if err := sc.Scan(&d.ID, &d.Title, &d.Kind, &d.URL, &d.Updated, &tags, &at); err != nil {
			return d, err
		}
		d.Tags = splitTags(tags)
		d.IngestedAt, _ = store.ParseTime(at)
		return d, nil
	}, `SELECT id, title, kind, url, updated, tags, ingested_at FROM kb_documents
		WHERE ingested_at >= ? ORDER BY ingested_at DESC, id`, store.Time(since))
	if err != nil {
		return nil, fmt.Errorf("knowledge: recent documents: %w", err)
	}
	return out, nil
}

// upgradeTerms re-derives every section's stored terms when they were made
// by an older analysis. Files are not re-read: headings and body are in
// the database already.
func (b *Base) upgradeTerms(ctx context.Context) error {
	v, _, err := b.db.GetKV(ctx, kvNamespace, "terms_version")
	if err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	if v == retrieval.TermsVersion {
		return nil
	}
	b.ingestMu.Lock()
	defer b.ingestMu.Unlock()
	tx, err := b.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	defer tx.Rollback()
	type sec struct {
		id    int64
		terms string
	}
	secs, err := store.List(ctx, tx, func(sc store.Scanner) (sec, error) {
		var id int64
		var heads, asked, body string
		if err := sc.Scan(&id, &heads, &asked, &body); err != nil {
			return sec{}, err
		}
		return sec{id, retrieval.SectionTerms(joinNonEmpty("\n", heads, asked), body)}, nil
	}, "SELECT id, headings, asked, body FROM kb_chunks")
	if err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	upd, err := tx.PrepareContext(ctx, "UPDATE kb_chunks SET terms = ? WHERE id = ?")
	if err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	defer upd.Close()
	for _, s := range secs {
		if _, err := upd.ExecContext(ctx, s.terms, s.id); err != nil {
			return fmt.Errorf("knowledge: upgrade terms: %w", err)
		}
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	if err := store.SetKVIn(ctx, tx, kvNamespace, "terms_version", retrieval.TermsVersion); err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("knowledge: upgrade terms: %w", err)
	}
	if len(secs) > 0 {
		b.log.Info("re-stemmed the knowledge base for a newer analysis", "sections", len(secs), "version", retrieval.TermsVersion)
	}
	return nil
}

// joinTags stores a document's tags one a line, each line ended, so a tag
// of several words ("alt text") stays one tag when read back; retrieval
// and full-text search read the words as before.
func joinTags(tags []string) string {
	var b strings.Builder
	for _, t := range tags {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

// splitTags reads what joinTags stored. Databases indexed before it
// joined tags with spaces, and those split into words until re-indexed.
func splitTags(s string) []string {
	if !strings.HasSuffix(s, "\n") {
		return strings.Fields(s)
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

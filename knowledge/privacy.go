package knowledge

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

// Privacy is the knowledge base's privacy.Provider: the questions people
// asked, their feedback on answers, other people's questions that name
// them, and documents written from their data (an FAQ from their
// question, a case study from a shout-out), which live in the knowledge
// folders.
type Privacy struct {
	db   *store.DB
	dirs []string
	log  *slog.Logger
}

var (
	_ privacy.Provider   = Privacy{}
	_ privacy.Identifier = Privacy{}
)

// Privacy returns the provider for data-protection requests.
func (b *Base) Privacy() Privacy { return Privacy{db: b.db, dirs: b.opts.Dirs, log: b.log} }

// PrivacyProvider returns the provider for a database and its knowledge
// folders without opening the index, for admin commands (bothy privacy
// ...). Erasing re-indexes the folders when it rewrites a document.
func PrivacyProvider(db *store.DB, dirs []string, log *slog.Logger) Privacy {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return Privacy{db: db, dirs: dirs, log: log.With("component", "knowledge")}
}

// Name labels this provider's section of an export.
func (Privacy) Name() string { return "knowledge" }

type exportQuestion struct {
	ID        int64   `json:"id"`
	At        string  `json:"at"`
	Platform  string  `json:"platform"`
	Room      string  `json:"room"`
	Text      string  `json:"text"`
	Answered  bool    `json:"answered"`
	Confident float64 `json:"confidence"`
	Sources   string  `json:"sources"`
	// Resolved is the FAQ written from the question, if any.
	Resolved string `json:"answered_by_document,omitempty"`
}

type exportFeedback struct {
	QuestionID int64  `json:"question_id"`
	At         string `json:"at"`
	Helpful    bool   `json:"helpful"`
}

// exportPhrasing is a question of the member's that an organiser kept as
// a way of asking for a section (kb link, kb confirm).
type exportPhrasing struct {
	QuestionID int64  `json:"question_id"`
	Document   string `json:"document"`
	Section    string `json:"section_anchor"`
	Text       string `json:"text"`
	At         string `json:"at"`
}

type exportDocument struct {
	ID    string `json:"id"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

// faqTitle is the title AnswerGap gives the FAQ written from a question.
func faqTitle(question string) string {
	title := strings.TrimSpace(bot.OneLine(question))
	if r := []rune(title); len(r) > 120 {
		title = string(r[:120]) + "…"
	}
	return title
}

func (p Privacy) questions(ctx context.Context, where string, args ...any) ([]exportQuestion, error) {
	out, err := store.List(ctx, p.db.Read, func(sc store.Scanner) (exportQuestion, error) {
		var q exportQuestion
		err := sc.Scan(&q.ID, &q.At, &q.Platform, &q.Room, &q.Text, &q.Answered, &q.Confident, &q.Sources, &q.Resolved)
		return q, err
	}, `SELECT id, at, platform, room_id, text, answered, confidence, sources, resolved
		FROM kb_questions `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("knowledge: questions: %w", err)
	}
	if out == nil {
		out = []exportQuestion{} // the export says [] rather than null
	}
	return out, nil
}

// Identify adds the member's questions, the forms of them an FAQ keeps
// (its title and the slug in its id) and the FAQs written from them.
func (p Privacy) Identify(ctx context.Context, s *privacy.Subject) error {
	qs, err := p.questions(ctx, "WHERE user_id = ?", s.UserID)
	if err != nil {
		return err
	}
	for _, q := range qs {
		s.AddText(q.Text)
		s.AddText(faqTitle(q.Text))
		if q.Resolved != "" {
			s.AddDocument(q.Resolved)
			if sl := strings.TrimPrefix(q.Resolved, "faq-"+strconv.FormatInt(q.ID, 10)+"-"); sl != q.Resolved {
				s.AddText(sl)
			}
		}
	}
	return nil
}

// documents returns the documents written from the subject's data: those
// the providers named (an FAQ from their question, a case study from their
// shout-out), and any other document Bothy wrote (an FAQ from `kb answer`,
// a promoted case study) whose text names them, such as an FAQ an erased
// organiser answered ("Answered by ...", or "Answered in chat by ..." in
// files written before the web console could answer). Indexed ones come from
// the index, drafts (kept out of it) from their files, <id>.md.
func (p Privacy) documents(ctx context.Context, s *privacy.Subject) ([]exportDocument, error) {
	out := []exportDocument{}
	seen := map[string]bool{}
	add := func(d exportDocument) {
		if !seen[d.ID] {
			seen[d.ID] = true
			out = append(out, d)
		}
	}
	for _, id := range s.Documents() {
		var d exportDocument
		err := p.db.Read.QueryRowContext(ctx, "SELECT id, path, title FROM kb_documents WHERE id = ? AND origin = ?", id, originFolder).
			Scan(&d.ID, &d.Path, &d.Title)
		if err == nil {
			add(d)
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("knowledge: documents: %w", err)
		}
		if name := id + ".md"; name == filepath.Base(name) && p.draftFile(name) != "" {
			add(exportDocument{ID: id, Path: name, Title: "(draft, not indexed)"})
		}
	}
	// Documents Bothy wrote that name the member.
	rows, err := p.db.Read.QueryContext(ctx, `SELECT d.id, d.path, d.title, d.title || ' ' || group_concat(c.headings || ' ' || c.body, ' ')
		FROM kb_documents d JOIN kb_chunks c ON c.doc_id = d.id
		WHERE d.origin = ? AND (' ' || replace(d.tags, char(10), ' ') || ' ' LIKE '% community-answer %' OR d.id LIKE 'case-study-shoutout-%')
		GROUP BY d.id ORDER BY d.id`, originFolder)
	if err != nil {
		return nil, fmt.Errorf("knowledge: documents: %w", err)
	}
	defer rows.Close()
	// Streamed, not store.List: each row carries a whole document's text and only those naming the member are kept.
	for rows.Next() {
		var d exportDocument
		var text string
		if err := rows.Scan(&d.ID, &d.Path, &d.Title, &text); err != nil {
			return nil, fmt.Errorf("knowledge: documents: %w", err)
		}
		if s.Mentions(text) {
			add(d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: documents: %w", err)
	}
	for _, dir := range p.dirs {
		drafts, _ := filepath.Glob(filepath.Join(dir, "case-study-shoutout-*.md"))
		for _, f := range drafts {
			id := strings.TrimSuffix(filepath.Base(f), ".md")
			if seen[id] {
				continue
			}
			if data, err := os.ReadFile(f); err == nil && s.Mentions(string(data)) {
				add(exportDocument{ID: id, Path: filepath.Base(f), Title: "(draft, not indexed)"})
			}
		}
	}
	return out, nil
}

// draftFile finds a document file by name at the top of a knowledge folder.
func (p Privacy) draftFile(name string) string {
	for _, dir := range p.dirs {
		if st, err := os.Lstat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() {
			return filepath.Join(dir, name)
		}
	}
	return ""
}

// ExportUser returns the member's questions and feedback, other people's
// questions that name them, and the documents written from their data.
func (p Privacy) ExportUser(ctx context.Context, s *privacy.Subject) (any, error) {
	out := struct {
		Questions []exportQuestion `json:"questions"`
		Feedback  []exportFeedback `json:"feedback"`
		Naming    []exportQuestion `json:"questions_naming_you"`
		Phrasings []exportPhrasing `json:"questions_kept_as_phrasings"`
		Documents []exportDocument `json:"documents_from_your_data"`
	}{Feedback: []exportFeedback{}, Naming: []exportQuestion{}, Phrasings: []exportPhrasing{}}
	var err error
	if out.Questions, err = p.questions(ctx, "WHERE user_id = ?", s.UserID); err != nil {
		return nil, err
	}
	others, err := p.questions(ctx, "WHERE user_id != ?", s.UserID)
	if err != nil {
		return nil, err
	}
	// Other people's questions are theirs: one names the member only by
	// ID or name, never by asking in the same words (privacy.ScrubNames).
	for _, q := range others {
		if s.MentionsName(q.Text) {
			out.Naming = append(out.Naming, q)
		}
	}
	feedback, err := store.List(ctx, p.db.Read, func(sc store.Scanner) (exportFeedback, error) {
		var f exportFeedback
		err := sc.Scan(&f.QuestionID, &f.At, &f.Helpful)
		return f, err
	}, "SELECT question_id, at, helpful FROM kb_feedback WHERE user_id = ? ORDER BY id", s.UserID)
	if err != nil {
		return nil, fmt.Errorf("knowledge: export feedback: %w", err)
	}
	out.Feedback = append(out.Feedback, feedback...)
	phrasings, err := store.List(ctx, p.db.Read, func(sc store.Scanner) (exportPhrasing, error) {
		var ph exportPhrasing
		err := sc.Scan(&ph.QuestionID, &ph.Document, &ph.Section, &ph.Text, &ph.At)
		return ph, err
	}, "SELECT question_id, doc_id, anchor, text, at FROM kb_phrasings WHERE user_id = ? ORDER BY id", s.UserID)
	if err != nil {
		return nil, fmt.Errorf("knowledge: export phrasings: %w", err)
	}
	out.Phrasings = append(out.Phrasings, phrasings...)
	if out.Documents, err = p.documents(ctx, s); err != nil {
		return nil, err
	}
	return out, nil
}

// EraseUser rewrites the documents written from the member's data without
// them (an FAQ from their question gets a title from its answer and an id
// without their words), re-indexes the folders and rebuilds the typo
// vocabulary and the full-text index so no word of theirs is left in
// them, then anonymises their questions (text "[erased]") and feedback
// under the pseudonym, keeping the counts of questions, gaps and votes
// honest, and scrubs them from other people's questions.
func (p Privacy) EraseUser(ctx context.Context, s *privacy.Subject) (int64, error) {
	if s.UserID == "" {
		return 0, nil
	}
	qs, err := p.questions(ctx, "WHERE user_id = ?", s.UserID)
	if err != nil {
		return 0, err
	}
	docs, err := p.documents(ctx, s)
	if err != nil {
		return 0, err
	}
	var n int64
	renamed := map[string]string{}
	for _, d := range docs {
		newID, err := p.rewriteDocument(d, s, qs)
		if err != nil {
			return n, fmt.Errorf("knowledge: erase: %w", err)
		}
		renamed[d.ID] = newID
		n++
	}
	if len(docs) > 0 {
		if err := p.reindex(ctx); err != nil {
			return n, fmt.Errorf("knowledge: erase: %w", err)
		}
	}
	others, err := p.questions(ctx, "WHERE user_id != ?", s.UserID)
	if err != nil {
		return n, err
	}
	tx, err := p.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return n, fmt.Errorf("knowledge: erase: %w", err)
	}
	defer tx.Rollback()
	// A rewritten document has a new id: what other questions and
	// phrasings say of it follows, so a kb link to it still answers.
	for from, to := range renamed {
		if from == to {
			continue
		}
		for _, q := range []string{
			"UPDATE kb_phrasings SET doc_id = ? WHERE doc_id = ?",
			"UPDATE kb_questions SET resolved = ? WHERE resolved = ?",
			"UPDATE kb_questions SET passage = ? WHERE passage = ?",
			"UPDATE kb_questions SET also_quoted = ? WHERE also_quoted = ?",
		} {
			if _, err := tx.ExecContext(ctx, q, to, from); err != nil {
				return n, fmt.Errorf("knowledge: erase: follow %s to %s: %w", from, to, err)
			}
		}
		// sources lists the ranked documents' ids, space-separated; the
		// old id carries the member's words.
		if _, err := tx.ExecContext(ctx, `UPDATE kb_questions SET sources = trim(replace(' ' || sources || ' ', ' ' || ?1 || ' ', ' ' || ?2 || ' '))
			WHERE ' ' || sources || ' ' LIKE '% ' || ?1 || ' %'`, from, to); err != nil {
			return n, fmt.Errorf("knowledge: erase: follow %s to %s: %w", from, to, err)
		}
		for _, q := range []string{
			"UPDATE kb_questions SET resolved = ? || substr(resolved, ?) WHERE substr(resolved, 1, ?) = ?",
			"UPDATE kb_questions SET passage = ? || substr(passage, ?) WHERE substr(passage, 1, ?) = ?",
			"UPDATE kb_questions SET also_quoted = ? || substr(also_quoted, ?) WHERE substr(also_quoted, 1, ?) = ?",
		} {
			if _, err := tx.ExecContext(ctx, q, to, len(from)+1, len(from)+1, from+"#"); err != nil {
				return n, fmt.Errorf("knowledge: erase: follow %s to %s: %w", from, to, err)
			}
		}
	}
	for _, q := range qs {
		resolved := q.Resolved
		if r, ok := renamed[resolved]; ok {
			resolved = r
		}
		if _, err := tx.ExecContext(ctx, "UPDATE kb_questions SET user_id = ?, room_id = '', text = ?, message_id = '', resolved = ? WHERE id = ?",
			s.Pseudonym, privacy.ErasedText, resolved, q.ID); err != nil {
			return n, fmt.Errorf("knowledge: erase questions: %w", err)
		}
		n++
	}
	for _, q := range others {
		if t := s.ScrubNames(q.Text); t != q.Text {
			if _, err := tx.ExecContext(ctx, "UPDATE kb_questions SET text = ? WHERE id = ?", t, q.ID); err != nil {
				return n, fmt.Errorf("knowledge: erase mentions: %w", err)
			}
			n++
		}
	}
	res, err := tx.ExecContext(ctx, "UPDATE kb_feedback SET user_id = ? WHERE user_id = ?", s.Pseudonym, s.UserID)
	if err != nil {
		return n, fmt.Errorf("knowledge: erase feedback: %w", err)
	}
	nf, _ := res.RowsAffected()
	// Their questions kept as phrasings go; others' that name them are
	// scrubbed. Either way the index is rebuilt from what is left.
	res, err = tx.ExecContext(ctx, "DELETE FROM kb_phrasings WHERE user_id = ?", s.UserID)
	if err != nil {
		return n, fmt.Errorf("knowledge: erase phrasings: %w", err)
	}
	np, _ := res.RowsAffected()
	nf += np
	if err := scrubPhrasings(ctx, tx, s); err != nil {
		return n, err
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return n, fmt.Errorf("knowledge: erase: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return n, fmt.Errorf("knowledge: erase: %w", err)
	}
	return n + nf, nil
}

// locate finds a document's file in the knowledge folders.
func (p Privacy) locate(d exportDocument) (dir, path string, err error) {
	for _, dir := range p.dirs {
		path := filepath.Join(dir, filepath.FromSlash(d.Path))
		if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() {
			return dir, path, nil
		}
	}
	if len(p.dirs) == 0 {
		return "", "", fmt.Errorf("document %s was written from the member's data, but no knowledge folder is configured (knowledge.dirs) to erase it from", d.ID)
	}
	return "", "", fmt.Errorf("document %s (%s) is not in the knowledge folders %s", d.ID, d.Path, strings.Join(p.dirs, ", "))
}

// rewriteDocument scrubs one derived document's file and returns its id
// afterwards. An FAQ written from one of the member's questions is given
// a title from its answer and an id without their words.
func (p Privacy) rewriteDocument(d exportDocument, s *privacy.Subject, qs []exportQuestion) (string, error) {
	_, path, err := p.locate(d)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	newID, newTitle := d.ID, ""
	for _, q := range qs {
		if q.Resolved == d.ID {
			newID = "faq-" + strconv.FormatInt(q.ID, 10)
		}
	}
	fm, body := splitDocument(data)
	body = s.Scrub(body)
	if newID != d.ID {
		body, newTitle = retitle(body)
	}
	fm, err = scrubFrontMatter(fm, s, newID, newTitle)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	out := fm + body
	if newID == d.ID {
		return d.ID, writeFileMode(path, []byte(out), st.Mode().Perm(), false)
	}
	newPath := filepath.Join(filepath.Dir(path), newID+filepath.Ext(path))
	if err := writeFileMode(newPath, []byte(out), st.Mode().Perm(), true); err != nil {
		return "", err
	}
	if err := os.Remove(path); err != nil {
		return "", err
	}
	p.log.Info("erased a member from a knowledge document", "document", newID)
	return newID, nil
}

// splitDocument separates the front matter block (with its --- lines)
// from the body; a file without front matter has an empty block.
func splitDocument(data []byte) (fm, body string) {
	s := string(data)
	if !strings.HasPrefix(s, "---\n") {
		return "", s
	}
	end := strings.Index(s[4:], "\n---\n")
	if end < 0 {
		return "", s
	}
	cut := 4 + end + len("\n---\n")
	return s[:cut], s[cut:]
}

// scrubFrontMatter scrubs every value of the front matter and sets id and
// title when given.
func scrubFrontMatter(fm string, s *privacy.Subject, id, title string) (string, error) {
	if fm == "" {
		return "", nil
	}
	block := strings.TrimSuffix(strings.TrimPrefix(fm, "---\n"), "---\n")
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(block), &node); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	if len(node.Content) == 0 || node.Content[0].Kind != yaml.MappingNode {
		return s.Scrub(fm), nil
	}
	m := node.Content[0]
	var scrub func(n *yaml.Node)
	scrub = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			n.Value = s.Scrub(n.Value)
		}
		for _, c := range n.Content {
			scrub(c)
		}
	}
	scrub(m)
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case "id":
			m.Content[i+1].Value = id
		case "title":
			if title != "" {
				m.Content[i+1].Value = title
			}
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	return "---\n" + buf.String() + "---\n", nil
}

// retitle gives a document a title from its first sentence after the
// heading (the organiser's answer, for an FAQ), and puts it in the heading.
func retitle(body string) (string, string) {
	lines := strings.Split(body, "\n")
	head := -1
	title := ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case head < 0 && strings.HasPrefix(t, "# "):
			head = i
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "_Answered by") || strings.HasPrefix(t, "_Answered in chat by"):
		case title == "":
			title = firstSentence(t)
		}
	}
	if title == "" {
		title = "Community answer"
	}
	if head >= 0 {
		lines[head] = "# " + title
	}
	return strings.Join(lines, "\n"), title
}

func firstSentence(s string) string {
	if i := strings.IndexAny(s, ".!?"); i > 0 {
		s = s[:i]
	}
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)[:max]
		s = strings.TrimSpace(string(r)) + "…"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// writeFileMode writes data as path with the given mode: as a new file
// only (never over one) when exclusive is set, else over the old one via
// a temporary file and rename, so the folder watcher never reads half a
// file.
func writeFileMode(path string, data []byte, mode fs.FileMode, exclusive bool) error {
	if exclusive {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return err
		}
		if err := writeAll(f, data, mode); err != nil {
			os.Remove(path)
			return err
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bothy-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeAll(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// reindex ingests the folders again, so the rewritten documents replace
// the old ones, then rebuilds what ingest only ever adds to: the typo
// vocabulary (words of the old text) and the full-text index's segments
// (which keep deleted terms until they are merged).
func (p Privacy) reindex(ctx context.Context) error {
	if _, err := Open(ctx, p.db, Options{Dirs: p.dirs, NoStarter: true, Logger: p.log}); err != nil {
		return err
	}
	tx, err := p.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM kb_words"); err != nil {
		return fmt.Errorf("rebuild vocabulary: %w", err)
	}
	word, err := tx.PrepareContext(ctx, "INSERT OR IGNORE INTO kb_words(word, stem) VALUES (?, ?)")
	if err != nil {
		return fmt.Errorf("rebuild vocabulary: %w", err)
	}
	defer word.Close()
	ins := &insertStmts{word: word, words: map[string]bool{}}
	all, err := store.List(ctx, tx, store.Column[string], `SELECT title || ' ' || tags FROM kb_documents
		UNION ALL SELECT headings || ' ' || body FROM kb_chunks`)
	if err != nil {
		return fmt.Errorf("rebuild vocabulary: %w", err)
	}
	for _, t := range all {
		ins.addWords(ctx, t)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO kb_fts(kb_fts) VALUES('optimize')"); err != nil {
		return fmt.Errorf("merge the full-text index: %w", err)
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Prune deletes questions (and their feedback) asked before a time.
func (p Privacy) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := p.db.Write.ExecContext(ctx, "DELETE FROM kb_questions WHERE at < ?", stamp(before))
	if err != nil {
		return 0, fmt.Errorf("knowledge: prune questions: %w", err)
	}
	return res.RowsAffected()
}

// scrubPhrasings takes a member's names and words out of phrasings other
// people's questions left.
func scrubPhrasings(ctx context.Context, tx *sql.Tx, s *privacy.Subject) error {
	type phrasing struct {
		id   int64
		text string
	}
	all, err := store.List(ctx, tx, func(sc store.Scanner) (phrasing, error) {
		var ph phrasing
		err := sc.Scan(&ph.id, &ph.text)
		return ph, err
	}, "SELECT id, text FROM kb_phrasings")
	if err != nil {
		return fmt.Errorf("knowledge: erase phrasings: %w", err)
	}
	for _, ph := range all {
		t := s.ScrubNames(ph.text) // the member's own phrasings are deleted by user
		if t == ph.text {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE kb_phrasings SET text = ? WHERE id = ?", t, ph.id); err != nil {
			return fmt.Errorf("knowledge: erase phrasings: %w", err)
		}
	}
	return nil
}

package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/bothy-chat/bothy/bot"
)

// ErrNoFolder means an operation needs a configured knowledge folder.
var ErrNoFolder = errors.New("no knowledge folder is configured (set knowledge.dirs), so there is nowhere to write the answer")

// SetUpFolderHelp tells an organiser how to give Bothy a knowledge folder
// to write to, for commands that write documents (kb answer, shoutout
// promote) while only the built-in starter documents are in use.
const SetUpFolderHelp = "Bothy is answering from its built-in starter documents, so there is no knowledge folder to write to yet. " +
	"To set one up: make a folder (for example knowledge), copy the starter documents into it if you want to keep them " +
	"(bothy kb export-starter knowledge), add it to bothy.yaml as `knowledge: {dirs: [knowledge]}` " +
	"(or set BOTHY_KNOWLEDGE_DIRS=knowledge) and restart Bothy. Then try again."

// AnsweredError says a gap has an answer already, and where it is.
type AnsweredError struct {
	QuestionID int64
	DocID      string
	// Path is the answer's file, when it can be found.
	Path string
}

func (e *AnsweredError) Error() string {
	return fmt.Sprintf("question %d is answered already by %s", e.QuestionID, e.DocID)
}

// AnswerGap turns an organiser's answer to an unanswered question into a
// new faq document in the first knowledge folder, re-indexes, and marks
// the question resolved. It returns the new document's id and file path.
func (b *Base) AnswerGap(ctx context.Context, questionID int64, answer, author string) (id, path string, err error) {
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return "", "", errors.New("the answer is empty")
	}
	if len(b.opts.Dirs) == 0 {
		return "", "", ErrNoFolder
	}
	question, _, resolved, err := b.question(ctx, questionID)
	if err != nil {
		return "", "", err
	}
	// Answered before, and that answer is still there: the earlier answer
	// stays, and the organiser edits its file rather than a second one
	// replacing it.
	if resolved != "" {
		if path, ok := b.documentFile(ctx, resolved); ok {
			return resolved, path, &AnsweredError{QuestionID: questionID, DocID: resolved, Path: path}
		}
	}
	title := strings.TrimSpace(bot.OneLine(question))
	if r := []rune(title); len(r) > 120 {
		title = string(r[:120]) + "…"
	}
	id = fmt.Sprintf("faq-%d-%s", questionID, slug(title, 48))
	meta := Meta{ID: id, Title: title, Kind: "faq", Tags: []string{"faq", "community-answer"}, Updated: b.clock.Now().Format("2006-01-02")}
	body := fmt.Sprintf("# %s\n\n%s\n", title, answer)
	if author != "" {
		// In chat or on the web console: the stamp does not say which.
		body += fmt.Sprintf("\n_Answered by %s._\n", author)
	}
	doc, err := NewDocument(meta, body)
	if err != nil {
		return "", "", err
	}
	if path, ok := b.documentFile(ctx, id); ok {
		// Another file already uses this id (a curated document).
		return id, path, fmt.Errorf("%s: %w", path, ErrExists)
	}
	path, err = CreateDocument(b.opts.Dirs[0], id+".md", doc)
	if err != nil {
		return id, path, err
	}
	rep, err := b.Ingest(ctx, b.opts.Dirs...)
	if err != nil {
		return id, path, err
	}
	for _, e := range rep.Errors {
		b.log.Warn("skipped a knowledge file", "err", e)
	}
	if err := b.markResolved(ctx, questionID, id); err != nil {
		return id, path, err
	}
	// The asker's wording becomes a phrasing of the new answer, as kb link
	// makes it: the answer's text need not share a word with the question,
	// and the next person asking that way must be answered from it, not
	// from a section of another document that does.
	if err := b.addPhrasing(ctx, questionID, id, "", "answer", author, nil); err != nil {
		return id, path, err
	}
	return id, path, nil
}

// documentFile finds the file of an indexed document in the knowledge
// folders; ok is false when no folder document has that id or its file is
// gone.
func (b *Base) documentFile(ctx context.Context, id string) (string, bool) {
	var rel string
	err := b.db.Read.QueryRowContext(ctx, "SELECT path FROM kb_documents WHERE id = ? AND origin = ?", id, originFolder).Scan(&rel)
	if err != nil {
		return "", false
	}
	for _, dir := range b.opts.Dirs {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}

// slug makes a file-name-safe lower-case slug of at most n bytes.
func slug(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= n {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "question"
	}
	return out
}

package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// ErrNoFolder means an operation needs a configured knowledge folder.
var ErrNoFolder = errors.New("no knowledge folder is configured (set knowledge.dirs), so there is nowhere to write the answer")

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
	question, _, err := b.question(ctx, questionID)
	if err != nil {
		return "", "", err
	}
	title := strings.TrimSpace(oneLine(question))
	if r := []rune(title); len(r) > 120 {
		title = string(r[:120]) + "…"
	}
	id = fmt.Sprintf("faq-%d-%s", questionID, slug(title, 48))
	fm := struct {
		ID           string   `yaml:"id"`
		Title        string   `yaml:"title"`
		Kind         string   `yaml:"kind"`
		Tags         []string `yaml:"tags,flow"`
		Organisation string   `yaml:"organisation,omitempty"`
		Updated      string   `yaml:"updated"`
	}{ID: id, Title: title, Kind: "faq", Tags: []string{"faq", "community-answer"}, Updated: b.clock.Now().Format("2006-01-02")}
	head, err := yaml.Marshal(fm)
	if err != nil {
		return "", "", fmt.Errorf("knowledge: write faq: %w", err)
	}
	var body strings.Builder
	body.WriteString("---\n")
	body.Write(head)
	body.WriteString("---\n")
	fmt.Fprintf(&body, "# %s\n\n%s\n", title, answer)
	if author != "" {
		fmt.Fprintf(&body, "\n_Answered in chat by %s._\n", author)
	}
	path = filepath.Join(b.opts.Dirs[0], id+".md")
	if err := writeFileAtomic(path, []byte(body.String())); err != nil {
		return "", "", fmt.Errorf("knowledge: write faq: %w", err)
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
	return id, path, nil
}

// writeFileAtomic writes via a temporary file and rename, so the folder
// watcher never indexes half a file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".bothy-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
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

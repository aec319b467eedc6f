package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Drafts: a document whose front matter says "draft: true" (a case study
// written from a shout-out, say) is kept out of the index, so nothing is
// answered from it, placeholders and all, until an organiser publishes it.

// DraftInfo is one draft document in the knowledge folders.
type DraftInfo struct {
	ID, Title string
	// Path is the draft's file.
	Path string
	// Unfinished are the file lines that still hold a placeholder ("- (what
	// worked?)") or Bothy's draft note, which must go before publishing.
	Unfinished []int
}

// ErrNoDraft means no draft in the knowledge folders has the given id.
var ErrNoDraft = errors.New("no draft with that id")

// UnfinishedError refuses to publish a draft that still has placeholders
// or the draft note.
type UnfinishedError struct{ Draft DraftInfo }

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("draft %s still has placeholder text on line(s) %s of %s", e.Draft.ID, joinInts(e.Draft.Unfinished), e.Draft.Path)
}

// Drafts lists the drafts in the knowledge folders, by id.
func (b *Base) Drafts(ctx context.Context) ([]DraftInfo, error) {
	if len(b.opts.Dirs) == 0 {
		return nil, ErrNoFolder
	}
	var out []DraftInfo
	for _, dir := range b.opts.Dirs {
		files, err := readFolder(dir)
		if err != nil {
			return nil, fmt.Errorf("knowledge: drafts in %s: %w", dir, err)
		}
		for _, f := range files {
			if f.err != nil {
				continue
			}
			d, err := Parse(f.rel, f.data)
			if err != nil || !d.Draft {
				continue
			}
			out = append(out, DraftInfo{ID: d.ID, Title: d.Title, Path: f.display, Unfinished: unfinishedLines(f.data)})
		}
	}
	return out, nil
}

// Publish makes a draft live: it takes "draft: true" out of the file's
// front matter (nothing else in the file changes) and indexes the folders,
// so the document is answered from at once. A draft that still has
// placeholders or the draft note is refused with an *UnfinishedError.
func (b *Base) Publish(ctx context.Context, id string) (DraftInfo, error) {
	drafts, err := b.Drafts(ctx)
	if err != nil {
		return DraftInfo{}, err
	}
	var d DraftInfo
	for _, have := range drafts {
		if have.ID == id {
			d = have
		}
	}
	if d.ID == "" {
		return DraftInfo{ID: id}, fmt.Errorf("%s: %w", id, ErrNoDraft)
	}
	if len(d.Unfinished) > 0 {
		return d, &UnfinishedError{d}
	}
	data, err := os.ReadFile(d.Path)
	if err != nil {
		return d, fmt.Errorf("knowledge: publish %s: %w", id, err)
	}
	out, ok := dropDraftLine(data)
	if !ok {
		return d, fmt.Errorf("knowledge: publish %s: no draft: true line in the front matter of %s", id, d.Path)
	}
	if err := replaceFile(d.Path, out); err != nil {
		return d, fmt.Errorf("knowledge: publish %s: %w", id, err)
	}
	rep, err := b.Ingest(ctx, b.opts.Dirs...)
	if err != nil {
		return d, err
	}
	for _, e := range rep.Errors {
		b.log.Warn("skipped a knowledge file", "err", e)
	}
	return d, nil
}

var (
	// A list item that is only a bracketed prompt: "- (what worked?)".
	placeholderLine = regexp.MustCompile(`^\s*[-*]\s*\(.*\)\s*$`)
	// The note Bothy puts at the top of a draft it wrote.
	draftNoteLine = regexp.MustCompile(`^\s*>\s*\*\*Draft`)
	draftKeyLine  = regexp.MustCompile(`^draft:\s*(true|yes|on)\s*(#.*)?$`)
)

func unfinishedLines(data []byte) []int {
	var out []int
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimRight(l, "\r")
		if placeholderLine.MatchString(l) || draftNoteLine.MatchString(l) {
			out = append(out, i+1)
		}
	}
	return out
}

// dropDraftLine removes the "draft: true" line from the front matter.
func dropDraftLine(data []byte) ([]byte, bool) {
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\r\n") != "---" {
		return nil, false
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r\n")
		if l == "---" {
			break
		}
		if draftKeyLine.MatchString(l) {
			return []byte(strings.Join(append(lines[:i:i], lines[i+1:]...), "")), true
		}
	}
	return nil, false
}

// replaceFile writes data over path through a file beside it and a
// rename, keeping path's permissions, so the watcher never reads half.
func replaceFile(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bothy-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeAll(tmp, data, info.Mode().Perm()); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

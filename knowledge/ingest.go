package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bothy-chat/bothy/bot"
)

// IngestReport says what an ingest changed. Errors holds one *ParseError
// (path:line: message) per file that was skipped.
type IngestReport struct {
	Added, Updated, Removed, Unchanged int
	Errors                             []error
	// StarterReplaced is true when this ingest replaced the embedded
	// starter knowledge base.
	StarterReplaced bool
	// Drafts are the ids of documents marked draft: true, which were not
	// indexed (and were taken out of the index if they had been).
	Drafts []string
}

func (r IngestReport) String() string {
	s := fmt.Sprintf("added %d, updated %d, removed %d, unchanged %d", r.Added, r.Updated, r.Removed, r.Unchanged)
	if n := len(r.Drafts); n > 0 {
		s += fmt.Sprintf("; %d draft(s) not answered from until published (kb publish ID): %s", n, strings.Join(r.Drafts, ", "))
	}
	return s
}

// Changed reports whether the index is different after the ingest.
func (r IngestReport) Changed() bool {
	return r.Added+r.Updated+r.Removed > 0 || r.StarterReplaced
}

const (
	originStarter = "starter"
	originFolder  = "folder"
	// maxFileBytes keeps one runaway file from filling memory; real
	// guidance documents are a few KB.
	maxFileBytes = 4 << 20
)

type sourceFile struct {
	rel     string // path relative to its folder: the default id
	display string // what errors show
	data    []byte
	err     error
}

// Ingest indexes every Markdown file under dirs, replacing what an earlier
// ingest (or the embedded starter) put in the database. Unchanged files are
// skipped, changed ones re-indexed, deleted ones removed. Files that cannot
// be parsed are reported and skipped; their earlier version, if any, stays.
func (b *Base) Ingest(ctx context.Context, dirs ...string) (IngestReport, error) {
	if len(dirs) == 0 {
		return IngestReport{}, errors.New("knowledge: ingest: no folders given")
	}
	var files []sourceFile
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil {
			return IngestReport{}, fmt.Errorf("knowledge: ingest: %w", err)
		}
		if !st.IsDir() {
			return IngestReport{}, fmt.Errorf("knowledge: ingest: %s is not a folder", dir)
		}
		found, err := readFolder(dir)
		if err != nil {
			return IngestReport{}, fmt.Errorf("knowledge: ingest %s: %w", dir, err)
		}
		files = append(files, found...)
	}
	rep, err := b.sync(ctx, originFolder, files)
	if err != nil {
		return rep, err
	}
	if err := b.db.SetKV(ctx, kvNamespace, "ingested", "1"); err != nil {
		return rep, err
	}
	return rep, nil
}

// errNotInside refuses a Markdown name that is not a regular file inside
// the knowledge folder: a symlink out of it (to /proc/self/environ, say,
// which would index the bot's secrets), a FIFO (which would block the
// read), a device (/dev/zero would fill memory) or a folder.
var errNotInside = errors.New("not a regular file inside the knowledge folder")

// readFolder lists the Markdown files of one knowledge folder and reads
// those that are regular files resolving inside it. The walk and every
// open go through an os.Root, so nothing outside the folder is read even
// if the tree changes while it is read.
func readFolder(dir string) ([]sourceFile, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	rootReal, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if rootReal, err = filepath.Abs(rootReal); err != nil {
		return nil, err
	}
	return readMarkdown(root.FS(),
		func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) },
		func(rel string) ([]byte, error) { return readInside(root, dir, rootReal, rel) })
}

// readInside reads rel (slash-separated, under dir) if it is a regular
// file inside the folder, a symlink to one included; size is checked on
// the file actually opened, not on a link.
func readInside(root *os.Root, dir, rootReal, rel string) ([]byte, error) {
	name := filepath.FromSlash(rel)
	info, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		// os.Root refuses absolute links even to files inside the
		// folder, so resolve the link and open what it names, relative
		// to the root (which still refuses an escape).
		target, err := filepath.EvalSymlinks(filepath.Join(dir, name))
		if err != nil {
			return nil, errNotInside
		}
		if target, err = filepath.Abs(target); err != nil {
			return nil, errNotInside
		}
		inside, err := filepath.Rel(rootReal, target)
		if err != nil || inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) || filepath.IsAbs(inside) {
			return nil, errNotInside
		}
		name = inside
	} else if !info.Mode().IsRegular() {
		return nil, errNotInside
	}
	// Non-blocking, so a FIFO swapped in after the check above cannot
	// hang the open; the type is checked again on the open file.
	f, err := root.OpenFile(name, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotInside
	}
	if st.Size() > maxFileBytes {
		return nil, tooLarge(st.Size())
	}
	// Limited, in case the file grows between the stat and the read.
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileBytes {
		return nil, tooLarge(int64(len(data)))
	}
	return data, nil
}

func tooLarge(n int64) error {
	return fmt.Errorf("file is too large (%d bytes; the limit is %d)", n, maxFileBytes)
}

// readMarkdown lists *.md files (not README.md, not hidden) in a tree and
// reads each with read.
func readMarkdown(fsys fs.FS, display func(string) string, read func(string) ([]byte, error)) ([]sourceFile, error) {
	var out []sourceFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			out = append(out, sourceFile{rel: p, display: display(p), err: err})
			return nil
		}
		name := d.Name()
		if p != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.EqualFold(path.Ext(name), ".md") || strings.EqualFold(name, "README.md") {
			return nil
		}
		f := sourceFile{rel: p, display: display(p)}
		f.data, f.err = read(p)
		out = append(out, f)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, err
}

// sync makes the documents of one origin in the database equal to files.
// Ingesting folders also removes the starter documents.
// progressEvery is how many documents pass between Progress calls.
const progressEvery = 500

func (b *Base) sync(ctx context.Context, origin string, files []sourceFile) (IngestReport, error) {
	b.ingestMu.Lock()
	defer b.ingestMu.Unlock()
	var rep IngestReport
	var docs []*Document
	failedPaths := map[string]bool{}
	seenIDs, draftIDs := map[string]string{}, map[string]string{}
	for _, f := range files {
		if errors.Is(f.err, errNotInside) {
			// The whole file is refused, so no line number.
			rep.Errors = append(rep.Errors, &ParseError{Path: f.display, Msg: f.err.Error()})
			failedPaths[f.rel] = true
			continue
		}
		if f.err != nil {
			rep.Errors = append(rep.Errors, &ParseError{Path: f.display, Line: 1, Msg: bot.OneLine(f.err.Error())})
			failedPaths[f.rel] = true
			continue
		}
		d, err := Parse(f.rel, f.data)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				pe.Path = f.display
			}
			rep.Errors = append(rep.Errors, err)
			failedPaths[f.rel] = true
			continue
		}
		if prev, dup := seenIDs[d.ID]; dup {
			rep.Errors = append(rep.Errors, &ParseError{Path: f.display, Line: 1, Msg: fmt.Sprintf("id %q is already used by %s", d.ID, prev)})
			continue
		}
		if prev, dup := draftIDs[d.ID]; dup {
			rep.Errors = append(rep.Errors, &ParseError{Path: f.display, Line: 1, Msg: fmt.Sprintf("id %q is already used by the draft %s", d.ID, prev)})
			continue
		}
		if d.Draft {
			// Left out of seenIDs, so an earlier published version is
			// taken out of the index too.
			draftIDs[d.ID] = f.display
			rep.Drafts = append(rep.Drafts, d.ID)
			continue
		}
		seenIDs[d.ID] = f.display
		docs = append(docs, d)
	}

	tx, err := b.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("knowledge: ingest: %w", err)
	}
	defer tx.Rollback()
	stored, err := loadStoredDocs(ctx, tx)
	if err != nil {
		return rep, err
	}
	ins, err := prepareInserts(ctx, tx)
	if err != nil {
		return rep, err
	}
	defer ins.close()
	now := b.clock.Now()
	for i, d := range docs {
		if b.opts.Progress != nil && i > 0 && i%progressEvery == 0 {
			b.opts.Progress(i, len(docs))
		}
		old, exists := stored[d.ID]
		switch {
		case exists && old.hash == d.Hash && old.origin == origin && old.path == d.Path:
			rep.Unchanged++
			continue
		case exists:
			if err := deleteDoc(ctx, tx, d.ID); err != nil {
				return rep, err
			}
			if old.origin == origin {
				rep.Updated++
			} else {
				rep.Added++
			}
		default:
			rep.Added++
		}
		if err := ins.insert(ctx, d, origin, now); err != nil {
			return rep, err
		}
	}
	for id, old := range stored {
		if _, keep := seenIDs[id]; keep {
			continue
		}
		switch {
		case old.origin == origin && failedPaths[old.path]:
			continue // broken now; keep the last good version
		case old.origin == origin:
			rep.Removed++
		case origin == originFolder && old.origin == originStarter:
			rep.StarterReplaced = true
		default:
			continue
		}
		if err := deleteDoc(ctx, tx, id); err != nil {
			return rep, err
		}
	}
	if rep.Changed() {
		if err := bumpGeneration(ctx, tx); err != nil {
			return rep, fmt.Errorf("knowledge: ingest: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return rep, fmt.Errorf("knowledge: ingest: %w", err)
	}
	if rep.Changed() {
		b.embedMissing(ctx)
	}
	if err := b.refresh(ctx, true); err != nil {
		return rep, err
	}
	b.log.Debug("knowledge base ingested", "origin", origin, "added", rep.Added, "updated", rep.Updated,
		"removed", rep.Removed, "unchanged", rep.Unchanged, "errors", len(rep.Errors))
	return rep, nil
}

// loadStarter indexes the embedded starter knowledge base.
func (b *Base) loadStarter(ctx context.Context) error {
	sub, err := fs.Sub(starterFS, "starter")
	if err != nil {
		return err
	}
	files, err := readMarkdown(sub, func(rel string) string { return "starter/" + rel },
		func(rel string) ([]byte, error) { return fs.ReadFile(sub, rel) })
	if err != nil {
		return err
	}
	rep, err := b.sync(ctx, originStarter, files)
	if err != nil {
		return err
	}
	for _, e := range rep.Errors {
		b.log.Error("starter knowledge base has a broken file", "err", e)
	}
	return nil
}

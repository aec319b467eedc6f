package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/knowledge"
)

// Documents: browse by kind and tag, edit front matter and sections with
// a preview, create and retire. The knowledge folder stays the source of
// truth: a save writes the Markdown file and re-indexes at once. A save
// is refused, and nothing lost, when the file changed since the form was
// opened, or when the front matter does not parse (with the same
// path:line: message kb ingest gives), and then the file is not touched.

// retiredDir is where retired documents go inside their folder; ingest
// skips folders whose names start with a dot.
const retiredDir = ".retired"

type docRow struct {
	knowledge.DocumentInfo
	Overdue bool
	Flags   int
}

type retiredFile struct {
	Dir  int
	Name string
}

type docsData struct {
	Drafts   []knowledge.DraftInfo
	Enabled  bool
	Editable bool
	Kinds    []string
	Tags     []string
	Kind     string
	Tag      string
	Docs     []docRow
	Overdue  []docRow
	Reviews  []review
	Retired  []retiredFile
	Total    int
}

func (c *Console) today() string { return c.now().In(c.loc).Format("2006-01-02") }

// overdue reports whether a review_by date has passed.
func (c *Console) overdue(reviewBy string) bool {
	if _, err := time.Parse("2006-01-02", reviewBy); err != nil {
		return false
	}
	return reviewBy < c.today()
}

func (c *Console) docsPage(w http.ResponseWriter, r *http.Request) {
	d := docsData{Enabled: c.opts.Knowledge != nil}
	if !d.Enabled {
		c.render(w, r, "docs.html", http.StatusOK, "Documents", d)
		return
	}
	ctx := r.Context()
	docs, err := c.opts.Knowledge.Documents(ctx)
	if err != nil {
		c.fail(w, r, "listing documents", err)
		return
	}
	reviews, err := openReviews(ctx, c.db)
	if err != nil {
		c.fail(w, r, "listing reviews", err)
		return
	}
	flags := map[string]int{}
	for _, rv := range reviews {
		flags[rv.DocID]++
	}
	d.Reviews = reviews
	d.Editable = len(c.opts.Knowledge.Dirs()) > 0
	d.Kind, d.Tag = r.URL.Query().Get("kind"), r.URL.Query().Get("tag")
	kinds, tags := map[string]bool{}, map[string]bool{}
	for _, doc := range docs {
		row := docRow{DocumentInfo: doc, Overdue: c.overdue(doc.ReviewBy), Flags: flags[doc.ID]}
		if doc.Kind != "" {
			kinds[doc.Kind] = true
		}
		for _, t := range doc.Tags {
			tags[t] = true
		}
		if row.Overdue {
			d.Overdue = append(d.Overdue, row)
		}
		if (d.Kind == "" || doc.Kind == d.Kind) && (d.Tag == "" || hasTag(doc.Tags, d.Tag)) {
			d.Docs = append(d.Docs, row)
		}
	}
	d.Total = len(docs)
	d.Kinds, d.Tags = sortedKeys(kinds), sortedKeys(tags)
	d.Retired = c.retiredFiles()
	if d.Drafts, err = c.drafts(ctx); err != nil {
		c.fail(w, r, "listing drafts", err)
		return
	}
	c.render(w, r, "docs.html", http.StatusOK, "Documents", d)
}

func hasTag(tags []string, t string) bool {
	for _, have := range tags {
		if strings.EqualFold(have, t) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sectionBox is one section in the form.
type sectionBox struct {
	N     int
	Label string
	Text  string
}

// previewSection is one section as the knowledge base indexes it.
type previewSection struct {
	Heading string
	Words   int
}

type docForm struct {
	New      bool
	ID       string
	Title    string
	File     string
	Version  string
	Editable bool
	// Why the document cannot be edited here.
	ReadOnly    string
	FrontMatter string
	Sections    []sectionBox
	NewSection  string
	Problem     string
	// Conflict is the file as it is now on disk, when a save was refused
	// because someone else saved first.
	Conflict  string
	Previewed bool
	Preview   template.HTML
	Indexed   []previewSection
	Parsed    *knowledge.Document
	Reviews   []review
	Kinds     []string
	// Draft documents are not answered from until published; Unfinished
	// are the lines that still hold placeholders.
	Draft      bool
	Unfinished []int
}

// docRef is a document the console can open: an indexed one, or a draft
// (kept out of the index until it is published).
type docRef struct {
	knowledge.DocumentInfo
	Draft      bool
	Unfinished []int
}

// findDoc finds a document by id among the indexed ones, then the drafts.
func (c *Console) findDoc(ctx context.Context, id string) (docRef, bool, error) {
	docs, err := c.opts.Knowledge.Documents(ctx)
	if err != nil {
		return docRef{}, false, err
	}
	for _, d := range docs {
		if d.ID == id {
			return docRef{DocumentInfo: d}, true, nil
		}
	}
	drafts, err := c.drafts(ctx)
	if err != nil {
		return docRef{}, false, err
	}
	for _, d := range drafts {
		if d.ID == id {
			return docRef{DocumentInfo: knowledge.DocumentInfo{ID: d.ID, Title: d.Title, Folder: true, File: d.Path}, Draft: true, Unfinished: d.Unfinished}, true, nil
		}
	}
	return docRef{}, false, nil
}

// drafts lists the drafts in the knowledge folders (none without one).
func (c *Console) drafts(ctx context.Context) ([]knowledge.DraftInfo, error) {
	d, err := c.opts.Knowledge.Drafts(ctx)
	if errors.Is(err, knowledge.ErrNoFolder) {
		return nil, nil
	}
	return d, err
}

func (c *Console) docPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	info, ok, err := c.findDoc(r.Context(), id)
	if err != nil {
		c.fail(w, r, "finding a document", err)
		return
	}
	if !ok {
		c.renderError(w, r, http.StatusNotFound, "No such document", fmt.Sprintf("There is no document with the id %q. It may have been renamed or retired.", id))
		return
	}
	f := docForm{ID: info.ID, Title: info.Title, File: info.File, Kinds: knowledge.Kinds, Draft: info.Draft, Unfinished: info.Unfinished}
	f.Reviews, err = docReviews(r.Context(), c.db, info.ID)
	if err != nil {
		c.fail(w, r, "listing reviews", err)
		return
	}
	switch {
	case !info.Folder:
		f.ReadOnly = "This document is part of Bothy's built-in starter knowledge base, which is not a folder on disk. To edit documents, set knowledge.dirs to a folder of Markdown files."
	case info.File == "":
		f.ReadOnly = "The file this document was read from is no longer in the knowledge folder. Reload the knowledge base, or restore the file."
	default:
		data, err := os.ReadFile(info.File)
		if err != nil {
			c.fail(w, r, "reading "+info.File, err)
			return
		}
		f.Editable, f.Version = true, version(data)
		f.fill(string(data))
	}
	c.renderDoc(w, r, http.StatusOK, f)
}

func (f *docForm) fill(text string) {
	p := knowledge.SplitParts(text)
	f.FrontMatter = p.FrontMatter
	f.Sections = nil
	for i, s := range p.Sections {
		f.Sections = append(f.Sections, sectionBox{N: i + 1, Label: sectionLabel(s, i), Text: s})
	}
}

func (c *Console) renderDoc(w http.ResponseWriter, r *http.Request, code int, f docForm) {
	title := "Edit " + f.Title
	if f.New {
		title = "New document"
	}
	p := c.newPage(r, title, "docs", f)
	p.Editor = f.Editable
	c.renderPage(w, r, "doc.html", code, p)
}

// version identifies a file's content, to notice a save by someone else.
func version(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// formDoc reads the document form back into a docForm and the file text.
func formDoc(r *http.Request) (docForm, string) {
	f := docForm{
		ID: r.PostFormValue("id"), Version: r.PostFormValue("version"), New: r.PostFormValue("new") == "1",
		FrontMatter: r.PostFormValue("frontmatter"), NewSection: r.PostFormValue("newsection"), Editable: true,
		Kinds: knowledge.Kinds,
	}
	f.FrontMatter = strings.ReplaceAll(f.FrontMatter, "\r\n", "\n")
	texts := append([]string(nil), r.PostForm["section"]...)
	for i, s := range texts {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		texts[i] = s
		f.Sections = append(f.Sections, sectionBox{N: i + 1, Label: sectionLabel(s, i), Text: s})
	}
	f.NewSection = strings.ReplaceAll(f.NewSection, "\r\n", "\n")
	return f, knowledge.JoinParts(f.FrontMatter, append(texts, f.NewSection))
}

// preview fills what the preview shows: the body as the bot renders it
// and the sections as they will be indexed; a document that does not
// parse gets the parse error instead, worded as kb ingest words it.
func (f *docForm) preview(path, rel, text string) {
	f.Previewed = true
	doc, err := knowledge.Parse(rel, []byte(text))
	if err != nil {
		var pe *knowledge.ParseError
		if errors.As(err, &pe) {
			pe.Path = path
		}
		f.Problem = err.Error()
		return
	}
	f.Parsed = doc
	body := knowledge.SplitParts(text)
	html, err := renderMarkdown(strings.Join(body.Sections, ""))
	if err != nil {
		f.Problem = "The preview could not be made: " + err.Error()
		return
	}
	f.Preview = html
	for _, ch := range doc.Chunks {
		h := doc.Title + " (opening text)"
		if len(ch.Headings) > 0 {
			h = strings.Join(ch.Headings, " › ")
		}
		f.Indexed = append(f.Indexed, previewSection{Heading: h, Words: len(strings.Fields(ch.Body))})
	}
}

// docPreview answers the editor script with the preview alone.
func (c *Console) docPreview(w http.ResponseWriter, r *http.Request) {
	if c.opts.Knowledge == nil {
		http.NotFound(w, r)
		return
	}
	f, text := formDoc(r)
	path, rel := c.target(r.Context(), f)
	f.preview(path, rel, text)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages["doc.html"].ExecuteTemplate(w, "preview", f); err != nil {
		c.log.Error("render preview", "request_id", requestID(r), "err", err)
	}
}

// target is the file a form's document is (or would be) saved to: its
// full path, as kb ingest names it in messages, and its path inside the
// knowledge folder, from which a document without an id takes its id.
func (c *Console) target(ctx context.Context, f docForm) (path, rel string) {
	if !f.New {
		if info, ok, err := c.findDoc(ctx, f.ID); err == nil && ok && info.File != "" {
			if _, rel := c.folderOf(info.File); rel != "" {
				return info.File, filepath.ToSlash(rel)
			}
			return info.File, filepath.Base(info.File)
		}
	}
	name := "document"
	// A new file is named after the id typed, or else the title.
	if doc, err := knowledge.Parse("new.md", []byte(knowledge.JoinParts(f.FrontMatter, []string{"x"}))); err == nil {
		if doc.ID != "new" {
			name = doc.ID
		} else if doc.Title != "" && doc.Title != "new" {
			name = doc.Title
		}
	}
	rel = fileName(name)
	dirs := c.opts.Knowledge.Dirs()
	if len(dirs) == 0 {
		return rel, rel
	}
	return filepath.Join(dirs[0], rel), rel
}

// fileName turns a document id into a safe file name.
func fileName(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "document"
	}
	return name + ".md"
}

func (c *Console) docSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, text := formDoc(r)
	if f.New && len(c.opts.Knowledge.Dirs()) == 0 {
		c.renderError(w, r, http.StatusConflict, "No knowledge folder",
			"New documents are written to the knowledge folder, and none is configured: set knowledge.dirs to a folder of Markdown files.")
		return
	}
	var info docRef
	if !f.New {
		var ok bool
		var err error
		if info, ok, err = c.findDoc(ctx, f.ID); err != nil {
			c.fail(w, r, "finding a document", err)
			return
		} else if !ok || !info.Folder || info.File == "" {
			f.Problem = fmt.Sprintf("The document %q is no longer in the knowledge folder (renamed or retired?), so it cannot be saved here. Your text is below: copy it before leaving.", f.ID)
			c.renderDoc(w, r, http.StatusConflict, f)
			return
		}
		f.Title, f.File = info.Title, info.File
	}
	path, rel := c.target(ctx, f)
	if f.New {
		f.File = path
	}
	f.preview(path, rel, text)
	if f.Problem != "" || r.PostFormValue("action") == "preview" {
		code := http.StatusOK
		if f.Problem != "" && r.PostFormValue("action") != "preview" {
			code = http.StatusUnprocessableEntity
		}
		c.renderDoc(w, r, code, f)
		return
	}
	doc := f.Parsed
	c.docMu.Lock()
	defer c.docMu.Unlock()
	if other, taken, err := c.findDoc(ctx, doc.ID); err != nil {
		c.fail(w, r, "checking a document id", err)
		return
	} else if taken && (f.New || other.ID != info.ID) {
		f.Problem = fmt.Sprintf("%s:1: id %q is already used by another document (%s). Choose another id.", path, doc.ID, other.Title)
		c.renderDoc(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	who := sessionOf(r).Who
	if f.New {
		// Most file systems take names of up to 255 bytes.
		if len(filepath.Base(path)) > maxFileName {
			f.Problem = fmt.Sprintf("The id %q is too long to name a file (%d bytes; at most %d with .md). Choose a shorter id.", doc.ID, len(filepath.Base(path)), maxFileName)
			c.renderDoc(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		if err := createFile(path, []byte(text)); err != nil {
			if errors.Is(err, fs.ErrExist) {
				f.Problem = fmt.Sprintf("%s already exists. Give the document another id.", path)
				c.renderDoc(w, r, http.StatusConflict, f)
				return
			}
			c.fail(w, r, "creating "+path, err)
			return
		}
		c.reindex(ctx, r)
		c.auditDone(r, who.UserID, "kb.doc.create", "doc:"+doc.ID, path)
		done(w, r, "/admin/doc?id="+urlQuery(doc.ID), "created")
		return
	}
	current, err := os.ReadFile(info.File)
	if err != nil {
		c.fail(w, r, "reading "+info.File, err)
		return
	}
	if now := version(current); now != f.Version {
		// Someone saved since this form was opened. Keep both: theirs on
		// disk, this person's in the form, with theirs shown to compare.
		f.Conflict, f.Version = string(current), now
		f.Problem = "Someone else saved this document after you opened it, so your changes were not saved. " +
			"Their version is shown below yours. Copy anything of theirs you want to keep into your text, then save again: " +
			"that save will replace their version with yours."
		c.renderDoc(w, r, http.StatusConflict, f)
		return
	}
	if string(current) != text {
		if err := replaceFile(info.File, []byte(text)); err != nil {
			c.fail(w, r, "writing "+info.File, err)
			return
		}
		c.reindex(ctx, r)
		c.auditDone(r, who.UserID, "kb.doc.edit", "doc:"+doc.ID, fmt.Sprintf("%s (version %.12s)", info.File, version([]byte(text))))
	}
	done(w, r, "/admin/doc?id="+urlQuery(doc.ID), "saved")
}

// maxFileName is the longest file name a new document gets.
const maxFileName = 255

func urlQuery(s string) string { return template.URLQueryEscaper(s) }

// reindex re-reads the knowledge folders after a change, so the next
// question is answered from it.
func (c *Console) reindex(ctx context.Context, r *http.Request) {
	rep, err := c.opts.Knowledge.Reload(ctx)
	if err != nil {
		c.log.Error("re-indexing after a change", "request_id", requestID(r), "err", err)
		return
	}
	for _, e := range rep.Errors {
		c.log.Warn("skipped a knowledge file", "request_id", requestID(r), "err", e)
	}
}

// replaceFile writes through a temporary file and a rename, keeping the
// file's permissions, so the folder watcher never reads half a file.
func replaceFile(path string, data []byte) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	tmp, err := writeTemp(filepath.Dir(path), data, st.Mode().Perm())
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, path)
}

// createFile writes a new file, never replacing one: the finished
// temporary file is linked into place, which fails if the name is taken.
func createFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data, siblingMode(dir))
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}

func writeTemp(dir string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".bothy-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// siblingMode is the permission of the folder's other documents, so a new
// file is readable by whoever reads the rest (0644 when there are none).
func siblingMode(dir string) fs.FileMode {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".md") {
			if info, err := e.Info(); err == nil {
				return info.Mode().Perm()
			}
		}
	}
	return 0o644
}

func (c *Console) docNewPage(w http.ResponseWriter, r *http.Request) {
	if c.opts.Knowledge == nil || len(c.opts.Knowledge.Dirs()) == 0 {
		c.renderError(w, r, http.StatusNotFound, "No knowledge folder",
			"New documents are written to the knowledge folder, and none is configured: set knowledge.dirs to a folder of Markdown files.")
		return
	}
	f := docForm{New: true, Editable: true, Kinds: knowledge.Kinds, File: c.opts.Knowledge.Dirs()[0]}
	f.FrontMatter = "id: \ntitle: \nkind: guidance\ntags: []\nupdated: " + c.today() + "\nreview_by: " + c.now().In(c.loc).AddDate(1, 0, 0).Format("2006-01-02") + "\n"
	f.Sections = []sectionBox{{N: 1, Label: "Opening text", Text: "# Title\n\nWhat this document is for, in a sentence or two.\n"}}
	c.renderDoc(w, r, http.StatusOK, f)
}

func (c *Console) docRetire(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PostFormValue("id")
	c.docMu.Lock()
	defer c.docMu.Unlock()
	info, ok, err := c.findDoc(ctx, id)
	if err != nil {
		c.fail(w, r, "finding a document", err)
		return
	}
	if !ok || !info.Folder || info.File == "" {
		c.renderError(w, r, http.StatusNotFound, "Nothing to retire", fmt.Sprintf("The document %q is not a file in the knowledge folder.", id))
		return
	}
	dir, rel := c.folderOf(info.File)
	if dir == "" {
		c.renderError(w, r, http.StatusConflict, "Not in a knowledge folder", "This document's file is outside the configured knowledge folders.")
		return
	}
	dst := filepath.Join(dir, retiredDir, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		c.fail(w, r, "making "+retiredDir, err)
		return
	}
	if _, err := os.Lstat(dst); err == nil {
		dst = strings.TrimSuffix(dst, ".md") + "-" + c.now().UTC().Format("20060102T150405") + ".md"
	}
	if err := os.Rename(info.File, dst); err != nil {
		c.fail(w, r, "retiring "+info.File, err)
		return
	}
	c.reindex(ctx, r)
	c.auditDone(r, sessionOf(r).Who.UserID, "kb.doc.retire", "doc:"+id, dst)
	done(w, r, "/admin/docs", "retired")
}

// folderOf splits a file into the knowledge folder holding it and its
// path inside that folder.
func (c *Console) folderOf(file string) (dir, rel string) {
	for _, d := range c.opts.Knowledge.Dirs() {
		if r, err := filepath.Rel(d, file); err == nil && !strings.HasPrefix(r, "..") && !filepath.IsAbs(r) {
			return d, r
		}
	}
	return "", ""
}

// retiredFiles lists documents in each folder's .retired folder.
func (c *Console) retiredFiles() []retiredFile {
	var out []retiredFile
	for i, d := range c.opts.Knowledge.Dirs() {
		root := filepath.Join(d, retiredDir)
		_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.EqualFold(filepath.Ext(p), ".md") {
				return nil
			}
			if rel, err := filepath.Rel(root, p); err == nil {
				out = append(out, retiredFile{Dir: i, Name: filepath.ToSlash(rel)})
			}
			return nil
		})
	}
	return out
}

func (c *Console) docRestore(w http.ResponseWriter, r *http.Request) {
	dirs := c.opts.Knowledge.Dirs()
	i, err := strconv.Atoi(r.PostFormValue("dir"))
	name := filepath.FromSlash(r.PostFormValue("name"))
	if err != nil || i < 0 || i >= len(dirs) || name == "" || !filepath.IsLocal(name) {
		c.renderError(w, r, http.StatusBadRequest, "Nothing to restore", "That retired document is not in a knowledge folder.")
		return
	}
	c.docMu.Lock()
	defer c.docMu.Unlock()
	src := filepath.Join(dirs[i], retiredDir, name)
	dst := filepath.Join(dirs[i], name)
	if _, err := os.Lstat(dst); err == nil {
		c.renderError(w, r, http.StatusConflict, "A file has that name", dst+" exists already, so the retired document was left where it is.")
		return
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		c.fail(w, r, "restoring "+src, err)
		return
	}
	if err := os.Rename(src, dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// A second press of Restore, or another organiser was first.
			c.renderError(w, r, http.StatusNotFound, "Nothing to restore", "That retired document is no longer among the retired ones: it may have been restored already.")
			return
		}
		c.fail(w, r, "restoring "+src, err)
		return
	}
	c.reindex(r.Context(), r)
	c.auditDone(r, sessionOf(r).Who.UserID, "kb.doc.restore", "file:"+dst, src)
	done(w, r, "/admin/docs", "restored")
}

// docPublish makes a draft live: kb publish's own call, so the same checks
// (no placeholders left) apply.
func (c *Console) docPublish(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	c.docMu.Lock()
	d, err := c.opts.Knowledge.Publish(r.Context(), id)
	c.docMu.Unlock()
	var unfinished *knowledge.UnfinishedError
	switch {
	case errors.As(err, &unfinished):
		c.renderError(w, r, http.StatusUnprocessableEntity, "Not published yet",
			fmt.Sprintf("The draft %s still has placeholder text or the draft note on line(s) %s. Edit it, then publish.", d.ID, joinLines(d.Unfinished)))
		return
	case errors.Is(err, knowledge.ErrNoDraft):
		c.renderError(w, r, http.StatusNotFound, "No such draft", fmt.Sprintf("There is no draft %q: it may have been published already.", id))
		return
	case err != nil:
		c.fail(w, r, "publishing "+id, err)
		return
	}
	c.auditDone(r, sessionOf(r).Who.UserID, "kb.doc.publish", "doc:"+d.ID, d.Path)
	done(w, r, "/admin/doc?id="+urlQuery(d.ID), "published")
}

func joinLines(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

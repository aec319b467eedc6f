// Package knowledge is Bothy's knowledge base: Markdown documents with YAML
// front matter, split into heading sections, indexed in SQLite FTS5 and
// ranked by how much of a question's meaning a passage covers. It answers
// with short extracts (or, when a Writer is set, an LLM answer grounded in
// numbered sources), and abstains, recording the gap, when it does not know.
//
// This package is the Base: parsing and ingest, the SQLite tables, asking
// (retrieve.go runs retrieval's stages, answer.go makes the answer),
// recorded questions and gaps, feedback, learnt phrasings, drafts, the
// /kb/ID page, privacy and eval. The ranking itself (reading a question,
// search, re-ranking, confidence, passages, the extract) is the pure
// package knowledge/retrieval, over a snapshot this package loads from
// SQLite after each ingest (snapshot.go).
package knowledge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"gopkg.in/yaml.v3"

	"github.com/bothy-chat/bothy/bot"
)

// Kinds a document may declare. Other values are kept as written so a
// knowledge base with its own kinds still loads.
var Kinds = []string{"guidance", "policy", "case-study", "faq"}

// Document is one Markdown file of the knowledge base.
type Document struct {
	ID           string
	Title        string
	Kind         string
	Tags         []string
	Organisation string
	URL          string
	Updated      string
	ReviewBy     string
	// Draft is set by "draft: true" in the front matter: the document is
	// not indexed, so nothing is answered from it, until an organiser
	// publishes it (kb publish ID takes the line out).
	Draft bool
	// Questions are other ways people ask what the document answers
	// (front matter `questions:` as a list), indexed with its lead as
	// strongly as headings. Questions for one section are on its Chunk.
	Questions []string
	// Path is where the file was read from (relative to its folder for
	// embedded and folder documents alike).
	Path string
	// Hash is the sha256 of the file's bytes; unchanged files are skipped.
	Hash   string
	Chunks []Chunk
}

// Chunk is one heading section of a document: the unit that is indexed,
// ranked and quoted.
type Chunk struct {
	// Headings is the heading path down to this section (without the
	// document title when the first heading repeats it).
	Headings []string
	Body     string
	// Questions are other ways people ask what this section answers
	// (front matter `questions:` as a map from its heading), indexed with
	// its headings.
	Questions []string
}

// ParseError is a problem in one file, reported as path:line: message.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line <= 0 { // about the whole file, not a line in it
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

type frontMatter struct {
	ID           string       `yaml:"id"`
	Title        string       `yaml:"title"`
	Kind         string       `yaml:"kind"`
	Tags         stringList   `yaml:"tags"`
	Organisation string       `yaml:"organisation"`
	Organization string       `yaml:"organization"`
	Source       string       `yaml:"source"`
	URL          string       `yaml:"url"`
	Updated      string       `yaml:"updated"`
	ReviewBy     string       `yaml:"review_by"`
	Draft        bool         `yaml:"draft"`
	Questions    questionList `yaml:"questions"`
}

// questionList is the front matter's questions: a list (or one line) of
// ways people ask what the document answers, or a map from a section's
// heading, as written after ##, to the ways people ask for that section
// (the document's title stands for its lead).
type questionList struct {
	doc       lineList
	bySection []sectionQuestions
}

type sectionQuestions struct {
	heading   string
	line      int // in the front matter block, for errors
	questions lineList
}

func (q *questionList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return q.doc.UnmarshalYAML(n)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: questions: each key is a section's heading", key.Line)
		}
		sq := sectionQuestions{heading: key.Value, line: key.Line}
		if err := sq.questions.UnmarshalYAML(val); err != nil {
			return err
		}
		q.bySection = append(q.bySection, sq)
	}
	return nil
}

// lineList accepts a list of strings or one string; unlike tags, commas
// do not split it (questions have commas).
type lineList []string

func (l *lineList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = lineList{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: questions must be a list of sentences", c.Line)
			}
			*l = append(*l, c.Value)
		}
	default:
		return fmt.Errorf("line %d: questions must be a list of sentences", n.Line)
	}
	return nil
}

// stringList accepts both `tags: [a, b]` and `tags: a, b`.
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: tags must be words, not nested lists or maps", c.Line)
			}
			out = append(out, c.Value)
		}
		*s = out
	case yaml.ScalarNode:
		for _, p := range strings.Split(n.Value, ",") {
			if p = strings.TrimSpace(p); p != "" {
				*s = append(*s, p)
			}
		}
	default:
		return fmt.Errorf("line %d: tags must be a list such as [moderation, comments]", n.Line)
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// Parse reads one Markdown file. path is used for the default id (path
// without extension) and in error messages.
func Parse(path string, data []byte) (*Document, error) {
	sum := sha256.Sum256(data)
	doc := &Document{Path: path, Hash: hex.EncodeToString(sum[:])}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, &ParseError{path, line, "not valid UTF-8 text (save the file as UTF-8)"}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	body, fmLines, fm, err := splitFrontMatter(path, data)
	if err != nil {
		return nil, err
	}
	doc.ID = strings.TrimSpace(fm.ID)
	if doc.ID == "" {
		doc.ID = strings.TrimSuffix(filepath.ToSlash(path), filepath.Ext(path))
	}
	doc.Title = strings.TrimSpace(fm.Title)
	doc.Kind = strings.ToLower(strings.TrimSpace(fm.Kind))
	for _, t := range fm.Tags {
		if t = strings.TrimSpace(t); t != "" {
			doc.Tags = append(doc.Tags, t)
		}
	}
	doc.Organisation = cmp(fm.Organisation, fm.Organization)
	doc.URL = cmp(fm.Source, fm.URL)
	if doc.URL != "" && !bot.LinkAllowed(doc.URL) {
		key := "source"
		if strings.TrimSpace(fm.Source) == "" {
			key = "url"
		}
		return nil, &ParseError{path, frontMatterLine(data, key), fmt.Sprintf("%s: %q is not a web or email address (only http, https and mailto links are shown)", key, doc.URL)}
	}
	doc.Updated = strings.TrimSpace(fm.Updated)
	doc.ReviewBy = strings.TrimSpace(fm.ReviewBy)
	doc.Draft = fm.Draft
	doc.Questions = oneLines(fm.Questions.doc)
	chunks, h1 := sections(body)
	if doc.Title == "" {
		doc.Title = h1
	}
	if doc.Title == "" {
		doc.Title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	for i := range chunks {
		if len(chunks[i].Headings) > 0 && strings.EqualFold(chunks[i].Headings[0], doc.Title) {
			chunks[i].Headings = chunks[i].Headings[1:]
		}
	}
	doc.Chunks = chunks
	if len(doc.Chunks) == 0 {
		return nil, &ParseError{path, fmLines + 1, "no text after the front matter"}
	}
	for _, sq := range fm.Questions.bySection {
		if !doc.addSectionQuestions(sq.heading, oneLines(sq.questions)) {
			// +1: the block starts on the line after the opening ---.
			return nil, &ParseError{path, sq.line + 1, fmt.Sprintf("questions: no section is headed %q (write a heading as it is after the #s, or the title for the text before the first heading)", sq.heading)}
		}
	}
	return doc, nil
}

// addSectionQuestions gives qs to the section headed heading (every part
// of it, when a long section was split), or to the lead for the title;
// false when no section has that heading.
func (d *Document) addSectionQuestions(heading string, qs []string) bool {
	heading = strings.Join(strings.Fields(heading), " ")
	found := false
	for i := range d.Chunks {
		c := &d.Chunks[i]
		name := d.Title
		if len(c.Headings) > 0 {
			name = c.Headings[len(c.Headings)-1]
		}
		if strings.EqualFold(strings.Join(strings.Fields(name), " "), heading) {
			c.Questions = append(c.Questions, qs...)
			found = true
		}
	}
	if !found && strings.EqualFold(heading, strings.Join(strings.Fields(d.Title), " ")) {
		// A document without a lead: its title stands for the first section.
		d.Chunks[0].Questions = append(d.Chunks[0].Questions, qs...)
		found = true
	}
	return found
}

// oneLines keeps the non-empty lines, each made one line.
func oneLines(ls []string) []string {
	var out []string
	for _, l := range ls {
		if l = bot.OneLine(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// frontMatterLine is the file line of key in the front matter (1, the
// opening ---, if it is not found).
func frontMatterLine(data []byte, key string) int {
	for i, line := range strings.Split(string(data), "\n") {
		if i > 0 && strings.TrimRight(line, "\r") == "---" {
			break
		}
		if strings.HasPrefix(line, key+":") {
			return i + 1
		}
	}
	return 1
}

func cmp(a, b string) string {
	if a = strings.TrimSpace(a); a != "" {
		return a
	}
	return strings.TrimSpace(b)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// splitFrontMatter separates the YAML block between --- lines from the
// Markdown body. fmLines is how many lines the block took, so Markdown
// line numbers could be reported if needed.
func splitFrontMatter(path string, data []byte) (body []byte, fmLines int, fm frontMatter, err error) {
	s := string(data)
	if !hasFrontMatter(s) {
		return data, 0, fm, nil
	}
	block, rest, n, ok := cutFrontMatter(s)
	if !ok {
		return nil, 0, fm, &ParseError{path, 1, "front matter starts with --- but has no closing --- line"}
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(block), &node); err != nil {
		// "title: Awards: what we get asked" is how people write; YAML
		// wants the value quoted. Quote such values and try once more.
		if yaml.Unmarshal([]byte(quoteColonValues(block)), &node) != nil {
			return nil, 0, fm, yamlError(path, err)
		}
	}
	if len(node.Content) > 0 && node.Content[0].Kind != yaml.MappingNode {
		return nil, 0, fm, &ParseError{path, 2, "front matter must be key: value lines (id, title, kind, tags, ...)"}
	}
	if err := node.Decode(&fm); err != nil {
		return nil, 0, fm, yamlError(path, err)
	}
	return []byte(rest), n, fm, nil
}

// plainKeyValue is a top-level "key: value" line.
var plainKeyValue = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.*?)[ \t]*$`)

// quoteColonValues double-quotes the values of top-level key lines that
// hold ": " unquoted, which YAML would otherwise read as a nested map.
func quoteColonValues(block string) string {
	lines := strings.SplitAfter(block, "\n")
	for i, l := range lines {
		m := plainKeyValue.FindStringSubmatch(strings.TrimRight(l, "\r\n"))
		if m == nil || !strings.Contains(m[2], ": ") || strings.ContainsAny(m[2][:1], `"'[{|>&*!#`) {
			continue
		}
		lines[i] = m[1] + ": " + strconv.Quote(m[2]) + "\n"
	}
	return strings.Join(lines, "")
}

// yamlError turns a yaml.v3 error into path:line: message, counting the
// opening --- line.
func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &ParseError{path, n + 1, "front matter: " + strings.TrimSpace(m[2])}
	}
	return &ParseError{path, 1, "front matter: " + bot.OneLine(msg)}
}

// md reads CommonMark plus GitHub's tables, which organisers paste from
// spreadsheets: without the extension a table is one paragraph of pipes.
var md = goldmark.New(goldmark.WithExtensions(extension.Table))

// maxChunkRunes splits very long sections so one passage stays quotable.
const maxChunkRunes = 2400

// sections walks the Markdown AST and cuts it at every heading. It returns
// the chunks and the text of the first level-1 heading.
func sections(src []byte) ([]Chunk, string) {
	root := md.Parser().Parse(text.NewReader(src))
	var (
		out   []Chunk
		path  []string
		level []int
		h1    string
		buf   strings.Builder
	)
	flush := func() {
		body := strings.TrimSpace(buf.String())
		buf.Reset()
		if body == "" {
			return
		}
		for _, part := range splitLong(body) {
			out = append(out, Chunk{Headings: append([]string(nil), path...), Body: part})
		}
	}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			flush()
			title := strings.TrimSpace(plain(h, src))
			if h.Level == 1 && h1 == "" {
				h1 = title
			}
			for len(level) > 0 && level[len(level)-1] >= h.Level {
				level, path = level[:len(level)-1], path[:len(path)-1]
			}
			level, path = append(level, h.Level), append(path, title)
			continue
		}
		if t := strings.TrimSpace(plain(n, src)); t != "" {
			buf.WriteString(t)
			buf.WriteString("\n\n")
		}
	}
	flush()
	return out, h1
}

// plain renders a block as readable plain text: inline text joined, list
// items as "- " lines, code as is, raw HTML dropped.
func plain(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		switch v := c.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.Write(v.Segment.Value(src))
				if v.SoftLineBreak() || v.HardLineBreak() {
					b.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				b.Write(v.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(v.URL(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			// A quoted "see [the CAA drone code](https://...)" must still
			// say where to look: the address follows the link's words.
			if dest := string(v.Destination); !entering && linkWorthShowing(dest) && !strings.HasSuffix(b.String(), dest) {
				fmt.Fprintf(&b, " (%s)", dest)
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if entering {
				lines := c.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(src))
				}
				b.WriteByte('\n')
			}
			return ast.WalkSkipChildren, nil
		case *extast.TableRow, *extast.TableHeader:
			// A row reads as a list item, its cells joined by " | ", under
			// the header as the line that introduces the list: an answer
			// then quotes the table whole, as it does a list.
			if entering {
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte('\n')
				}
				if _, head := c.(*extast.TableHeader); !head {
					b.WriteString("- ")
				}
			} else {
				b.WriteByte('\n')
			}
		case *extast.TableCell:
			if entering && c.PreviousSibling() != nil {
				b.WriteString(" | ")
			}
		case *ast.ListItem:
			if entering {
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte('\n')
				}
				b.WriteString("- ")
			}
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
			if !entering {
				b.WriteByte('\n')
			}
		case *ast.ThematicBreak:
			if entering {
				b.WriteByte('\n')
			}
		}
		return ast.WalkContinue, nil
	})
	// Collapse the blank lines list items leave behind.
	lines := strings.Split(b.String(), "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimRight(l, " \t"); strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// linkWorthShowing says whether a link's address helps a reader of plain
// text: a web or mail address, not a page anchor or a relative path that
// only means something beside the Markdown file.
func linkWorthShowing(dest string) bool {
	for _, p := range []string{"https://", "http://", "mailto:"} {
		if len(dest) > len(p) && strings.EqualFold(dest[:len(p)], p) {
			return true
		}
	}
	return false
}

// splitLong cuts a long section at paragraph or line boundaries.
func splitLong(body string) []string {
	if utf8.RuneCountInString(body) <= maxChunkRunes {
		return []string{body}
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(line) > maxChunkRunes {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

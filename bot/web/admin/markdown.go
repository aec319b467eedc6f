package admin

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
)

// A document in the form: its front matter as typed (the YAML between the
// --- lines) and its body cut at each heading, so each section has its own
// box. Joining the parts gives back the file byte for byte.

type docParts struct {
	FrontMatter string
	HasFM       bool
	Sections    []string
}

// splitDoc cuts a file into front matter and sections. Line ends are made
// "\n" (browsers send form text that way).
func splitDoc(text string) docParts {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var p docParts
	body := text
	if strings.HasPrefix(text, "---\n") {
		lines := strings.SplitAfter(text, "\n")
		for i := 1; i < len(lines); i++ {
			if t := strings.TrimRight(lines[i], "\n"); t == "---" || t == "..." {
				p.HasFM = true
				p.FrontMatter = strings.Join(lines[1:i], "")
				body = strings.Join(lines[i+1:], "")
				break
			}
		}
	}
	p.Sections = splitSections(body)
	return p
}

// splitSections cuts Markdown before every ATX heading line that is not
// inside a fenced code block.
func splitSections(body string) []string {
	var out []string
	var cur strings.Builder
	fence := ""
	for _, line := range strings.SplitAfter(body, "\n") {
		t := strings.TrimLeft(line, " ")
		if fence == "" && isHeadingLine(t) && cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
		switch {
		case fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:3]
		case fence != "" && strings.HasPrefix(t, fence):
			fence = ""
		}
		cur.WriteString(line)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func isHeadingLine(t string) bool {
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(t) || t[n] == ' ' || t[n] == '\t' || t[n] == '\n')
}

// joinDoc puts a document back together from the form. Each section ends
// with a line break, so a heading typed at the start of the next box
// stays a heading.
func joinDoc(frontMatter string, sections []string) string {
	var b strings.Builder
	fm := strings.ReplaceAll(frontMatter, "\r\n", "\n")
	if strings.TrimSpace(fm) != "" {
		b.WriteString("---\n")
		b.WriteString(fm)
		if !strings.HasSuffix(fm, "\n") {
			b.WriteByte('\n')
		}
		b.WriteString("---\n")
	}
	for _, s := range sections {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		if strings.TrimSpace(s) == "" {
			continue
		}
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

// sectionLabel names a section's box by its heading.
func sectionLabel(s string, i int) string {
	first, _, _ := strings.Cut(strings.TrimLeft(s, "\n"), "\n")
	if t := strings.TrimSpace(first); isHeadingLine(t) {
		return strings.TrimSpace(strings.TrimLeft(t, "#"))
	}
	if i == 0 {
		return "Opening text"
	}
	return "Section " + itoa(i+1)
}

// md renders as the knowledge base reads documents: goldmark's CommonMark
// with its defaults, which leave out raw HTML and unsafe link schemes.
var md = goldmark.New()

// renderMarkdown is the preview of a document's body.
func renderMarkdown(body string) (template.HTML, error) {
	var b bytes.Buffer
	if err := md.Convert([]byte(body), &b); err != nil {
		return "", err
	}
	// goldmark escapes text and drops raw HTML unless told otherwise.
	return template.HTML(b.String()), nil //nolint:gosec // goldmark output without the unsafe option
}

func itoa(n int) string { return strconv.Itoa(n) }

package admin

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"

	"github.com/bothy-chat/bothy/knowledge"
)

// sectionLabel names a section's box by its heading.
func sectionLabel(s string, i int) string {
	first, _, _ := strings.Cut(strings.TrimLeft(s, "\n"), "\n")
	if h, ok := knowledge.HeadingText(strings.TrimSpace(first)); ok {
		return h
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

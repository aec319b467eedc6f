package knowledge

import "strings"

// A document as the organisers' console edits it: the front matter as
// typed (the YAML between the --- lines) and the body cut before each
// heading, one box per section. Joining the parts gives back the file
// byte for byte, so an edit touches only what the organiser changed.
// The parser (doc.go) finds the front matter the same way (cutFrontMatter).

// Parts is a document cut for editing.
type Parts struct {
	FrontMatter    string
	HasFrontMatter bool
	Sections       []string
}

// hasFrontMatter reports whether text opens a front matter block.
func hasFrontMatter(text string) bool {
	return strings.HasPrefix(text, "---\n") || strings.HasPrefix(text, "---\r\n")
}

// cutFrontMatter splits text at the line that closes its front matter
// ("---" or "..."); n counts the lines the block took, both --- lines
// included. ok is false when text has no closed front matter.
func cutFrontMatter(text string) (block, body string, n int, ok bool) {
	if !hasFrontMatter(text) {
		return "", text, 0, false
	}
	lines := strings.SplitAfter(text, "\n")
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimRight(lines[i], "\r\n"); t == "---" || t == "..." {
			return strings.Join(lines[1:i], ""), strings.Join(lines[i+1:], ""), i + 1, true
		}
	}
	return "", text, 0, false
}

// SplitParts cuts a document into front matter and sections. Line ends
// become "\n", as browsers send form text.
func SplitParts(text string) Parts {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var p Parts
	block, body, _, ok := cutFrontMatter(text)
	p.FrontMatter, p.HasFrontMatter = block, ok
	p.Sections = splitAtHeadings(body)
	return p
}

// splitAtHeadings cuts Markdown before every ATX heading line that is not
// inside a fenced code block.
func splitAtHeadings(body string) []string {
	var out []string
	var cur strings.Builder
	fence := ""
	for _, line := range strings.SplitAfter(body, "\n") {
		t := strings.TrimLeft(line, " ")
		if _, heading := HeadingText(t); fence == "" && heading && cur.Len() > 0 {
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

// HeadingText returns the text of an ATX heading line ("## Who posts?"
// gives "Who posts?"); ok is false for any other line.
func HeadingText(line string) (text string, ok bool) {
	// Leading spaces only: a tab opens a code block, not a heading.
	t := strings.TrimRight(strings.TrimLeft(line, " "), " \t\r\n")
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n < 1 || n > 6 || n < len(t) && t[n] != ' ' && t[n] != '\t' {
		return "", false
	}
	return strings.TrimSpace(t[n:]), true
}

// JoinParts puts a document back together. Each section ends with a line
// break, so a heading typed at the start of the next box stays a heading.
func JoinParts(frontMatter string, sections []string) string {
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

package bot

import (
	"fmt"
	"regexp"
	"strings"
)

// PlainText renders a reply for platforms without rich formatting: the text,
// then numbered sources, then the buttons as hints.
func PlainText(r Reply) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(r.Text, "\n"))
	if len(r.Sources) > 0 {
		b.WriteString("\n\nSources:")
		for i, s := range r.Sources {
			n := s.N
			if n == 0 {
				n = i + 1
			}
			fmt.Fprintf(&b, "\n[%d] %s", n, SourceLine(s))
		}
	}
	if len(r.Buttons) > 0 {
		labels := make([]string, len(r.Buttons))
		for i, btn := range r.Buttons {
			labels[i] = btn.Label
		}
		fmt.Fprintf(&b, "\n(%s)", strings.Join(labels, " · "))
	}
	return b.String()
}

// SourceLine describes one source in a line: title, kind and id, updated
// date and link where known.
func SourceLine(s Source) string {
	var b strings.Builder
	b.WriteString(s.Title)
	meta := []string{}
	if s.Kind != "" {
		meta = append(meta, s.Kind)
	}
	if s.ID != "" {
		meta = append(meta, s.ID)
	}
	if s.Updated != "" {
		meta = append(meta, "updated "+s.Updated)
	}
	if len(meta) > 0 {
		b.WriteString(" (" + strings.Join(meta, ", ") + ")")
	}
	if s.URL != "" {
		b.WriteString(" " + s.URL)
	}
	return b.String()
}

// ButtonEmoji picks the emoji that stands for each button on platforms
// without buttons, from its label: 👍/👎 for helpful/not helpful, ✅/🤔/❌
// for going, maybe and not going; other buttons get numbered keycaps.
func ButtonEmoji(buttons []Button) []string {
	out := make([]string, len(buttons))
	used := map[string]bool{}
	for i, b := range buttons {
		e := labelEmoji(b)
		if e == "" || used[e] {
			e = keycaps[min(i, len(keycaps)-1)]
		}
		used[e] = true
		out[i] = e
	}
	return out
}

var keycaps = []string{"1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"}

func labelEmoji(b Button) string {
	l := " " + strings.ToLower(strings.TrimSpace(b.Label)) + " "
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("not helpful", "unhelpful"):
		return "👎"
	case has("helpful", " useful"):
		return "👍"
	case has("not going", "can't", "cannot", " no ", "decline"):
		return "❌"
	case has("maybe", "tentative", "perhaps"):
		return "🤔"
	case has("going", " yes ", "attend", " join", "accept"):
		return "✅"
	case b.Style == "danger":
		return "❌"
	}
	return ""
}

// TerminalText is PlainText for a terminal, which shows Markdown's marks
// literally: bold markers are dropped and a link becomes its label with
// the address after it.
func TerminalText(r Reply) string {
	return unmark(PlainText(r))
}

// mdLink is a Markdown link, [label](address).
var mdLink = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)

func unmark(s string) string {
	s = strings.ReplaceAll(s, "**", "")
	return mdLink.ReplaceAllStringFunc(s, func(m string) string {
		p := mdLink.FindStringSubmatch(m)
		if p[1] == p[2] {
			return p[2]
		}
		return p[1] + " (" + p[2] + ")"
	})
}

// OneLine collapses every run of spaces, tabs and newlines to one space,
// for text that must fit on a line: a log line, an error, a title.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

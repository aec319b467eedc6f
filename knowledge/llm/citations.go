package llm

import (
	"regexp"
	"strconv"
	"strings"
)

// citationRE finds bracketed citations: [1], [1, 2], [1;2], [1-3], and the
// "[Source 2]" form some models write. Markdown links are skipped by the
// caller (a "(" right after the bracket).
var citationRE = regexp.MustCompile(`\[\s*(?i:sources?\s*)?(\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*\d+(?:\s*[-–]\s*\d+)?)*)\s*\]`)

var itemSepRE = regexp.MustCompile(`\s*[,;]\s*`)

// maxRange stops "[1-99999]" from expanding into a huge list.
const maxRange = 50

// citeItem is one entry inside a citation bracket: a number or a range.
type citeItem struct {
	text     string // as written, trimmed
	from, to int    // equal for a single number; -1 when unparseable
}

func parseItems(list string) []citeItem {
	parts := itemSepRE.Split(strings.TrimSpace(list), -1)
	items := make([]citeItem, 0, len(parts))
	for _, p := range parts {
		it := citeItem{text: p, from: -1, to: -1}
		a, b, isRange := strings.Cut(strings.ReplaceAll(p, "–", "-"), "-")
		from, ok1 := parseNum(a)
		to, ok2 := from, ok1
		if isRange {
			to, ok2 = parseNum(b)
		}
		if ok1 && ok2 && from <= to && to-from < maxRange {
			it.from, it.to = from, to
		}
		items = append(items, it)
	}
	return items
}

func parseNum(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// citationMatches returns the citation spans in text, leaving out
// Markdown links such as [1](https://...).
func citationMatches(text string) [][]int {
	all := citationRE.FindAllStringSubmatchIndex(text, -1)
	out := all[:0]
	for _, m := range all {
		if m[1] < len(text) && text[m[1]] == '(' {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Citations returns the source numbers cited in text, in order of first
// appearance, each once. Ranges such as [2-4] count every number in them.
func Citations(text string) []int {
	var out []int
	seen := map[int]bool{}
	for _, m := range citationMatches(text) {
		for _, it := range parseItems(text[m[2]:m[3]]) {
			if it.from < 0 {
				continue
			}
			for n := it.from; n <= it.to; n++ {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// StripInvalidCitations removes citations that point at no source, given n
// sources numbered 1..n: "[7]" goes when n is 3, "[1, 9]" becomes "[1]",
// "[1][9]" becomes "[1]". Valid citations are left as written, except
// that "[Source 2]" becomes "[2]".
func StripInvalidCitations(text string, n int) string {
	return stripCitations(text, func(k int) bool { return k >= 1 && k <= n })
}

func stripCitations(text string, valid func(int) bool) string {
	matches := citationMatches(text)
	if len(matches) == 0 {
		return text
	}
	out := make([]byte, 0, len(text))
	last := 0
	for _, m := range matches {
		start, end := m[0], m[1]
		items := parseItems(text[m[2]:m[3]])
		var kept []string
		for _, it := range items {
			if it.from >= 0 && valid(it.from) && valid(it.to) {
				kept = append(kept, it.text)
			}
		}
		out = append(out, text[last:start]...)
		last = end
		whole := text[start:end]
		switch {
		case len(kept) == len(items) && !hasLetter(whole):
			out = append(out, whole...) // all valid: leave as written
		case len(kept) > 0:
			out = append(out, "["+strings.Join(kept, ", ")+"]"...)
		default:
			// Drop the citation and the space before it, so "word [9]."
			// becomes "word."; keep that space when a word or another
			// citation follows ("see [9][1]" gives "see [1]"); at the start
			// of a line drop the space after instead.
			i := len(out)
			for i > 0 && (out[i-1] == ' ' || out[i-1] == '\t') {
				i--
			}
			switch {
			case i < len(out):
				if last == len(text) || strings.ContainsRune(" \t\r\n.,;:!?)", rune(text[last])) {
					out = out[:i]
				}
			case len(out) == 0 || out[len(out)-1] == '\n':
				for last < len(text) && (text[last] == ' ' || text[last] == '\t') {
					last++
				}
			}
		}
	}
	out = append(out, text[last:]...)
	return string(out)
}

// hasLetter spots the "[Source 2]" form, which is rewritten as "[2]".
func hasLetter(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' })
}

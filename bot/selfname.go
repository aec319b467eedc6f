package bot

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultName is what the bot is called when nothing else says so.
const DefaultName = "bothy"

// SelfNamer is an adapter that knows more names the bot goes by on its
// platform (a Matrix display name and localpart, a Slack bot user's
// name), so people addressing the bot by any of them are understood.
type SelfNamer interface {
	SelfNames() []string
}

// selfNames are the names the bot answers to on ad: its configured names
// and the adapter's own.
func (b *Bot) selfNames(ad Adapter) []string {
	names := b.names
	if sn, ok := ad.(SelfNamer); ok {
		names = append(append([]string(nil), names...), sn.SelfNames()...)
	}
	return names
}

// StripAddress removes the ways a message addresses the bot by name, so
// they never count as words of a question or a command: "@name" anywhere,
// "name:" or "name," at the start, and ", name" at the end. It reports
// whether the message addressed the bot. A name used as an ordinary word
// ("how do I get good answers from bothy") is part of the question and
// stays.
func StripAddress(text string, names []string) (string, bool) {
	addressed := false
	// Longest first, so "Bothy Bot" goes whole before "bothy" is tried.
	names = append([]string(nil), names...)
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, name := range names {
		name = strings.TrimPrefix(strings.TrimSpace(name), "@")
		if name == "" {
			continue
		}
		var hit bool
		text, hit = stripAt(text, name)
		addressed = addressed || hit
		text, hit = stripLeading(text, name)
		addressed = addressed || hit
		text, hit = stripTrailing(text, name)
		addressed = addressed || hit
	}
	if !addressed {
		return text, false
	}
	return tidy(text), true
}

// tidy closes the gaps a removed name leaves: runs of spaces, and a comma
// or space left before the closing "?" or at either end. Only the ends are
// touched, so the question itself ("what about .gov domains") stays as
// typed.
func tidy(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	body := strings.TrimRight(t, "?!.")
	closing := t[len(body):]
	body = strings.TrimRight(body, ", ")
	return strings.TrimLeft(body, ",: ") + closing
}

// stripAt removes every "@name" that stands as a word of its own, with a
// ":" or "," typed after it.
func stripAt(text, name string) (string, bool) {
	at := "@" + name
	hit := false
	for from := 0; from < len(text); {
		i := indexFold(text[from:], at)
		if i < 0 {
			break
		}
		i += from
		end := i + len(at)
		if !wordBefore(text, i) && !wordAfter(text, end) {
			for end < len(text) && (text[end] == ':' || text[end] == ',') {
				end++
			}
			text = text[:i] + " " + text[end:]
			hit = true
			from = i + 1
			continue
		}
		from = end
	}
	return text, hit
}

// stripLeading removes "name:" or "name," at the start.
func stripLeading(text, name string) (string, bool) {
	t := strings.TrimSpace(text)
	if len(t) <= len(name) || !strings.EqualFold(t[:len(name)], name) {
		return text, false
	}
	if c := t[len(name)]; c != ':' && c != ',' {
		return text, false
	}
	return t[len(name)+1:], true
}

// stripTrailing removes ", name" at the end, keeping the closing "?".
func stripTrailing(text, name string) (string, bool) {
	t := strings.TrimSpace(text)
	body := strings.TrimRight(t, "?!. ")
	tail := t[len(body):]
	if len(body) <= len(name) || !strings.EqualFold(body[len(body)-len(name):], name) {
		return text, false
	}
	rest := strings.TrimRight(body[:len(body)-len(name)], " ")
	if !strings.HasSuffix(rest, ",") {
		return text, false
	}
	return strings.TrimSuffix(rest, ",") + strings.TrimSpace(tail), true
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// wordBefore reports whether the rune before i continues a word (as in
// an address like olive@bothy.example).
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isNameRune(r)
}

// wordAfter reports whether the name goes on after end (@bothy2,
// @bothy.example, @bothy-dev).
func wordAfter(s string, end int) bool {
	if end >= len(s) {
		return false
	}
	r, n := utf8.DecodeRuneInString(s[end:])
	if r == '.' || r == '-' {
		// A full stop ends a sentence; one followed by more of a name
		// (bothy.example) does not.
		if end+n < len(s) {
			next, _ := utf8.DecodeRuneInString(s[end+n:])
			return isNameRune(next)
		}
		return false
	}
	return isNameRune(r)
}

func isNameRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

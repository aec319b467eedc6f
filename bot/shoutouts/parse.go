package shoutouts

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxRecipients bounds how many people one shout-out can name, so a
// message cannot turn into a roll call.
const MaxRecipients = 10

// MinReasonWords is how many words a reason needs: enough to say what was
// good, so the record is useful later.
const MinReasonWords = 3

// Parsed is a shout-out command as typed, before mentions are resolved.
type Parsed struct {
	// Mentions are the recipients exactly as typed ("@carol", or the
	// platform's markup), for the adapter to resolve.
	Mentions []string
	Reason   string
	// Category is the trailing #tag without the "#", folded to lower case.
	Category string
}

// Parse errors; the command turns each into a friendly reply.
var (
	ErrNoRecipient     = errors.New("no recipient")
	ErrNoReason        = errors.New("no reason")
	ErrTooManyMentions = errors.New("too many recipients")
)

// ParseShoutout reads "[to] @a [@b, and @c] for REASON [#category]". The
// word "for" separates people from the reason; without it, leading words
// that are mentions are the people: isMention says which words are (the
// platform's own markup too, bot.Request.IsMention); nil means "@name".
func ParseShoutout(args string, isMention func(word string) bool) (Parsed, error) {
	if isMention == nil {
		isMention = func(w string) bool { return strings.HasPrefix(w, "@") }
	}
	var p Parsed
	words := strings.Fields(args)
	if len(words) > 0 && strings.EqualFold(words[0], "to") {
		words = words[1:]
	}
	// A trailing #tag is the category; earlier hashtags stay in the reason.
	if n := len(words); n > 0 {
		if cat, ok := categoryWord(words[n-1]); ok {
			p.Category = cat
			words = words[:n-1]
		}
	}
	split := -1
	for i, w := range words {
		if strings.EqualFold(strings.TrimRight(w, ":,-"), "for") {
			split = i
			break
		}
	}
	var people, reason []string
	if split >= 0 {
		people, reason = words[:split], words[split+1:]
	} else {
		i := 0
		for i < len(words) && (isMention(words[i]) || isJoiner(words[i])) {
			i++
		}
		people, reason = words[:i], words[i:]
	}
	seen := map[string]bool{}
	for _, w := range people {
		for _, part := range strings.Split(w, ",") {
			part = strings.TrimRight(part, ",;:!.")
			if part == "" || isJoiner(part) {
				continue
			}
			if !seen[part] {
				seen[part] = true
				p.Mentions = append(p.Mentions, part)
			}
		}
	}
	// A separator on its own ("@carol - great thread") is not part of the
	// reason, but one touching a word is as typed ("-2+3 more sums").
	for len(reason) > 0 && strings.Trim(reason[0], ":-–—") == "" {
		reason = reason[1:]
	}
	p.Reason = strings.Join(reason, " ")
	switch {
	case len(p.Mentions) == 0:
		return p, ErrNoRecipient
	case len(p.Mentions) > MaxRecipients:
		return p, ErrTooManyMentions
	case strings.TrimSpace(p.Reason) == "":
		return p, ErrNoReason
	}
	return p, nil
}

func isJoiner(w string) bool {
	w = strings.ToLower(w)
	return w == "and" || w == "&" || w == "," || w == "+"
}

// categoryWord accepts "#tag" made of letters, digits, "-" and "_"
// (trailing punctuation allowed) and returns the folded tag.
func categoryWord(w string) (string, bool) {
	if !strings.HasPrefix(w, "#") {
		return "", false
	}
	tag := strings.TrimRight(w[1:], ".,;:!?")
	if tag == "" || utf8.RuneCountInString(tag) > 40 {
		return "", false
	}
	for _, r := range tag {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return "", false
		}
	}
	return strings.ToLower(tag), true
}

// CountWords counts words with at least one letter or digit, so "!!! ..."
// does not pass for a reason.
func CountWords(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// reasonKey folds a reason for duplicate detection: case, punctuation and
// spacing do not make a reason different.
func reasonKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

package privacy

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErasedText replaces text a member wrote when their data is erased.
const ErasedText = "[erased]"

// MinScrubName is the shortest display name replaced inside free text;
// shorter ones ("Al") would also match ordinary words too often.
const MinScrubName = 3

// MinScrubPart is the shortest word of a longer name searched for on its
// own ("Quokkafield" in "Quentin Quokkafield").
const MinScrubPart = 4

// MinScrubText is the shortest piece of a member's writing searched for
// inside other text (audit details, documents). Shorter ones ("thanks!")
// say nothing about who wrote them and would match innocent text; the rows
// that hold them are erased directly.
const MinScrubText = 12

// NewPseudonym returns a fresh stand-in for an erased member's ID:
// "erased-" and 16 random hex digits. One erasure uses one pseudonym in
// every table, so counts still group, but nothing links it back to the ID.
func NewPseudonym() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "erased-" + hex.EncodeToString(b[:])
}

// IsPseudonym reports whether id is the result of NewPseudonym.
func IsPseudonym(id string) bool { return strings.HasPrefix(id, "erased-") }

// Subject is the member a privacy request is about: their stable ID and
// everything else that identifies them, gathered from every provider
// (Identifier) before anything is exported or erased, so each feature can
// find them in text the others hold.
type Subject struct {
	UserID string
	// Pseudonym replaces the ID wherever a record is kept; empty for an
	// export.
	Pseudonym string
	names     []string
	parts     []string // capitalised words of multi-word names
	texts     []string
	docs      []string
}

// NewSubject starts a subject for userID; pseudonym is empty for exports.
func NewSubject(userID, pseudonym string) *Subject {
	return &Subject{UserID: strings.TrimSpace(userID), Pseudonym: pseudonym}
}

// AddName records a display name the member had.
func (s *Subject) AddName(name string) {
	name = strings.TrimSpace(name)
	if name == "" || name == ErasedName || name == s.UserID {
		return
	}
	s.names = appendNew(s.names, name)
	// Other people write "thanks Quokkafield" as often as the full name,
	// so each capitalised word of a longer name is searched for too
	// (exactly as written, to spare ordinary lower-case words).
	if words := strings.Fields(name); len(words) > 1 {
		for _, w := range words {
			w = strings.Trim(w, ".,;:!?()[]\"'")
			if r, _ := utf8.DecodeRuneInString(w); utf8.RuneCountInString(w) >= MinScrubPart && unicode.IsUpper(r) {
				s.parts = appendNew(s.parts, w)
			}
		}
	}
}

// AddText records something the member wrote (a question, a reason), or a
// form derived from it that Bothy stored elsewhere (a document title).
func (s *Subject) AddText(text string) {
	text = strings.TrimSpace(text)
	if text == "" || text == ErasedText {
		return
	}
	s.texts = appendNew(s.texts, text)
}

// AddDocument records a knowledge-base document written from the member's
// data (an FAQ from their question, a case study from a shout-out).
func (s *Subject) AddDocument(id string) {
	if id = strings.TrimSpace(id); id != "" {
		s.docs = appendNew(s.docs, id)
	}
}

// Names, Texts and Documents return what was gathered.
func (s *Subject) Names() []string     { return append([]string(nil), s.names...) }
func (s *Subject) Texts() []string     { return append([]string(nil), s.texts...) }
func (s *Subject) Documents() []string { return append([]string(nil), s.docs...) }

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// Scrub returns text with the member's writing replaced by ErasedText,
// their ID by the pseudonym and their names by ErasedName. Longer texts go
// first, so a name inside a question does not break the question's match.
func (s *Subject) Scrub(text string) string {
	if text == "" {
		return text
	}
	texts := append([]string(nil), s.texts...)
	sort.Slice(texts, func(i, j int) bool { return len(texts[i]) > len(texts[j]) })
	for _, t := range texts {
		if utf8.RuneCountInString(t) >= MinScrubText {
			text = strings.ReplaceAll(text, t, ErasedText)
		}
	}
	return s.ScrubNames(text)
}

// ScrubNames is Scrub for what other members wrote in their own words,
// such as the questions they asked: only the member's ID and names are
// replaced. Two people ask "is TikTok allowed on council phones" in the
// same words; the second asking is not the first person's writing, and
// erasing one member must not blank the other's question.
func (s *Subject) ScrubNames(text string) string {
	if text == "" {
		return text
	}
	repl := s.Pseudonym
	if repl == "" {
		repl = ErasedName
	}
	text = replaceWord(text, s.UserID, repl, false)
	for _, n := range s.names {
		if utf8.RuneCountInString(n) >= MinScrubName {
			text = replaceWord(text, n, ErasedName, true)
		}
	}
	for _, w := range s.parts {
		text = replaceWord(text, w, ErasedName, false)
	}
	return text
}

// MentionsName reports whether text holds anything ScrubNames would
// replace: the member's ID or a name.
func (s *Subject) MentionsName(text string) bool {
	return text != "" && s.ScrubNames(text) != text
}

// Mentions reports whether text holds anything Scrub would replace.
func (s *Subject) Mentions(text string) bool {
	return text != "" && s.Scrub(text) != text
}

// MentionsID reports whether text holds the member's ID as a whole word.
func (s *Subject) MentionsID(text string) bool {
	return s.UserID != "" && strings.Contains(text, s.UserID) && replaceWord(text, s.UserID, "\x00", false) != text
}

// replaceWord replaces old with repl where old is not part of a longer
// word (the characters either side are not letters, digits or "_"),
// ignoring case when fold is set.
func replaceWord(s, old, repl string, fold bool) string {
	if old == "" {
		return s
	}
	var re *regexp.Regexp
	if fold {
		re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(old))
	} else if !strings.Contains(s, old) {
		return s
	} else {
		re = regexp.MustCompile(regexp.QuoteMeta(old))
	}
	// A boundary only matters on a side where old itself starts or ends
	// with a word character ("@carol:example.org" ends in one, "<@U1>" not).
	first, _ := utf8.DecodeRuneInString(old)
	last, _ := utf8.DecodeLastRuneInString(old)
	var b strings.Builder
	i := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		j, end := m[0], m[1]
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[end:])
		okBefore := j == 0 || !isWordRune(before) || !isWordRune(first)
		okAfter := end == len(s) || !isWordRune(after) || !isWordRune(last)
		if okBefore && okAfter {
			b.WriteString(s[i:j])
			b.WriteString(repl)
			i = end
		}
	}
	if i == 0 {
		return s
	}
	b.WriteString(s[i:])
	return b.String()
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

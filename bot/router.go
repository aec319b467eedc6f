package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMessageRunes is the longest message the bot will act on. Longer ones get
// a polite refusal rather than a slow search or a truncated question.
const MaxMessageRunes = 4000

// Route is what the chat grammar made of a message.
type Route struct {
	// Command is the command name as typed ("help", "meetup"); empty when
	// the message is not for the bot, or is a question.
	Command string
	// Args is everything after the command name.
	Args string
	// Explicit is true when the command was written with the ! prefix, so an
	// unknown name deserves an "unknown command" reply rather than being
	// treated as a question.
	Explicit bool
	// Question is true when the text is for the bot but starts with no
	// command name: the bot runs its default command (Options.DefaultCommand)
	// on all of it.
	Question bool
}

// Parse applies the shared chat grammar:
//   - "!name args" is a command everywhere;
//   - in a direct message or when the bot is mentioned, a leading known
//     command name is a command and anything else is a question, for the
//     bot's default command;
//   - other room chatter is not for the bot.
func Parse(text string, direct, mentioned bool, known func(string) bool) Route {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "!") {
		name, args := splitWord(strings.TrimSpace(t[1:]))
		if name == "" {
			return Route{}
		}
		return Route{Command: strings.ToLower(name), Args: args, Explicit: true}
	}
	if !direct && !mentioned {
		return Route{}
	}
	if t == "" {
		return Route{}
	}
	name, args := splitWord(t)
	if known(name) {
		return Route{Command: strings.ToLower(name), Args: args}
	}
	return Route{Args: t, Question: true}
}

func splitWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// Clean makes untrusted text safe to process: invalid UTF-8 becomes U+FFFD
// and control characters other than newline and tab are dropped.
func Clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isUnwantedControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isUnwantedControl(r) {
			return -1
		}
		return r
	}, s)
}

func isUnwantedControl(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u200b' || r == '\ufeff')
}

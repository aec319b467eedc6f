package retrieval

import (
	"iter"
	"strings"
	"sync"
	"unicode"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// token is one word of a text: its lower-case surface form, its stem and
// whether it was written in capitals (so "IT" the department is not "it").
type token struct {
	word  string
	stem  string
	upper bool
	// clause is true for a word that follows a clause break (punctuation
	// or a conjunction) or starts the text.
	clause bool
}

// maxQuestionRunes bounds the work one question can cause; anything longer
// is cut (a 100 KB paste is still answered from its start).
const maxQuestionRunes = 2000

// tokenize splits text into words: runs of letters and digits. Apostrophes
// end a word ("don't" -> don, t), which the stop list then drops.
func tokenize(s string) []token {
	out := make([]token, 0, len(s)/6+1)
	start := -1
	brk := true // the next word opens a clause
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := s[start:end]
		start = -1
		if len(raw) > 40 {
			return // a URL fragment or a base64 blob, not a word
		}
		w := strings.ToLower(raw)
		out = append(out, token{word: w, stem: stem(w), upper: len(raw) > 1 && raw != w && !hasLower(raw) || raw == "X", clause: brk})
		brk = clauseWords[w]
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if strings.ContainsRune(".,?!;:()—–", r) {
			brk = true
		}
	}
	flush(len(s))
	return out
}

// clauseWords join clauses: the word after one may open a question.
var clauseWords = map[string]bool{"and": true, "but": true, "so": true, "or": true, "then": true, "because": true}

// hasLower reports whether w has a lower-case letter.
func hasLower(w string) bool {
	for _, r := range w {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

var stemCache = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

// stem reduces a lower-case word with the Snowball English stemmer,
// remembering results because the same words recur across a corpus.
func stem(w string) string {
	stemCache.RLock()
	s, ok := stemCache.m[w]
	stemCache.RUnlock()
	if ok {
		return s
	}
	s = w
	if isASCIIWord(w) && len(w) > 2 {
		env := snowball.NewEnv(w)
		english.Stem(env)
		s = env.Current()
	}
	stemCache.Lock()
	if len(stemCache.m) > 200000 {
		stemCache.m = map[string]string{} // bound memory on odd input
	}
	stemCache.m[w] = s
	stemCache.Unlock()
	return s
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// stems returns the content stems of a text (stop words removed), for
// indexing and matching.
func stems(s string) []string {
	toks := tokenize(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if isStop(t) {
			continue
		}
		// "IT" in a document is the department, as in a question: both
		// sides must index it under the same stem.
		if to := abbreviations[t.word]; t.upper && to != "" {
			out = append(out, stem(to))
			continue
		}
		out = append(out, t.stem)
	}
	return out
}

func isStop(t token) bool {
	if t.upper && abbreviations[t.word] != "" {
		return false
	}
	return stopWords[t.word] || stopWords[t.stem]
}

// stopWords are function words plus the filler of questions ("how do I",
// "any tips on", "what's the best way to"), which say nothing about the
// topic and would otherwise match every document.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all almost also am an and any anyone anything are aren around as at
be because been before being below between both but by can cannot could couldn did didn do does doesn doing don
done down during each either else etc even ever every few for from further get gets getting go goes going got
had has hasn have haven having he her here hers herself him himself his how however i if in into is isn it its
itself just least less let lets like ll m may maybe me might mine more most much must my myself need needs no
nor not now of off ok okay on once only or other our ours ourselves out over own per please re really s same
shall she should shouldn so some someone something somebody still such t than thank thanks that the their theirs
them themselves then there these they thing things this those though through thus to too under until up upon us
ve very via was wasn we were weren what whats when where whether which while who whom whose why will with
won wont would wouldn yes yet you your yours yourself yourselves d y
tip tips advice best way ways want wants know anybody hi hello hey guys folks quick question questions
help wondering wonder think thoughts idea ideas suggestions suggest recommend recommended someone's
isnt arent wasnt werent dont doesnt didnt cant couldnt shouldnt wouldnt havent hasnt hadnt im ive youre
theyre weve thats theres hows whos whats itll youll someones
`) {
		m[w] = true
	}
	return m
}()

// abbreviations are capitalised words that are stop words in lower case
// but mean something in capitals.
var abbreviations = map[string]string{
	"it": "ict", // "IT have blocked Twitter"
	"us": "",
	"x":  "twitter",
}

// shorthand is how people abbreviate in chat; documents spell the words
// out. Each is replaced by its full form before a question is analysed.
var shorthand = map[string]string{
	"ppl": "people", "tmrw": "tomorrow", "tmw": "tomorrow", "2moro": "tomorrow", "tonite": "tonight",
	"txt": "text", "info": "information", "msg": "message", "msgs": "messages",
	"vid": "video", "vids": "videos", "govt": "government", "dept": "department", "depts": "departments",
	"mgr": "manager", "mgrs": "managers", "socials": "social media",
	"pls": "please", "plz": "please", "thx": "thanks", "u": "you", "ur": "your", "b4": "before",
	"exec": "executive", "execs": "executives", "approx": "approximately", "appt": "appointment", "yr": "year", "yrs": "years", "wk": "week", "wks": "weeks",
}

// expandShorthand replaces chat shorthand with its full words, keeping the
// rest of the tokens as they are.
func expandShorthand(toks []token) []token {
	var out []token
	for i, t := range toks {
		full, ok := shorthand[t.word]
		if !ok {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = append(make([]token, 0, len(toks)+2), toks[:i]...)
		}
		out = append(out, tokenize(full)...)
	}
	if out == nil {
		return toks
	}
	return out
}

// Words returns the lower-case words of a text as the analyser splits it,
// stop words included (the eval's plain baseline queries with them).
func Words(s string) []string {
	toks := tokenize(s)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.word
	}
	return out
}

// VocabularyWords yields the words of a text worth knowing for typo
// correction, each with its stem: not stop words, four letters or more.
// A word may come more than once.
func VocabularyWords(s string) iter.Seq2[string, string] {
	return func(yield func(word, stem string) bool) {
		for _, t := range tokenize(s) {
			if stopWords[t.word] || len(t.word) < 4 {
				continue
			}
			if !yield(t.word, t.stem) {
				return
			}
		}
	}
}

// SectionTerms is what a section's stored terms hold (kb_chunks.terms):
// the content stems of its headings and body, which Builder.AddSection
// reads back instead of re-stemming the corpus on every refresh.
func SectionTerms(headings, body string) string {
	return strings.Join(stems(headings+"\n"+body), " ")
}

// TermsVersion names the analysis behind stored terms. Bump it whenever
// stems changes what it produces, so databases indexed before the change
// are re-stemmed on open rather than silently mismatching new questions.
const TermsVersion = "2" // 2: capitalised abbreviations stem as their expansion ("IT" -> ict)

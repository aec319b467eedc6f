package retrieval

import (
	"strings"
	"testing"
)

// "IT" in capitals is the department in documents and questions alike,
// and the synonym phrase "it team" needs the department, not any "team".
func TestCapitalisedAbbreviationsStem(t *testing.T) {
	if got := strings.Join(stems("Ask IT about the X account"), " "); got != "ask ict twitter account" {
		t.Errorf("stems = %q", got)
	}
	for _, alts := range synonyms.groups {
		for _, a := range alts {
			if a.surface == "it team" && strings.Join(a.stems, " ") != "ict team" {
				t.Errorf("\"it team\" matches on %v, want [ict team]", a.stems)
			}
		}
	}
}

func TestTypoCorrectionNeedsAPlausibleSlip(t *testing.T) {
	tests := []struct {
		typed, word string
		want        bool
	}{
		{"facbook", "facebook", true}, // a letter left out
		{"moderaton", "moderation", true},
		{"recieve", "receive", true}, // neighbours swapped
		{"councilor", "councillor", true},
		{"gritying", "gritting", true},      // y and t touch
		{"design", "resign", false},         // a different first letter
		{"evacuation", "evaluation", false}, // c and l are far apart
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			if got := plausibleSlip(tc.typed, tc.word); got != tc.want {
				t.Errorf("plausibleSlip(%q, %q) = %v, want %v", tc.typed, tc.word, got, tc.want)
			}
		})
	}
}

func TestChatShorthandAndContractions(t *testing.T) {
	words := func(q string) string {
		var out []string
		for _, tok := range expandShorthand(tokenize(q)) {
			if !isStop(tok) {
				out = append(out, tok.word)
			}
		}
		return strings.Join(out, " ")
	}
	tests := map[string]string{
		"ppl keep asking, whats the info": "people keep asking information",
		"isnt the vid up yet":             "video",
		"socials plan for tmrw":           "social media plan tomorrow",
		"nothing to expand in this note":  "nothing expand note",
	}
	for q, want := range tests {
		if got := words(q); got != want {
			t.Errorf("%q -> %q, want %q", q, got, want)
		}
	}
}

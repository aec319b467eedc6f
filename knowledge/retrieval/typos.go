package retrieval

import (
	"sort"
	"strings"

	"github.com/bothy-chat/bothy/bot"
)

// Typo correction: a question word the corpus does not know is read as a
// vocabulary word one slip of the fingers away.

// deletions returns w and every string made by deleting one rune from it:
// two words within one edit (insert, delete, substitute, swap) share one.
func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r)+1)
	out = append(out, w)
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// correct finds vocabulary words within one edit of an unknown word; it
// returns nil for short words, where one edit turns a
// word into a different one too easily.
func (ix *Index) correct(w string) []string {
	if len([]rune(w)) < 6 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range deletions(w) {
		for _, cand := range ix.dels[k] {
			if cand != w && !seen[cand] && bot.EditDistance(cand, w) <= 1 && plausibleSlip(w, cand) {
				seen[cand] = true
				out = append(out, cand)
			}
		}
	}
	// Most used first, so "facbook" prefers the word people use.
	sort.SliceStable(out, func(i, j int) bool { return ix.df[ix.words[out[i]]] > ix.df[ix.words[out[j]]] })
	return out
}

// plausibleSlip reports whether typed, one edit from word, looks like a
// slip of the fingers rather than a different word: people seldom get a
// word's first letter wrong, and a wrong letter is nearly always a
// neighbour on the keyboard. Without this, "design" would be read as
// "resign" and "evacuation" as "evaluation".
func plausibleSlip(typed, word string) bool {
	t, w := []rune(typed), []rune(word)
	if len(t) == 0 || len(w) == 0 || t[0] != w[0] {
		return false
	}
	if len(t) != len(w) {
		return true // a letter left out or doubled
	}
	at, n := 0, 0
	for i := range t {
		if t[i] != w[i] {
			at, n = i, n+1
		}
	}
	if n != 1 {
		return true // two neighbours swapped
	}
	return keyNeighbours(t[at], w[at])
}

// qwertyRows are the letter rows of a UK keyboard, for keyNeighbours.
var qwertyRows = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// keyNeighbours reports whether two letters touch on a QWERTY keyboard
// (same row side by side, or the row above or below, offset by half a key).
func keyNeighbours(a, b rune) bool {
	pos := func(r rune) (row, col int, ok bool) {
		for i, line := range qwertyRows {
			if j := strings.IndexRune(line, r); j >= 0 {
				return i, j, true
			}
		}
		return 0, 0, false
	}
	ra, ca, oka := pos(a)
	rb, cb, okb := pos(b)
	if !oka || !okb {
		return false
	}
	switch ra - rb {
	case 0:
		return ca-cb == 1 || cb-ca == 1
	case 1: // a is on the row below b: its keys sit half a key to the right
		return cb == ca || cb == ca+1
	case -1:
		return ca == cb || ca == cb+1
	}
	return false
}

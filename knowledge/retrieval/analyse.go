package retrieval

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// Match strengths: the question's own word, a listed synonym, a typo fix.
const (
	matchExact   = 1.0
	matchSynonym = 0.85
	matchTypo    = 0.8
	// platformWeight scales platform names: most guidance applies to any
	// platform, so "on Facebook" in a question is usually its setting.
	platformWeight = 0.5
	// unknownWeight scales the weight of a question word the corpus never
	// uses. Such words count against coverage (they are what makes a
	// question out of scope) but a little less than a rare known word,
	// since questions carry incidental words ("sports day").
	unknownWeight = 0.8
	// maxConcepts bounds the work of a long question.
	maxConcepts = 24
)

// concept is one thing the question asks about, with the ways the corpus
// might say it.
type concept struct {
	word     string // as the question wrote it
	alts     []alt
	weight   float64
	mask     bits // every alternative's stems, for skipping sections with none
	generic  bool
	platform bool // a platform name: context more often than topic
	unknown  bool // no way of saying it occurs in the corpus
}

type alt struct {
	surface  string   // for the FTS5 query
	stems    []string // all must appear in a passage
	ids      []uint32 // the stems' vocabulary IDs (0: not in the knowledge base)
	mask     bits     // the stems' places in questionStems
	strength float64
}

// questionTokens cuts a question to maxQuestionRunes and tokenizes it.
func questionTokens(question string) []token {
	if utf8.RuneCountInString(question) > maxQuestionRunes {
		question = string([]rune(question)[:maxQuestionRunes])
	}
	return tokenize(question)
}

// analyse turns a question's tokens (which it may rewrite) into weighted
// concepts, in stages: spell out chat shorthand, read capitalised
// abbreviations, fix typos, match synonym phrases, weigh each concept, keep
// the weightiest, and number their stems for the re-ranker.
func (ix *Index) analyse(toks []token) []concept {
	toks = expandShorthand(toks)
	readAbbreviations(toks)
	typo := make([]bool, len(toks)) // made here, it stays on the stack
	ix.fixTypos(toks, typo)
	cs := matchPhrases(toks, typo)
	ix.weigh(cs)
	cs = keepWeightiest(cs)
	ix.numberStems(cs)
	return cs
}

// readAbbreviations reads capitalised abbreviations that look like stop
// words ("IT", "X") as what they stand for.
func readAbbreviations(toks []token) {
	for i, t := range toks {
		if t.upper {
			if to := abbreviations[t.word]; to != "" {
				toks[i] = token{word: to, stem: stem(to)}
			}
		}
	}
}

// fixTypos is cheap typo tolerance: an unknown, non-everyday word of six
// letters or more that is one edit from a known word (corpus or synonym
// list) is read as that word. It marks the tokens it changed in typo.
func (ix *Index) fixTypos(toks []token, typo []bool) {
	for i, t := range toks {
		if ix.df[t.stem] > 0 || len(synonyms.byKey[t.stem]) > 0 || isStop(t) || isGeneric(t) {
			continue
		}
		if fixes := ix.correct(t.word); len(fixes) > 0 {
			toks[i] = token{word: fixes[0], stem: ix.words[fixes[0]]}
			typo[i] = true
		}
	}
}

// matchPhrases reads the tokens left to right as concepts: the longest
// synonym phrase starting at a token, with its group's other ways of
// saying it, or else the word alone. Stop words are dropped, and a concept
// said twice counts once.
func matchPhrases(toks []token, typo []bool) []concept {
	var out []concept
	seen := map[string]bool{}
	add := func(c concept) {
		key := c.alts[0].surface
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, c)
	}
	for i := 0; i < len(toks); {
		if c, n := synonymPhrase(toks, i, typo[i]); n > 0 {
			if len(c.alts) > 0 {
				add(c)
			}
			i += n
			continue
		}
		t := toks[i]
		i++
		if isStop(t) || (len(t.word) < 2 && !isNonLatin(t.word)) {
			continue
		}
		c := concept{word: t.word, alts: []alt{{surface: t.word, stems: []string{t.stem}, strength: matchExact}}, generic: isGeneric(t)}
		if typo[i-1] {
			c.alts[0].strength = matchTypo
		}
		add(c)
	}
	return out
}

// synonymPhrase is the concept of the longest synonym phrase starting at
// toks[i] and how many tokens it spans (0 when none starts there). typo
// says the first token was a typo fix, which weakens the question's own
// wording.
func synonymPhrase(toks []token, i int, typo bool) (concept, int) {
	for l := min(synonyms.longest[toks[i].stem], len(toks)-i); l >= 1; l-- {
		key := joinStems(toks[i : i+l])
		groups := synonyms.byKey[key]
		if len(groups) == 0 || (l == 1 && isStop(toks[i])) {
			continue
		}
		c := concept{word: joinWords(toks[i : i+l])}
		own := alt{surface: c.word, strength: matchExact}
		if typo {
			own.strength = matchTypo
		}
		for _, t := range toks[i : i+l] {
			if !stopWords[t.word] {
				own.stems = append(own.stems, t.stem)
			}
		}
		if len(own.stems) > 0 {
			c.alts = append(c.alts, own)
		}
		for _, g := range groups {
			for _, a := range synonyms.groups[g] {
				if a.surface != own.surface {
					c.alts = append(c.alts, alt{surface: a.surface, stems: a.stems, strength: matchSynonym})
				}
			}
		}
		if l == 1 && isGeneric(toks[i]) {
			c.generic = true // "long", "left": everyday words first
		}
		if l == 1 && platformSet[toks[i].stem] {
			c.platform = true
		}
		return c, l
	}
	return concept{}, 0
}

// weigh gives each concept its weight (see weight and scale) and marks
// those the corpus never uses.
func (ix *Index) weigh(cs []concept) {
	for i := range cs {
		cs[i].weight, cs[i].unknown = ix.weight(cs[i])
		cs[i].weight *= scale(cs[i])
	}
}

// keepWeightiest bounds a long question to its maxConcepts weightiest
// concepts.
func keepWeightiest(cs []concept) []concept {
	if len(cs) > maxConcepts {
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].weight > cs[b].weight })
		cs = cs[:maxConcepts]
	}
	return cs
}

// numberStems gives every alternative its stems' vocabulary IDs.
// Alternatives may share stem slices with the synonym tables, so the IDs
// go in slices of their own, cut from one array for the question.
func (ix *Index) numberStems(cs []concept) {
	n := 0
	for i := range cs {
		for j := range cs[i].alts {
			n += len(cs[i].alts[j].stems)
		}
	}
	ids := make([]uint32, n)
	for i := range cs {
		for j := range cs[i].alts {
			a := &cs[i].alts[j]
			k := len(a.stems)
			a.ids, ids = ids[:k:k], ids[k:]
			for k, st := range a.stems {
				a.ids[k] = ix.vocab[st]
			}
		}
	}
}

func isNonLatin(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r > 0x2ff
}

// weight is how much a concept matters: the idf of the question's own
// word, or of the best-known way of saying it.
func (ix *Index) weight(c concept) (w float64, unknown bool) {
	best := -1.0
	for i, a := range c.alts {
		df := ix.altDocDF(a)
		if df == 0 {
			continue
		}
		w := ix.docIDF(df)
		if i == 0 && c.alts[0].strength == matchExact {
			return w, false
		}
		best = math.Max(best, w)
	}
	if best < 0 {
		return unknownWeight * ix.docIDF(1), true
	}
	return best, false
}

func (ix *Index) altDocDF(a alt) int { return rarest(a, ix.docDF) }

// scale discounts everyday words and platform names.
func scale(c concept) float64 {
	f := 1.0
	if c.generic {
		f *= genericWeight
	}
	if c.platform {
		f *= platformWeight
	}
	return f
}

func (ix *Index) altDF(a alt) int { return rarest(a, ix.df) }

// rarest is the smallest count in counts of any of a's stems: a phrase is
// found at most where its rarest word is.
func rarest(a alt, counts map[string]int) int {
	df := math.MaxInt
	for _, s := range a.stems {
		df = min(df, counts[s])
	}
	if df == math.MaxInt {
		return 0
	}
	return df
}

// joinStems and joinWords spell a run of tokens as a phrase key or as
// written.
func joinStems(ts []token) string { return joinTokens(ts, func(t token) string { return t.stem }) }
func joinWords(ts []token) string { return joinTokens(ts, func(t token) string { return t.word }) }

func joinTokens(ts []token, part func(token) string) string {
	if len(ts) == 1 {
		return part(ts[0]) // the common case, without building a string
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(part(t))
	}
	return b.String()
}

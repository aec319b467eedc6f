package retrieval

import (
	"fmt"
	"testing"
)

// queryAlts keeps each alternative once, rarest first, whether it dedupes
// by scanning (short questions) or through a set (long ones).
func TestQueryAltsKeepsEachAlternativeOnce(t *testing.T) {
	ix := &Index{n: 10, df: map[string]int{}}
	for _, n := range []int{6, 200} {
		t.Run(fmt.Sprintf("%d alternatives", n), func(t *testing.T) {
			var cs []concept
			for i := 0; i < n; i++ {
				w := fmt.Sprintf("w%d", i%(n/2)) // every word twice
				ix.df[w] = 1 + i%(n/2)%5
				cs = append(cs, concept{alts: []alt{{surface: w, stems: []string{w}}}})
			}
			got := ix.queryAlts(cs)
			if len(got) != n/2 {
				t.Fatalf("%d alternatives, want %d", len(got), n/2)
			}
			seen := map[string]bool{}
			for i, a := range got {
				if seen[a.surface] {
					t.Fatalf("%q twice", a.surface)
				}
				seen[a.surface] = true
				if i > 0 && ix.altDF(got[i-1]) > ix.altDF(a) {
					t.Fatalf("%q (df %d) after %q (df %d): not rarest first", a.surface, ix.altDF(a), got[i-1].surface, ix.altDF(got[i-1]))
				}
			}
		})
	}
}

// bits: set, has, within and meets on a set wider than one word.
func TestBits(t *testing.T) {
	a, b, c := make(bits, 2), make(bits, 2), make(bits, 2)
	a.set(3)
	a.set(70)
	b.or(a)
	b.set(5)
	c.set(64)
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"has 70", a.has(70), true},
		{"has 69", a.has(69), false},
		{"a within b", a.within(b), true},
		{"b within a", b.within(a), false},
		{"a meets b or c", a.meets(b, c), true},
		{"c meets a or a", c.meets(a, a), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// sectionStems finds the same stems whichever way it looks a stem up:
// through posting lists (which also count the document's title and tags)
// or in each candidate's own term set.
func TestSectionStemsSameEitherWay(t *testing.T) {
	ix := testIndex(t, 400, 5, 1)
	noPostings := *ix
	noPostings.sections = nil
	titleOnly := 0 // stems the postings find only through a title or tag
	viaEach := 0   // stems too common for their postings, found in term sets
	for _, q := range testQuestions(200, 2000, 2) {
		r := ix.Analyse(q)
		r.Search()
		cands, cs := r.cands, r.concepts
		uniq, words := questionStems(cs)
		field := func(i int) bits {
			f := make(bits, words)
			for k, id := range uniq {
				if d := cands[i].doc; d != nil && d.fieldIDs.has(id) {
					f.set(k)
				}
			}
			return f
		}
		viaPostings, viaTerms := make(bits, len(cands)*words), make(bits, len(cands)*words)
		sectionStems(ix, cands, uniq, words, field, viaPostings)
		sectionStems(&noPostings, cands, uniq, words, field, viaTerms)
		for i := range viaPostings {
			if viaPostings[i] != viaTerms[i] {
				t.Fatalf("%q: candidate %d word %d: postings %b, term sets %b", q, i/words, i%words, viaPostings[i], viaTerms[i])
			}
		}
		for i := range cands {
			f := field(i)
			for k := range uniq {
				if f.has(k) && !viaTerms[i*words:(i+1)*words].has(k) {
					titleOnly++
				}
			}
		}
		for _, id := range uniq {
			if len(ix.sections.byID(id)) > len(cands)*6 {
				viaEach++
			}
		}
	}
	if titleOnly == 0 {
		t.Fatal("no candidate had a question stem in its title or tags only: the test does not reach the case it guards")
	}
	if viaEach == 0 {
		t.Fatal("every stem went through its postings: the test does not compare the two ways")
	}
}

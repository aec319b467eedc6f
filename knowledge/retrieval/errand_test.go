package retrieval

import (
	"math"
	"testing"
)

// errandIndex builds a one-document index in memory.
func errandIndex(t *testing.T, d Document, secs ...Section) *Index {
	t.Helper()
	b := NewBuilder("1", len(secs))
	b.AddDocument(d)
	for i := range secs {
		secs[i].ID, secs[i].DocID, secs[i].Ord = int64(i+1), d.ID, i
		secs[i].Terms = SectionTerms(secs[i].Headings, secs[i].Body)
		b.AddSection(secs[i])
	}
	return b.Build()
}

// The errand feature weighs a question about pay against the document
// that would answer it: against comms guidance that only shares its
// scenario it counts against answering, against a note that is itself
// about pay it counts less and the note answers, and a question the passage covers whole is
// not doubted for its topic.
func TestErrandIsRelativeToTheDocument(t *testing.T) {
	const q = "how is holiday pay worked out for staff on the weekend rota"
	comms := errandIndex(t, Document{ID: "cover", Title: "Out-of-hours cover for social media", Tags: "rota weekends"},
		Section{Body: "Accounts are watched in office hours only."},
		Section{Headings: "What goes in the rota?", Body: "Two officers share each weekend rota, swapping at noon on Saturday. Holiday periods are planned a month ahead."},
		Section{Headings: "What do we post when nobody is watching?", Body: "Pin a post giving the hours the page is staffed."})
	pay := errandIndex(t, Document{ID: "pay", Title: "Holiday pay and allowances for rota staff", Tags: "pay leave allowances"},
		Section{Body: "Staff on a rota earn holiday pay on their average weekly earnings, including allowances."},
		Section{Headings: "How is holiday pay worked out?", Body: "Payroll averages the last 52 paid weeks, overtime and standby payments included, and pays it with the monthly salary."},
		Section{Headings: "Claiming standby payments", Body: "Claim standby and call-out payments on the expenses form by the fifth of the month."})

	feats := func(ix *Index) (Features, QuestionFeatures, float64) {
		r := rank(ix, q)
		if len(r.Hits()) == 0 {
			t.Fatalf("no hit for %q", q)
		}
		return r.Hits()[0].feats, r.q, r.Confidence()
	}
	fc, qc, confComms := feats(comms)
	fp, _, confPay := feats(pay)
	if fc.Errand <= 0 {
		t.Errorf("against comms guidance the pay question's errand feature is %.2f, want > 0", fc.Errand)
	}
	if fp.Errand >= fc.Errand {
		t.Errorf("errand feature against the pay note %.2f, against comms guidance %.2f: want it smaller against the note about pay", fp.Errand, fc.Errand)
	}
	without := fc
	without.Errand = 0
	if p := confidence(without, qc, false).p; confComms >= p {
		t.Errorf("confidence against comms guidance %.2f, %.2f without the errand term: want it lower", confComms, p)
	}
	if confPay < DefaultMinConfidence {
		t.Errorf("confidence against the pay note %.2f, want at least %.2f", confPay, DefaultMinConfidence)
	}

	// Covered whole, the question is judged on its coverage alone.
	r := rank(comms, "what goes in the rota")
	if h := r.Hits(); len(h) == 0 || h[0].feats.Cov < 1 || h[0].feats.Errand != 0 {
		t.Errorf("a question covered whole: hits %+v, want coverage 1 and no errand term", h)
	}
}

func TestErrandOfNoWords(t *testing.T) {
	if e := errandOf(make([]float32, 100)); e != 0 {
		t.Errorf("errandOf(zero vector) = %v, want 0", e)
	}
	if v := UnitVec(make([]float32, 100)); v != nil {
		t.Errorf("UnitVec(zero vector) = %v, want nil", v)
	}
	v := UnitVec(sumVecs(nil, vecWords("press office journalists")))
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if math.Abs(n-1) > 1e-5 {
		t.Errorf("UnitVec has squared length %v, want 1", n)
	}
	// A question with no word in the vector table leaves the feature out.
	ix := errandIndex(t, Document{ID: "d", Title: "Zqxv"}, Section{Body: "zqxv wvut"})
	if h := rank(ix, "zqxv wvut?").Hits(); len(h) == 0 || h[0].feats.Errand != 0 {
		t.Errorf("hits %+v, want one with no errand term", h)
	}
}

// The builder's fast path sums the same words as vecWords.
func TestBuilderSumsTheSameWords(t *testing.T) {
	b := NewBuilder("1", 10)
	for _, s := range []string{
		"The NHS and IT people’s don't X-ray, the Press Office: journalists, 2024 flooding! FOI foi ABC",
		"Gritting routes; councillors retweet during purdah. Gritting ROUTES again",
	} {
		got, want := b.sumWords(nil, s), sumVecs(nil, vecWords(s))
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("%q: element %d is %v, want %v", s, k, got[k], want[k])
			}
		}
	}
}

package admin

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

func gapPath(id int64, action string) string {
	p := "/admin/gaps/" + strconv.FormatInt(id, 10)
	if action != "" {
		p += "/" + action
	}
	return p
}

func TestGaps(t *testing.T) {
	h := newHarness(t, harnessOpts{linker: true})
	b := h.signedIn()
	biscuit := h.ask("which biscuits should we serve at the network meeting?").QuestionID
	biscuit2 := h.ask("Which biscuits should we serve at network meetings").QuestionID
	parking := h.ask("is there parking near the venue on Saturday?").QuestionID

	t.Run("listed newest first, near-duplicates grouped, askers hidden", func(t *testing.T) {
		p := b.get("/admin/gaps")
		mustContain(t, p.body, "3 questions", "Asked 2 times", "is there parking near the venue on Saturday?")
		if strings.Index(p.body, "parking") > strings.Index(p.body, "biscuits") {
			t.Error("not newest first")
		}
		mustNotContain(t, p.body, member)
		p = b.get(gapPath(biscuit2, ""))
		mustContain(t, p.body, "<summary>Who asked</summary>", member, "which biscuits should we serve at the network meeting?")
	})

	t.Run("answered with a new FAQ, with its near-duplicate", func(t *testing.T) {
		p := b.post(gapPath(biscuit2, "answer"), url.Values{"answer": {"Shortbread, and something gluten free."}, "others": {"1"}})
		if p.code != http.StatusSeeOther || p.location() != "/admin/gaps?done=answered" {
			t.Fatalf("answer: %d %q\n%s", p.code, p.location(), p.body)
		}
		gaps, _ := h.kb.Gaps(h.ctx, 10)
		if len(gaps) != 1 || gaps[0].ID != parking {
			t.Fatalf("gaps after answering = %+v", gaps)
		}
		a := h.ask("which biscuits should we serve at the network meeting?")
		if !a.Confident || !strings.Contains(a.Text, "Shortbread") {
			t.Fatalf("not answered from the FAQ: %q", a.Text)
		}
		ents, _ := os.ReadDir(h.dir)
		found := false
		for _, e := range ents {
			found = found || strings.HasPrefix(e.Name(), "faq-"+strconv.FormatInt(biscuit2, 10)+"-")
		}
		if !found {
			t.Errorf("no faq file in %v", ents)
		}
		// The answered question's wording and its near-duplicate's are
		// kept as ways of asking for the new FAQ.
		ph := h.phrasings()
		if len(ph) != 2 || !slices.ContainsFunc(ph, func(p string) bool { return strings.HasPrefix(p, "answer "+strconv.FormatInt(biscuit2, 10)+" faq-") }) ||
			!slices.ContainsFunc(ph, func(p string) bool { return strings.HasPrefix(p, "link "+strconv.FormatInt(biscuit, 10)+" faq-") }) {
			t.Errorf("phrasings %q, want the answered question's (%d) and its near-duplicate's (%d)", ph, biscuit2, biscuit)
		}
		if rows := h.audit("kb.gap.answer"); len(rows) != 1 || rows[0].Actor != organiser {
			t.Errorf("audit = %+v", rows)
		}
	})

	t.Run("an empty answer is refused and nothing changes", func(t *testing.T) {
		p := b.post(gapPath(parking, "answer"), url.Values{"answer": {"  "}})
		if p.code != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Write the answer first") {
			t.Fatalf("empty answer: %d", p.code)
		}
	})

	t.Run("pointed at an existing section", func(t *testing.T) {
		p := b.get(gapPath(parking, ""))
		mustContain(t, p.body, "Point it at a section", `<select id="target" name="target"`)
		p = b.post(gapPath(parking, "link"), url.Values{"target": {"photo-consent-children#Who should staff ask for help?"}})
		if p.code != http.StatusSeeOther || p.location() != "/admin/gaps?done=linked" {
			t.Fatalf("link: %d %q\n%s", p.code, p.location(), p.body)
		}
		ph := h.phrasings()
		if got, want := ph[len(ph)-1], "link "+strconv.FormatInt(parking, 10)+" photo-consent-children#who-should-staff-ask-for-help"; got != want {
			t.Errorf("phrasing %q, want %q", got, want)
		}
		if a := h.ask("is there parking near the venue on Saturday?"); a.Sources == nil || a.Sources[0].ID != "photo-consent-children" {
			t.Errorf("the same words are not answered from the section: %+v", a.Sources)
		}
		if rows := h.audit("kb.gap.link"); len(rows) != 2 {
			t.Errorf("audit = %+v", rows)
		}
	})

	t.Run("dismissed with a reason", func(t *testing.T) {
		id := h.ask("buy cheap followers now!!!").QuestionID
		if p := b.post(gapPath(id, "dismiss"), url.Values{"reason": {""}}); p.code != http.StatusUnprocessableEntity {
			t.Fatalf("dismiss without a reason: %d", p.code)
		}
		if p := b.post(gapPath(id, "dismiss"), url.Values{"reason": {"spam"}}); p.code != http.StatusSeeOther {
			t.Fatalf("dismiss: %d", p.code)
		}
		if gaps, _ := h.kb.Gaps(h.ctx, 10); len(gaps) != 0 {
			t.Fatalf("gaps = %+v", gaps)
		}
		rows := h.audit("kb.gap.dismiss")
		if len(rows) != 1 || rows[0].Detail != "spam" || rows[0].Actor != organiser {
			t.Errorf("audit = %+v", rows)
		}
		if p := b.get(gapPath(id, "")); p.code != http.StatusNotFound || !strings.Contains(p.body, "not an open gap") {
			t.Errorf("dismissed gap page: %d", p.code)
		}
	})
}

func TestGapsWithoutLinker(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	id := h.ask("which biscuits should we serve at the network meeting?").QuestionID
	p := b.get(gapPath(id, ""))
	mustNotContain(t, p.body, "Point it at a section")
	if p := b.post(gapPath(id, "link"), url.Values{"target": {"photo-consent-children#"}}); p.code != http.StatusNotFound {
		t.Errorf("link without kb link: %d", p.code)
	}
}

func TestGroupingNearDuplicates(t *testing.T) {
	gaps := []knowledge.Gap{
		{ID: 5, Text: "How do I get the parking permit for the office?"},
		{ID: 4, Text: "completely different: can we livestream council meetings"},
		{ID: 3, Text: "how to get a parking permit for the office"},
		{ID: 2, Text: "HOW DO I GET THE PARKING PERMIT FOR THE OFFICE?"},
		{ID: 1, Text: "parking"},
	}
	var got [][]int64
	for _, g := range groupGaps(gaps) {
		var ids []int64
		for _, q := range g.All() {
			ids = append(ids, q.ID)
		}
		got = append(got, ids)
	}
	want := "[[5 3 2] [4] [1]]"
	if s := fmtIDs(got); s != want {
		t.Errorf("groups = %s, want %s", s, want)
	}
}

func fmtIDs(g [][]int64) string {
	var b strings.Builder
	b.WriteString("[")
	for i, ids := range g {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[")
		for j, id := range ids {
			if j > 0 {
				b.WriteString(" ")
			}
			b.WriteString(strconv.FormatInt(id, 10))
		}
		b.WriteString("]")
	}
	b.WriteString("]")
	return b.String()
}

func TestFeedback(t *testing.T) {
	h := newHarness(t, harnessOpts{linker: true})
	b := h.signedIn()
	good := h.ask("how do I write good alt text for images?")
	bad := h.ask("do videos need captions?")
	if !good.Confident || !bad.Confident {
		t.Fatalf("fixtures not answered: %v %v", good.Confident, bad.Confident)
	}
	if err := h.kb.Feedback(h.ctx, good.QuestionID, "U1", true); err != nil {
		t.Fatal(err)
	}
	if err := h.kb.Feedback(h.ctx, bad.QuestionID, "U2", false); err != nil {
		t.Fatal(err)
	}
	id := func(q knowledge.Answer) string { return strconv.FormatInt(q.QuestionID, 10) }

	p := b.get("/admin/feedback")
	mustContain(t, p.body, "how do I write good alt text for images?", "1 helpful, 0 not helpful", "0 helpful, 1 not helpful",
		"Quotes:</span> Making social media posts accessible › How do I write good alt text for images?",
		"/admin/feedback/"+id(good)+"/confirm")
	mustNotContain(t, p.body, "/admin/feedback/"+id(bad)+"/confirm")

	t.Run("confirm a helpful answer", func(t *testing.T) {
		p := b.post("/admin/feedback/"+id(good)+"/confirm", nil)
		if p.code != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", p.code, p.body)
		}
		if ph := h.phrasings(); len(ph) != 1 || ph[0] != "helpful "+id(good)+" accessible-social-media#how-do-i-write-good-alt-text-for-images" {
			t.Errorf("phrasings %q", ph)
		}
		if p := b.get("/admin/feedback"); !strings.Contains(p.body, "confirmed</strong> by "+organiser) {
			t.Error("not shown as confirmed")
		}
		if p := b.post("/admin/feedback/"+id(bad)+"/confirm", nil); p.code != http.StatusUnprocessableEntity {
			t.Errorf("confirming an unhelpful answer: %d", p.code)
		}
	})

	t.Run("flag a wrong one for review", func(t *testing.T) {
		p := b.post("/admin/feedback/"+id(bad)+"/flag", url.Values{"note": {"says nothing about audio description"}})
		if p.code != http.StatusSeeOther {
			t.Fatalf("flag: %d", p.code)
		}
		p = b.get("/admin/docs")
		mustContain(t, p.body, "Flagged for review", "Do videos need captions?", "says nothing about audio description", "1 flagged")
		p = b.get("/admin/doc?id=accessible-social-media")
		mustContain(t, p.body, "Flagged for review", "says nothing about audio description")
		if p := b.post("/admin/reviews/"+id(bad)+"/done", url.Values{"back": {"/admin/doc?id=accessible-social-media"}}); p.code != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/admin/doc?id=accessible-social-media") {
			t.Fatalf("review done: %d %q", p.code, p.location())
		}
		mustNotContain(t, b.get("/admin/docs").body, "Flagged for review")
		if n := len(h.audit("kb.feedback.flag")) + len(h.audit("kb.review.done")) + len(h.audit("kb.feedback.confirm")); n != 3 {
			t.Errorf("%d audit rows", n)
		}
	})
}

func TestFeedbackWithoutLinkerOffersNoConfirm(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	good := h.ask("how do I write good alt text for images?")
	_ = h.kb.Feedback(h.ctx, good.QuestionID, "U1", true)
	p := b.get("/admin/feedback")
	mustContain(t, p.body, "Flag for review")
	mustNotContain(t, p.body, "Confirm helpful")
}

// An answer that quoted two sections shows both, and how to point the
// question at the second if that is the one that helped.
func TestFeedbackNamesBothQuotedSections(t *testing.T) {
	h := newHarness(t, harnessOpts{linker: true})
	b := h.signedIn()
	a := h.ask("who is on call")
	if !a.Confident || !retrieval.QuotesSecond(a.Passages) {
		t.Fatalf("the fixture needs an answer quoting two sections: confident %v, passages %+v", a.Confident, a.Passages)
	}
	if err := h.kb.Feedback(h.ctx, a.QuestionID, "U1", true); err != nil {
		t.Fatal(err)
	}
	second := a.Passages[1].ID
	p := b.get("/admin/feedback")
	mustContain(t, p.body, "Also quoted:</span> "+second, "<code>kb link "+strconv.FormatInt(a.QuestionID, 10)+" "+second+"</code>")
}

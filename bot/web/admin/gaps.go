package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bothy-chat/bothy/knowledge"
)

// Gaps: questions the knowledge base could not answer, newest first,
// near-duplicates grouped. Each can be answered with a new FAQ (the
// document kb answer writes), pointed at an existing section (kb link), or
// dismissed with a reason.

// gapWindow is how many open gaps the console reads.
const gapWindow = 500

type gapGroup struct {
	// Lead is the newest question; Others are its near-duplicates.
	Lead   knowledge.Gap
	Others []knowledge.Gap
	Last   string
}

// Count is how many times the question was asked.
func (g gapGroup) Count() int { return 1 + len(g.Others) }

// All lists the group's questions, newest first.
func (g gapGroup) All() []knowledge.Gap { return append([]knowledge.Gap{g.Lead}, g.Others...) }

type gapsData struct {
	Enabled bool
	Groups  []gapGroup
	Total   int
}

// words reduces a question to a set of content words for near-duplicate
// matching: lower case, small words and question filler dropped, plural
// and -ing endings trimmed.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) < 3 || fillerWords[w] {
			continue
		}
		for _, suf := range []string{"ing", "ies", "es", "s", "ed"} {
			if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
				w = strings.TrimSuffix(w, suf)
				break
			}
		}
		out[w] = true
	}
	return out
}

var fillerWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and for are but not you your our with what when where which who whom why how
		can could should would will shall may might must does did doing has have had having this that these those
		there their them they then than from into onto about any some all just also very much more most out off
		get got its it's i'm i've we're anyone someone somebody anybody please thanks thank know need want way ways
		best good tips tip advice help hello hi one there's what's how's was were been being`) {
		m[w] = true
	}
	return m
}()

// similar reports whether two word sets share most of their words.
func similar(a, b map[string]bool) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	common := 0
	for w := range a {
		if b[w] {
			common++
		}
	}
	union := len(a) + len(b) - common
	return float64(common)/float64(union) >= 0.6
}

// groupGaps puts near-duplicates together; groups keep the order of their
// newest question.
func groupGaps(gaps []knowledge.Gap) []gapGroup {
	var groups []gapGroup
	var keys []map[string]bool
	for _, g := range gaps {
		ws := words(g.Text)
		placed := false
		for i := range groups {
			if similar(keys[i], ws) || strings.EqualFold(strings.TrimSpace(groups[i].Lead.Text), strings.TrimSpace(g.Text)) {
				groups[i].Others = append(groups[i].Others, g)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, gapGroup{Lead: g})
			keys = append(keys, ws)
		}
	}
	return groups
}

func (c *Console) gapsPage(w http.ResponseWriter, r *http.Request) {
	d := gapsData{Enabled: c.opts.Knowledge != nil}
	if d.Enabled {
		gaps, err := c.opts.Knowledge.Gaps(r.Context(), gapWindow)
		if err != nil {
			c.fail(w, r, "listing gaps", err)
			return
		}
		d.Groups, d.Total = groupGaps(gaps), len(gaps)
		for i := range d.Groups {
			d.Groups[i].Last = c.when(d.Groups[i].Lead.At)
		}
	}
	c.render(w, r, "gaps.html", http.StatusOK, "Gaps", d)
}

// sectionChoice is one section a gap could be pointed at.
type sectionChoice struct {
	Value, Label string
}

type docChoice struct {
	Title    string
	Sections []sectionChoice
}

type gapData struct {
	Group   gapGroup
	When    map[int64]string
	CanLink bool
	Nearest []docChoice
	Answer  string
	Reason  string
	Target  string
	Problem string
	HasDirs bool
	AskedBy map[int64]string
	// SkipOthers leaves the near-duplicates box unticked (after a refused
	// form where it was unticked).
	SkipOthers bool
}

// findGroup finds the open gap id and its near-duplicates.
func (c *Console) findGroup(r *http.Request, id int64) (gapGroup, bool, error) {
	gaps, err := c.opts.Knowledge.Gaps(r.Context(), gapWindow)
	if err != nil {
		return gapGroup{}, false, err
	}
	for _, g := range groupGaps(gaps) {
		for _, q := range g.All() {
			if q.ID == id {
				// The opened question leads its group.
				if g.Lead.ID != id {
					rest := []knowledge.Gap{g.Lead}
					for _, o := range g.Others {
						if o.ID != id {
							rest = append(rest, o)
						}
					}
					g = gapGroup{Lead: q, Others: rest}
				}
				return g, true, nil
			}
		}
	}
	return gapGroup{}, false, nil
}

func (c *Console) gapPage(w http.ResponseWriter, r *http.Request) {
	c.showGap(w, r, http.StatusOK, gapData{})
}

func (c *Console) showGap(w http.ResponseWriter, r *http.Request, code int, d gapData) {
	id, ok := pathID(r)
	if !ok {
		c.renderError(w, r, http.StatusNotFound, "No such question", "That is not a question number.")
		return
	}
	g, found, err := c.findGroup(r, id)
	if err != nil {
		c.fail(w, r, "finding a gap", err)
		return
	}
	if !found {
		c.renderError(w, r, http.StatusNotFound, "Already dealt with",
			fmt.Sprintf("Question %d is not an open gap: it may have been answered, pointed at a section or dismissed already. See the audit log.", id))
		return
	}
	d.Group = g
	d.When, d.AskedBy = map[int64]string{}, map[int64]string{}
	for _, q := range g.All() {
		d.When[q.ID] = c.when(q.At)
		who := q.UserID
		if q.Platform != "" {
			who += " on " + q.Platform
		}
		if q.UserID == "" {
			who = "someone (not recorded)"
		}
		d.AskedBy[q.ID] = who
	}
	d.HasDirs = len(c.opts.Knowledge.Dirs()) > 0
	if d.CanLink = c.linker() != nil; d.CanLink {
		if d.Nearest, err = c.nearestSections(r, g.Lead.Text); err != nil {
			c.fail(w, r, "ranking sections", err)
			return
		}
	}
	c.render(w, r, "gap.html", code, "Question "+strconv.FormatInt(g.Lead.ID, 10), d)
}

// nearestSections offers the sections of the documents nearest to a
// question, best first.
func (c *Console) nearestSections(r *http.Request, text string) ([]docChoice, error) {
	hits, _, err := c.opts.Knowledge.Rank(r.Context(), text)
	if err != nil {
		return nil, err
	}
	var out []docChoice
	for _, h := range hits {
		secs, err := c.opts.Knowledge.DocumentSections(r.Context(), h.ID)
		if err != nil {
			return nil, err
		}
		dc := docChoice{Title: h.Title}
		for _, s := range secs {
			label := s
			if s == "" {
				label = "The whole document (its opening text)"
			}
			dc.Sections = append(dc.Sections, sectionChoice{Value: h.ID + "#" + s, Label: label})
		}
		out = append(out, dc)
	}
	return out, nil
}

// selectedOthers returns the near-duplicates to settle with the same
// answer: all of them when the form's box is ticked.
func selectedOthers(r *http.Request, g gapGroup) []int64 {
	if r.PostFormValue("others") != "1" {
		return nil
	}
	out := make([]int64, 0, len(g.Others))
	for _, o := range g.Others {
		out = append(out, o.ID)
	}
	return out
}

func (c *Console) gapAnswer(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	ctx := r.Context()
	g, found, err := c.findGroup(r, id)
	if err != nil || !found {
		c.showGap(w, r, http.StatusNotFound, gapData{})
		return
	}
	answer := strings.TrimSpace(r.PostFormValue("answer"))
	others := selectedOthers(r, g)
	if answer == "" {
		c.showGap(w, r, http.StatusUnprocessableEntity, gapData{Problem: "Write the answer first: it becomes the FAQ document's text.", SkipOthers: len(others) == 0})
		return
	}
	who := sessionOf(r).Who
	docID, path, err := c.opts.Knowledge.AnswerGap(ctx, id, answer, who.Name)
	switch {
	case errors.Is(err, knowledge.ErrNoFolder):
		c.showGap(w, r, http.StatusConflict, gapData{Answer: answer, Problem: "The answer cannot be saved: " + err.Error() + ".", SkipOthers: len(others) == 0})
		return
	case err != nil && docID == "":
		c.showGap(w, r, http.StatusUnprocessableEntity, gapData{Answer: answer, Problem: "The answer was not saved: " + err.Error(), SkipOthers: len(others) == 0})
		return
	case err != nil:
		c.fail(w, r, "answering a gap", err)
		return
	}
	c.auditDone(r, who.UserID, "kb.gap.answer", fmt.Sprintf("question:%d", id), docID+" "+path)
	c.settleOthers(r, others, docID, "")
	done(w, r, "/admin/gaps", "answered")
}

// settleOthers closes near-duplicates with the same answer: through the
// Linker (keeping their wording as phrasings) when there is one.
func (c *Console) settleOthers(r *http.Request, ids []int64, docID, section string) {
	who := sessionOf(r).Who
	for _, o := range ids {
		var err error
		if l := c.linker(); l != nil {
			err = l.LinkGap(r.Context(), o, docID, section, who.UserID)
		} else {
			err = c.opts.Knowledge.ResolveGap(r.Context(), o, docID)
		}
		if err != nil {
			c.log.Warn("could not close a near-duplicate gap", "request_id", requestID(r), "question", o, "err", err)
			continue
		}
		c.auditDone(r, who.UserID, "kb.gap.link", fmt.Sprintf("question:%d", o), docID+"#"+section)
	}
}

func (c *Console) gapLink(w http.ResponseWriter, r *http.Request) {
	l := c.linker()
	if c.opts.Knowledge == nil || l == nil {
		c.renderError(w, r, http.StatusNotFound, "Not available", "Pointing questions at sections is not available in this version.")
		return
	}
	id, _ := pathID(r)
	g, found, err := c.findGroup(r, id)
	if err != nil || !found {
		c.showGap(w, r, http.StatusNotFound, gapData{})
		return
	}
	target := strings.TrimSpace(r.PostFormValue("other"))
	if target == "" {
		target = r.PostFormValue("target")
	}
	others := selectedOthers(r, g)
	docID, section, _ := strings.Cut(target, "#")
	docID, section = strings.TrimSpace(docID), strings.TrimSpace(section)
	if docID == "" {
		c.showGap(w, r, http.StatusUnprocessableEntity, gapData{Problem: "Choose a section, or type a document id (and #section).", SkipOthers: len(others) == 0})
		return
	}
	who := sessionOf(r).Who
	if err := l.LinkGap(r.Context(), id, docID, section, who.UserID); err != nil {
		if errors.Is(err, knowledge.ErrNotFound) {
			c.showGap(w, r, http.StatusUnprocessableEntity, gapData{Target: target, Problem: "That did not work: " + err.Error() + ". Check the document id and section heading.", SkipOthers: len(others) == 0})
			return
		}
		c.fail(w, r, "linking a gap", err)
		return
	}
	c.auditDone(r, who.UserID, "kb.gap.link", fmt.Sprintf("question:%d", id), docID+"#"+section)
	c.settleOthers(r, others, docID, section)
	done(w, r, "/admin/gaps", "linked")
}

func (c *Console) gapDismiss(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	g, found, err := c.findGroup(r, id)
	if err != nil || !found {
		c.showGap(w, r, http.StatusNotFound, gapData{})
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	others := selectedOthers(r, g)
	if reason == "" {
		c.showGap(w, r, http.StatusUnprocessableEntity, gapData{Problem: "Give a reason for dismissing it; it goes in the audit log.", SkipOthers: len(others) == 0})
		return
	}
	who := sessionOf(r).Who
	for _, q := range append([]int64{id}, others...) {
		if err := c.opts.Knowledge.DismissGap(r.Context(), q); err != nil {
			if errors.Is(err, knowledge.ErrNotFound) {
				continue
			}
			c.fail(w, r, "dismissing a gap", err)
			return
		}
		c.auditDone(r, who.UserID, "kb.gap.dismiss", fmt.Sprintf("question:%d", q), reason)
	}
	done(w, r, "/admin/gaps", "dismissed")
}

// ago is a short "3 days ago" for lists.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return "within the hour"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day", "days") + " ago"
}

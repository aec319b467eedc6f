package admin

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge"
)

// Feedback: answers people rated, with the question, the section the
// answer quotes and its sources. An organiser confirms a helpful one (its
// wording becomes a phrasing of that section) or flags a wrong one (the
// section is listed for review on the Documents page).

const ratedWindow = 100

type ratedRow struct {
	knowledge.Rated
	When    string
	AskedBy string
	// Section and Passage are what Bothy quotes for the question now.
	DocTitle string
	DocID    string
	Section  string
	Passage  string
	Sources  []string
	Triage   triage
	Handled  bool
}

type feedbackData struct {
	Enabled    bool
	CanConfirm bool
	Rows       []ratedRow
}

func (c *Console) feedbackPage(w http.ResponseWriter, r *http.Request) {
	d := feedbackData{Enabled: c.opts.Knowledge != nil, CanConfirm: c.linker() != nil}
	if !d.Enabled {
		c.render(w, r, "feedback.html", http.StatusOK, "Feedback", d)
		return
	}
	ctx := r.Context()
	rated, err := c.opts.Knowledge.RatedAnswers(ctx, ratedWindow)
	if err != nil {
		c.fail(w, r, "listing rated answers", err)
		return
	}
	titles, err := c.titles(r)
	if err != nil {
		c.fail(w, r, "listing documents", err)
		return
	}
	for _, q := range rated {
		row := ratedRow{Rated: q, When: c.when(q.At), AskedBy: q.UserID}
		if q.Platform != "" {
			row.AskedBy += " on " + q.Platform
		}
		for _, id := range q.Sources {
			t := titles[id]
			if t == "" {
				t = id + " (no longer in the knowledge base)"
			}
			row.Sources = append(row.Sources, t)
		}
		row.DocID, row.Section, row.Passage, row.DocTitle = c.quoted(r, q)
		if row.DocTitle == "" && row.DocID != "" {
			row.DocTitle = titles[row.DocID]
			if row.DocTitle == "" {
				row.DocTitle = row.DocID
			}
		}
		if t, ok, err := getTriage(ctx, c.db, q.QuestionID); err != nil {
			c.fail(w, r, "reading triage", err)
			return
		} else if ok {
			row.Triage, row.Handled = t, true
		}
		d.Rows = append(d.Rows, row)
	}
	c.render(w, r, "feedback.html", http.StatusOK, "Feedback", d)
}

func (c *Console) titles(r *http.Request) (map[string]string, error) {
	docs, err := c.opts.Knowledge.Documents(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(docs))
	for _, d := range docs {
		m[d.ID] = d.Title
	}
	return m, nil
}

// quoted finds the section an answer to q quoted: the one recorded with
// the question, or for older questions the best passage of the document
// it was answered from, as the knowledge base ranks it now. The passage
// text is the section's as it reads now.
func (c *Console) quoted(r *http.Request, q knowledge.Rated) (docID, section, passage, title string) {
	hits, _, err := c.opts.Knowledge.Rank(r.Context(), q.Text)
	if err != nil {
		c.log.Warn("ranking a rated question", "request_id", requestID(r), "err", err)
	}
	if q.Passage != "" {
		docID, anchor, _ := strings.Cut(q.Passage, "#")
		if anchor != "" {
			secs, err := c.opts.Knowledge.DocumentSections(r.Context(), docID)
			if err != nil {
				c.log.Warn("reading a document's sections", "request_id", requestID(r), "err", err)
			}
			for _, s := range secs {
				if s != "" && knowledge.Anchor(s) == anchor {
					section = s
					break
				}
			}
		}
		for _, h := range hits {
			if h.ID == docID {
				title = h.Title
				if lastHeading(h.Headings) == section {
					passage = clipText(h.Passage, 400)
				}
				break
			}
		}
		return docID, section, passage, title
	}
	for _, h := range hits {
		if len(q.Sources) == 0 || h.ID == q.Sources[0] {
			return h.ID, lastHeading(h.Headings), clipText(h.Passage, 400), h.Title
		}
	}
	if len(q.Sources) > 0 {
		return q.Sources[0], "", "", ""
	}
	return "", "", "", ""
}

func lastHeading(path string) string {
	if i := strings.LastIndex(path, " > "); i >= 0 {
		return path[i+3:]
	}
	return path
}

func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (c *Console) ratedByID(r *http.Request, id int64) (knowledge.Rated, bool, error) {
	rated, err := c.opts.Knowledge.RatedAnswers(r.Context(), ratedWindow)
	if err != nil {
		return knowledge.Rated{}, false, err
	}
	for _, q := range rated {
		if q.QuestionID == id {
			return q, true, nil
		}
	}
	return knowledge.Rated{}, false, nil
}

func (c *Console) feedbackConfirm(w http.ResponseWriter, r *http.Request) {
	l := c.linker()
	if c.opts.Knowledge == nil || l == nil {
		c.renderError(w, r, http.StatusNotFound, "Not available", "Confirming helpful answers is not available in this version.")
		return
	}
	id, _ := pathID(r)
	q, ok, err := c.ratedByID(r, id)
	if err != nil {
		c.fail(w, r, "finding a rated answer", err)
		return
	}
	if !ok || q.Helpful == 0 || !q.Answered {
		c.renderError(w, r, http.StatusUnprocessableEntity, "Nothing to confirm",
			fmt.Sprintf("Question %d has no answer rated helpful, so there is nothing to confirm.", id))
		return
	}
	who := sessionOf(r).Who
	if err := l.ConfirmHelpful(r.Context(), id, who.UserID); err != nil {
		if errors.Is(err, knowledge.ErrNotFound) || errors.Is(err, knowledge.ErrNotHelpful) {
			c.renderError(w, r, http.StatusUnprocessableEntity, "Could not confirm", err.Error())
			return
		}
		c.fail(w, r, "confirming an answer", err)
		return
	}
	docID, section, _, _ := c.quoted(r, q)
	if err := c.db.InTx(r.Context(), func(tx *sql.Tx) error {
		if err := setTriage(r.Context(), tx, id, triageConfirmed, docID, section, "", who.UserID, c.now()); err != nil {
			return err
		}
		return store.AuditIn(r.Context(), tx, who.UserID, "kb.feedback.confirm", fmt.Sprintf("question:%d", id), docID+"#"+section)
	}); err != nil {
		c.fail(w, r, "recording a confirmation", err)
		return
	}
	done(w, r, "/admin/feedback", "confirmed")
}

func (c *Console) feedbackFlag(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	q, ok, err := c.ratedByID(r, id)
	if err != nil {
		c.fail(w, r, "finding a rated answer", err)
		return
	}
	if !ok {
		c.renderError(w, r, http.StatusNotFound, "No such answer", fmt.Sprintf("Question %d has no rated answer.", id))
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len([]rune(note)) > 1000 {
		c.renderError(w, r, http.StatusUnprocessableEntity, "Note too long", "Please keep the note under 1000 characters. Go back to shorten it; nothing was changed.")
		return
	}
	docID, section, _, _ := c.quoted(r, q)
	who := sessionOf(r).Who
	if err := c.db.InTx(r.Context(), func(tx *sql.Tx) error {
		if err := setTriage(r.Context(), tx, id, triageFlagged, docID, section, note, who.UserID, c.now()); err != nil {
			return err
		}
		return store.AuditIn(r.Context(), tx, who.UserID, "kb.feedback.flag", fmt.Sprintf("question:%d", id), strings.TrimSpace(docID+"#"+section+" "+note))
	}); err != nil {
		c.fail(w, r, "flagging an answer", err)
		return
	}
	done(w, r, "/admin/feedback", "flagged")
}

func (c *Console) reviewDone(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	who := sessionOf(r).Who
	if err := c.db.InTx(r.Context(), func(tx *sql.Tx) error {
		ok, err := markReviewed(r.Context(), tx, id, who.UserID, c.now())
		if err != nil || !ok {
			return err
		}
		return store.AuditIn(r.Context(), tx, who.UserID, "kb.review.done", fmt.Sprintf("question:%d", id), "")
	}); err != nil {
		c.fail(w, r, "closing a review", err)
		return
	}
	to := "/admin/docs"
	if back := r.PostFormValue("back"); strings.HasPrefix(back, "/admin/doc?id=") {
		to = back
	}
	done(w, r, to, "reviewed")
}

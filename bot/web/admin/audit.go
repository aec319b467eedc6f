package admin

import (
	"net/http"

	"github.com/bothy-chat/bothy/bot/store"
)

// The audit log, newest first: every change made here (and in chat by
// organisers) with who made it.

type auditData struct {
	Rows []auditRow
}

const auditPageSize = 200

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request) {
	rows, err := recentAudit(r.Context(), c.db, auditPageSize)
	if err != nil {
		c.fail(w, r, "reading the audit log", err)
		return
	}
	for i := range rows {
		if t, err := store.ParseTime(rows[i].At); err == nil {
			rows[i].At = c.when(t)
		}
	}
	c.render(w, r, "audit.html", http.StatusOK, "Audit log", auditData{Rows: rows})
}

// auditDone records a change already made that its audit row cannot join:
// a file written or moved, or rows the knowledge base wrote in its own
// transaction. The change stands if the row fails, so the failure is
// logged as an error naming the change the log is missing.
func (c *Console) auditDone(r *http.Request, actor, action, subject, detail string) {
	if err := c.db.Audit(r.Context(), actor, action, subject, detail); err != nil {
		c.log.Error("a change was made but the audit log could not record it", "request_id", requestID(r), "action", action, "subject", subject, "err", err)
	}
}

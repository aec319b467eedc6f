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

package meetups

import (
	"strings"
	"testing"
	"time"
)

// An organiser's change and its audit row commit together: when the audit
// row cannot be written, the change does not happen either (it used to be
// written after the commit, and a failure was ignored).
func TestAuditCommitsWithTheChange(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	m, err := e.svc.Create(e.ctx, Draft{Title: "Social", Start: time.Date(2027, 6, 16, 18, 0, 0, 0, loc)}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	audits := func() int {
		var n int
		if err := e.db.Write.QueryRow("SELECT count(*) FROM audit_log WHERE action LIKE 'meetup.%'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := audits(); n != 1 {
		t.Fatalf("%d audit rows after create, want 1", n)
	}
	if _, err := e.db.Write.Exec(`CREATE TRIGGER no_audit BEFORE INSERT ON audit_log
		BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(e.ctx, Draft{Title: "Unaudited", Start: time.Date(2027, 7, 1, 18, 0, 0, 0, loc)}, "alice"); err == nil || !strings.Contains(err.Error(), "audit") {
		t.Errorf("create without an audit row: err = %v", err)
	}
	if _, err := e.svc.Edit(e.ctx, m.ID, "title", "Renamed", "alice"); err == nil {
		t.Error("edit without an audit row succeeded")
	}
	if _, err := e.svc.Cancel(e.ctx, m.ID, "rain", "alice", false); err == nil {
		t.Error("cancel without an audit row succeeded")
	}
	var meetups int
	if err := e.db.Write.QueryRow("SELECT count(*) FROM meetups").Scan(&meetups); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Get(e.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if meetups != 1 || got.Title != "Social" || got.Status != StatusScheduled {
		t.Errorf("changes without audit rows were kept: %d meetups, %q %s", meetups, got.Title, got.Status)
	}
}

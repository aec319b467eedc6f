package admin

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// A change the console makes in its own tables commits with its audit
// row: when the row cannot be written, the change is not made either.
// A change the knowledge base or a file holds is made first and stands;
// a row that then fails is logged as an error.
func TestAuditRowCommitsWithItsChange(t *testing.T) {
	h := newHarness(t, harnessOpts{linker: true})
	b := h.signedIn()
	wrong := h.ask("do videos need captions?").QuestionID
	flagged := h.ask("how do I write good alt text for images?").QuestionID
	for _, q := range []int64{wrong, flagged} {
		if err := h.kb.Feedback(h.ctx, q, "U2", false); err != nil {
			t.Fatal(err)
		}
	}
	if p := b.post("/admin/feedback/"+strconv.FormatInt(flagged, 10)+"/flag", url.Values{"note": {"out of date"}}); p.code != http.StatusSeeOther {
		t.Fatalf("flag before the log is refused: %d", p.code)
	}
	gap := h.ask("which biscuits should we serve at the network meeting?").QuestionID
	unused := h.link(organiser)
	var logged testenv.Buffer
	h.console.log = slog.New(slog.NewTextHandler(&logged, nil))

	// The database refuses audit rows from here on, as a full disk would.
	if _, err := h.db.Write.Exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
		BEGIN SELECT RAISE(ABORT, 'audit log refused'); END`); err != nil {
		t.Fatal(err)
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := h.db.Read.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sessions, links := count("SELECT count(*) FROM admin_sessions"), count("SELECT count(*) FROM admin_logins")

	t.Run("flag", func(t *testing.T) {
		if p := b.post("/admin/feedback/"+strconv.FormatInt(wrong, 10)+"/flag", url.Values{"note": {"no audio description"}}); p.code != http.StatusInternalServerError {
			t.Errorf("flag: %d, want 500", p.code)
		}
		if _, ok, _ := getTriage(h.ctx, h.db, wrong); ok {
			t.Error("the answer is flagged without an audit row")
		}
	})
	t.Run("review done", func(t *testing.T) {
		if p := b.post("/admin/reviews/"+strconv.FormatInt(flagged, 10)+"/done", nil); p.code != http.StatusInternalServerError {
			t.Errorf("review done: %d, want 500", p.code)
		}
		if n := count("SELECT count(*) FROM admin_triage WHERE question_id = ? AND reviewed_at = ''", flagged); n != 1 {
			t.Error("the review is closed without an audit row")
		}
	})
	t.Run("sign out in the browser", func(t *testing.T) {
		if p := b.post("/admin/logout", nil); p.code != http.StatusInternalServerError {
			t.Errorf("sign out: %d, want 500", p.code)
		}
		if p := b.get("/admin/"); p.code != http.StatusOK {
			t.Errorf("the session ended without an audit row: %d", p.code)
		}
	})
	t.Run("sign out from chat", func(t *testing.T) {
		if got := h.say(organiser, "web logout"); !strings.Contains(got, "something went wrong") {
			t.Errorf("web logout: %q", got)
		}
		if n := count("SELECT count(*) FROM admin_sessions"); n != sessions {
			t.Errorf("%d sessions, want %d: ended without an audit row", n, sessions)
		}
	})
	t.Run("sign-in link", func(t *testing.T) {
		if got := h.say(organiser, "web login"); linkRE.MatchString(got) || !strings.Contains(got, "something went wrong") {
			t.Errorf("web login: %q", got)
		}
		if n := count("SELECT count(*) FROM admin_logins"); n != links {
			t.Errorf("%d sign-in links, want %d: issued without an audit row", n, links)
		}
	})
	t.Run("sign in", func(t *testing.T) {
		u, _ := url.Parse(unused)
		if p := h.browser().post("/admin/login", url.Values{"token": {u.Query().Get("token")}, "csrf": {"-"}}); p.code != http.StatusInternalServerError {
			t.Errorf("sign in: %d, want 500", p.code)
		}
		if n := count("SELECT count(*) FROM admin_sessions"); n != sessions {
			t.Errorf("%d sessions, want %d: started without an audit row", n, sessions)
		}
	})
	t.Run("knowledge change stands and the missing row is logged", func(t *testing.T) {
		if p := b.post(gapPath(gap, "dismiss"), url.Values{"reason": {"off topic"}}); p.code != http.StatusSeeOther {
			t.Fatalf("dismiss: %d", p.code)
		}
		if gaps, _ := h.kb.Gaps(h.ctx, 10); len(gaps) != 0 {
			t.Errorf("gaps = %+v, want the dismissed one gone", gaps)
		}
		log := logged.String()
		if !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "the audit log could not record it") || !strings.Contains(log, "action=kb.gap.dismiss") {
			t.Errorf("log:\n%s", log)
		}
	})
	if n := count("SELECT count(*) FROM audit_log WHERE action != 'kb.feedback.flag' AND action != 'web.link' AND action != 'web.login'"); n != 0 {
		t.Errorf("%d audit rows written while refused", n)
	}
}

package shoutouts

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/privacy"
)

// seedPrivacy gives Carol (UCAROL) a footprint in every table: shout-outs
// given and received, a mention in someone else's reason, nominations
// made and received, a round she opened, a retraction she made and a
// notification preference.
func seedPrivacy(t *testing.T) *env {
	e := newEnv(t, true, func(o *Options) { o.DailyQuota = 0 })
	e.bot.AddOrganiser("UCAROL")
	steps := []string{
		"UALICE|shoutout <@UCAROL> for the snow-day closures thread #crisis",
		"UCAROL|shoutout <@UBOB> for the FOI guide that Carol reviewed",
		"UCAROL|shoutout <@UDAVE> for a post we will retract",
		"UDAVE|shoutout <@UBOB> <@UCAROL> for pairing with <@UCAROL> on the purdah explainer",
		"UCAROL|shoutout retract 4 wrong thread",
		"UCAROL|awards open 2026 best-thread",
		"UALICE|nominate <@UCAROL> for best-thread because Carol kept parents informed",
		"UCAROL|nominate <@UBOB> for best-thread because Bob wrote the clearest guide",
		"UCAROL|shoutout notifications off",
	}
	for _, s := range steps {
		user, text, _ := strings.Cut(s, "|")
		if got := replyText(e.say(user, text)); strings.Contains(got, "Sorry") || strings.Contains(got, "Usage") {
			t.Fatalf("seed %q: %q", text, got)
		}
	}
	return e
}

func TestPrivacyExportComplete(t *testing.T) {
	e := seedPrivacy(t)
	v, err := e.svc.ExportUser(t.Context(), privacy.NewSubject("UCAROL", ""))
	if err != nil {
		t.Fatal(err)
	}
	ex := v.(UserExport)
	ids := func(rs []Record) (out []int64) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(ex.Given); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("given = %v, want [2 3]", got)
	}
	if got := ids(ex.Received); len(got) != 2 || got[0] != 1 || got[1] != 5 {
		t.Errorf("received = %v, want [1 5]", got)
	}
	if len(ex.NominationsMade) != 1 || ex.NominationsMade[0].NomineeID != "UBOB" {
		t.Errorf("nominations made = %+v", ex.NominationsMade)
	}
	if len(ex.NominationsReceived) != 1 || ex.NominationsReceived[0].NominatorID != "UALICE" {
		t.Errorf("nominations received = %+v", ex.NominationsReceived)
	}
	if len(ex.RoundsOpened) != 1 || len(ex.NotificationsOff) != 1 || ex.NotificationsOff[0] != "slack" {
		t.Errorf("rounds %v, notifications off %v", ex.RoundsOpened, ex.NotificationsOff)
	}
	// Through the orchestration and JSON, as the CLI and mydata send it.
	doc, err := privacy.NewDocument(t.Context(), "UCAROL", e.clock.Now(), e.svc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"user_id":"UCAROL"`, `"given":[`, `"received":[`, `"nominations_made":[`, `"nominations_received":[`, `"created_at":"2026-03-11T10:00:00Z"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("export JSON lacks %s", want)
		}
	}
	// Someone with no data gets empty lists, not nulls.
	v, _ = e.svc.ExportUser(t.Context(), privacy.NewSubject("UNOBODY", ""))
	b, _ = json.Marshal(v)
	if bytes.Contains(b, []byte("null")) {
		t.Errorf("empty export has nulls: %s", b)
	}
}

// textColumns lists every text column of the shout-outs tables.
var textColumns = map[string][]string{
	"shoutouts":         {"giver_id", "giver_name", "recipient_id", "recipient_name", "reason", "reason_key", "category", "room_id", "message_id", "retracted_by", "retract_reason"},
	"shoutout_optouts":  {"user_id"},
	"award_rounds":      {"name", "opened_by", "closed_by", "categories"},
	"award_nominations": {"nominee_id", "nominee_name", "nominator_id", "nominator_name", "reason"},
}

func TestPrivacyErase(t *testing.T) {
	e := seedPrivacy(t)
	ctx := t.Context()
	before, _ := e.svc.Leaderboard(ctx, AllTime, "")
	rows := e.count("SELECT count(*) FROM shoutouts")
	noms := e.count("SELECT count(*) FROM award_nominations")

	res, err := privacy.Erase(ctx, e.db, "UORG", "UCAROL", e.svc)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || res.Changed["shoutouts"] != res.Total {
		t.Errorf("erase result %+v", res)
	}
	// No trace of the ID, or the name "Carol", in any text column.
	for table, cols := range textColumns {
		for _, col := range cols {
			for _, needle := range []string{"UCAROL", "Carol"} {
				if n := e.count("SELECT count(*) FROM "+table+" WHERE instr("+col+", ?) > 0", needle); n != 0 {
					t.Errorf("%s.%s still holds %q in %d rows", table, col, needle, n)
				}
			}
		}
	}
	// Counts are unchanged: same rows, same totals, the pseudonym holds
	// Carol's place on the board.
	if n := e.count("SELECT count(*) FROM shoutouts"); n != rows {
		t.Errorf("%d shout-outs after erasure, want %d", n, rows)
	}
	if n := e.count("SELECT count(*) FROM award_nominations"); n != noms {
		t.Errorf("%d nominations after erasure, want %d", n, noms)
	}
	after, _ := e.svc.Leaderboard(ctx, AllTime, "")
	if after.Total != before.Total || after.Givers != before.Givers || after.Recipients != before.Recipients {
		t.Errorf("board totals changed: %+v -> %+v", before, after)
	}
	pseudo := res.Pseudonym
	found := false
	for _, c := range after.People {
		if c.ID == pseudo {
			found = c.Name == privacy.ErasedName && c.Count == 2
		}
	}
	if !found {
		t.Errorf("erased member's place on the board: %+v", after.People)
	}
	var reason string
	if err := e.db.Read.QueryRow("SELECT reason FROM shoutouts WHERE id = 5").Scan(&reason); err != nil || reason != "pairing with <@"+pseudo+"> on the purdah explainer" {
		t.Errorf("reason mentioning her = %q (%v)", reason, err)
	}
	// The audit row names the pseudonym, not the ID.
	var actor, subject, detail string
	if err := e.db.Read.QueryRow("SELECT actor, subject, detail FROM audit_log WHERE action = 'privacy.erase'").Scan(&actor, &subject, &detail); err != nil {
		t.Fatalf("audit row: %v", err)
	}
	if actor != "UORG" || subject != pseudo || strings.Contains(detail, "UCAROL") || !strings.Contains(detail, "shoutouts") {
		t.Errorf("audit = %q %q %q", actor, subject, detail)
	}
	// Her export is now empty; the recent wall shows the erased name.
	v, _ := e.svc.ExportUser(ctx, privacy.NewSubject("UCAROL", ""))
	if ex := v.(UserExport); len(ex.Given)+len(ex.Received)+len(ex.NominationsMade)+len(ex.NominationsReceived)+len(ex.NotificationsOff) != 0 {
		t.Errorf("export after erasure: %+v", ex)
	}
	recent, _ := e.svc.Recent(ctx, 10)
	if recent[len(recent)-1].RecipientName != privacy.ErasedName {
		t.Errorf("recent wall: %+v", recent[len(recent)-1])
	}
	// Erasing again changes nothing more.
	if n, err := e.svc.EraseUser(ctx, privacy.NewSubject("UCAROL", pseudo)); err != nil || n != 0 {
		t.Errorf("second erase changed %d (%v)", n, err)
	}
}

func TestPruneKeepsRecentDigestMarks(t *testing.T) {
	e := newEnv(t, true, nil)
	ctx := t.Context()
	for i, at := range []time.Time{start.AddDate(0, 0, -60), start.AddDate(0, 0, -7)} {
		ch := bot.Channel{Platform: "slack", RoomID: "C1"}
		period := at.Format(time.DateOnly)
		if err := markDigestSending(ctx, e.db.Write, period, ch, at); err != nil {
			t.Fatal(err)
		}
		if err := markDigestSent(ctx, e.db.Write, period, ch, at); err != nil {
			t.Fatal(i, err)
		}
	}
	// Even a retention of one hour keeps last week's mark.
	n, err := e.svc.Prune(ctx, start.Add(-time.Hour))
	if err != nil || n != 1 {
		t.Errorf("pruned %d (%v), want 1", n, err)
	}
	if left := e.count("SELECT count(*) FROM shoutout_digests"); left != 1 {
		t.Errorf("%d marks left, want 1", left)
	}
}

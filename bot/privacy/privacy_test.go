package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

// fakeProvider is a provider holding a list of user IDs.
type fakeProvider struct {
	name   string
	users  map[string]int
	old    int64
	fail   error
	pruned time.Time
}

func (p *fakeProvider) Name() string { return p.name }
func (p *fakeProvider) ExportUser(ctx context.Context, s *Subject) (any, error) {
	if p.fail != nil {
		return nil, p.fail
	}
	return map[string]int{"records": p.users[s.UserID]}, nil
}
func (p *fakeProvider) EraseUser(ctx context.Context, s *Subject) (int64, error) {
	if p.fail != nil {
		return 0, p.fail
	}
	if !IsPseudonym(s.Pseudonym) {
		return 0, errors.New("erasure without a pseudonym")
	}
	n := p.users[s.UserID]
	delete(p.users, s.UserID)
	return int64(n), nil
}
func (p *fakeProvider) Prune(ctx context.Context, before time.Time) (int64, error) {
	p.pruned = before
	return p.old, p.fail
}

func TestExport(t *testing.T) {
	a := &fakeProvider{name: "meetups", users: map[string]int{"U1": 2}}
	b := &fakeProvider{name: "shoutouts", users: map[string]int{"U1": 5}}
	got, err := Export(t.Context(), "U1", a, b)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(got)
	if string(js) != `{"meetups":{"records":2},"shoutouts":{"records":5}}` {
		t.Errorf("export = %s", js)
	}
	tests := []struct {
		name      string
		user      string
		providers []Provider
	}{
		{"no user", " ", []Provider{a}},
		{"duplicate names", "U1", []Provider{a, &fakeProvider{name: "meetups"}}},
		{"failing provider", "U1", []Provider{&fakeProvider{name: "x", fail: errors.New("disk")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Export(t.Context(), tc.user, tc.providers...); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestErase(t *testing.T) {
	db := bottest.OpenDB(t)
	a := &fakeProvider{name: "meetups", users: map[string]int{"U1": 2}}
	broken := &fakeProvider{name: "knowledge", fail: errors.New("database is locked")}
	b := &fakeProvider{name: "shoutouts", users: map[string]int{"U1": 5, "U2": 1}}
	res, err := Erase(t.Context(), db, "admin", "U1", a, broken, b)
	if err == nil || !strings.Contains(err.Error(), "knowledge") {
		t.Errorf("err = %v, want the knowledge failure reported", err)
	}
	// The failure did not stop the others.
	if res.Total != 7 || len(a.users) != 0 || b.users["U1"] != 0 || b.users["U2"] != 1 {
		t.Errorf("result %+v, providers %v %v", res, a.users, b.users)
	}
	var actor, action, subject, detail string
	if err := db.Read.QueryRow("SELECT actor, action, subject, detail FROM audit_log").Scan(&actor, &action, &subject, &detail); err != nil {
		t.Fatal(err)
	}
	if actor != "admin" || action != "privacy.erase" || subject != res.Pseudonym || strings.Contains(detail, "U1") ||
		!strings.Contains(detail, "7 records (knowledge 0, meetups 2, shoutouts 5)") || !strings.Contains(detail, "FAILED in knowledge") {
		t.Errorf("audit = %q %q %q %q", actor, action, subject, detail)
	}
	if _, err := Erase(t.Context(), db, "admin", "", a); !errors.Is(err, ErrNoUser) {
		t.Errorf("empty user: %v", err)
	}
}

func TestPseudonym(t *testing.T) {
	p := NewPseudonym()
	if p == NewPseudonym() || !IsPseudonym(p) || len(p) != len("erased-")+16 {
		t.Errorf("pseudonym %q", p)
	}
}

func TestSubjectScrub(t *testing.T) {
	s := NewSubject("U1", "X")
	s.AddName("Carol")
	s.AddName("al")
	s.AddName("Quentin Quokkafield")
	s.AddText("where do we park the gritter lorry overnight?")
	s.AddText("thanks!")
	tests := []struct{ in, want string }{
		{"thanks <@U1> and U1!", "thanks <@X> and X!"},
		{"U12 is someone else", "U12 is someone else"},
		{"Carolyn is not Carol, nor CAROL", "Carolyn is not (erased), nor (erased)"},
		{"al is too short to scrub", "al is too short to scrub"},
		{"Q: where do we park the gritter lorry overnight? (asked by Carol)", "Q: [erased] (asked by (erased))"},
		{"thanks! is too short to be hers alone", "thanks! is too short to be hers alone"},
		{"thanks Quentin Quokkafield, and thanks again Quokkafield", "thanks (erased), and thanks again (erased)"},
		{"the quentin quokkafield team", "the (erased) team"},
		{"a quokkafield in lower case is a word", "a quokkafield in lower case is a word"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := s.Scrub(tc.in); got != tc.want {
				t.Errorf("Scrub = %q, want %q", got, tc.want)
			}
			if s.Mentions(tc.in) != (tc.in != tc.want) {
				t.Errorf("Mentions(%q) = %v", tc.in, s.Mentions(tc.in))
			}
		})
	}
	m := NewSubject("@carol:example.org", "X")
	for in, want := range map[string]string{
		"with @carol:example.org, today": "with X, today",
		"x@carol:example.orgy":           "x@carol:example.orgy",
	} {
		if got := m.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrune(t *testing.T) {
	before := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	a := &fakeProvider{name: "knowledge", old: 12}
	b := &fakeProvider{name: "shoutouts", old: 1}
	got, err := Prune(t.Context(), before, a, b)
	if err != nil || got["knowledge"] != 12 || got["shoutouts"] != 1 || !a.pruned.Equal(before) {
		t.Errorf("prune = %v, %v", got, err)
	}
}

func TestMydataCommand(t *testing.T) {
	big := &fakeProvider{name: "shoutouts", users: map[string]int{"carol": 3}}
	rec := bottest.New("console")
	b := bot.New(bot.Options{})
	b.AddAdapter(rec)
	clock := bottest.NewClock(time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC))
	b.Register(MydataCommand(func() []Provider { return []Provider{big} }, clock))
	tests := []struct {
		name   string
		text   string
		direct bool
		want   string
	}{
		{"in a room", "!mydata", false, "ask me in a direct message"},
		{"direct", "mydata", true, "Here is everything I store about you (carol):\n```json\n{\n  \"user_id\": \"carol\",\n  \"exported_at\": \"2026-03-11T10:00:00Z\",\n  \"sections\": {\n    \"shoutouts\": {\n      \"records\": 3\n    }\n  }\n}\n```"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec.Reset()
			b.Handle(t.Context(), bot.Message{Platform: "console", UserID: "carol", RoomID: "r", Text: tc.text, Direct: tc.direct, Mentioned: !tc.direct})
			if out := rec.Texts(); len(out) != 1 || !strings.Contains(out[0], tc.want) {
				t.Errorf("replies %q, want one containing %q", out, tc.want)
			}
		})
	}
}

// namer is a provider that knows the member's name and one text.
type namer struct{ fakeProvider }

func (n *namer) Identify(ctx context.Context, s *Subject) error {
	s.AddName("Carol Comms")
	s.AddText("where do we park the gritter lorry overnight")
	return nil
}

func TestRecordsAuditAndState(t *testing.T) {
	ctx := t.Context()
	db := bottest.OpenDB(t)
	for _, row := range [][4]string{
		{"U1", "meetup.create", "meetup:1", "Gala"},
		{"UORG", "shoutout.retract", "shoutout:3", "Carol Comms asked for it to go"},
		{"UORG", "kb.answer", "question:7", "answered: where do we park the gritter lorry overnight"},
		{"UORG", "awards.open", "awards:2026", "best-thread"},
	} {
		if err := db.Audit(ctx, row[0], row[1], row[2], row[3]); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{"dm:U1": "!room1", "dm:U2": "!room2", "next_batch": "s123"} {
		if err := db.SetKV(ctx, "matrix", k, v); err != nil {
			t.Fatal(err)
		}
	}
	providers := []Provider{RecordsProvider(db), &namer{fakeProvider{name: "names"}}}
	exp, err := Export(ctx, "U1", providers...)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(exp["records"])
	for _, want := range []string{`"actor":"U1"`, "Carol Comms asked", "gritter lorry", `"key":"dm:U1"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("export lacks %s: %s", want, js)
		}
	}
	for _, not := range []string{"awards.open", "dm:U2", "next_batch"} {
		if strings.Contains(string(js), not) {
			t.Errorf("export holds someone else's %s: %s", not, js)
		}
	}
	res, err := Erase(ctx, db, "admin", "U1", providers...)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed["records"] != 4 {
		t.Errorf("records changed %d, want 4 (three audit rows, one state)", res.Changed["records"])
	}
	rows, err := db.Read.QueryContext(ctx, "SELECT actor || ' ' || subject || ' ' || detail FROM audit_log UNION ALL SELECT key || ' ' || value FROM kv")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var line string
		rows.Scan(&line)
		all = append(all, line)
	}
	text := strings.Join(all, "\n")
	for _, gone := range []string{"U1 ", "dm:U1", "Carol", "gritter"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q left after erasure:\n%s", gone, text)
		}
	}
	for _, kept := range []string{res.Pseudonym, "(erased) asked for it to go", "answered: [erased]", "dm:U2", "best-thread"} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q missing after erasure:\n%s", kept, text)
		}
	}
}

package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
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
func (p *fakeProvider) ExportUser(ctx context.Context, userID string) (any, error) {
	if p.fail != nil {
		return nil, p.fail
	}
	return map[string]int{"records": p.users[userID]}, nil
}
func (p *fakeProvider) EraseUser(ctx context.Context, userID string) (int64, error) {
	if p.fail != nil {
		return 0, p.fail
	}
	n := p.users[userID]
	delete(p.users, userID)
	return int64(n), nil
}
func (p *fakeProvider) Prune(ctx context.Context, before time.Time) (int64, error) {
	p.pruned = before
	return p.old, p.fail
}

func openDB(t *testing.T) *store.DB {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bothy.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
	db := openDB(t)
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
	if actor != "admin" || action != "privacy.erase" || subject != Pseudonym("U1") || strings.Contains(detail, "U1") ||
		!strings.Contains(detail, "7 records (knowledge 0, meetups 2, shoutouts 5)") || !strings.Contains(detail, "FAILED in knowledge") {
		t.Errorf("audit = %q %q %q %q", actor, action, subject, detail)
	}
	if _, err := Erase(t.Context(), db, "admin", "", a); !errors.Is(err, ErrNoUser) {
		t.Errorf("empty user: %v", err)
	}
}

func TestPseudonym(t *testing.T) {
	p := Pseudonym("U1")
	if p != Pseudonym("U1") || p == Pseudonym("U2") || !IsPseudonym(p) || strings.Contains(p, "U1") || len(p) != len("erased-")+16 {
		t.Errorf("pseudonym %q", p)
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

// recorder is a minimal adapter that keeps what the bot sends.
type recorder struct {
	mu  sync.Mutex
	out []string
}

func (r *recorder) Name() string                                           { return "console" }
func (r *recorder) Run(ctx context.Context, events chan<- bot.Event) error { return nil }
func (r *recorder) Send(ctx context.Context, to bot.Target, rep bot.Reply) (bot.MessageRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = append(r.out, rep.Text)
	return bot.MessageRef{}, nil
}

func TestMydataCommand(t *testing.T) {
	big := &fakeProvider{name: "shoutouts", users: map[string]int{"carol": 3}}
	rec := &recorder{}
	b := bot.New(bot.Options{})
	b.AddAdapter(rec)
	clock := fixedClock(time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC))
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
			rec.out = nil
			b.Handle(t.Context(), bot.Message{Platform: "console", UserID: "carol", RoomID: "r", Text: tc.text, Direct: tc.direct, Mentioned: !tc.direct})
			if len(rec.out) != 1 || !strings.Contains(rec.out[0], tc.want) {
				t.Errorf("replies %q, want one containing %q", rec.out, tc.want)
			}
		})
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

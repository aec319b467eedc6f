package meetups

import (
	"slices"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/metrics"
)

// Deliveries count into the metrics the service was given, by kind, and
// failed sends count as meetups errors.
func TestDeliveriesAreCounted(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	m := metrics.New()
	svc, err := New(Options{DB: e.db, Sender: e.bot, Clock: e.clock, Location: e.loc, Channels: testChannels, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	if _, err := svc.Create(e.ctx, Draft{Title: "Social", Start: time.Date(2027, 6, 16, 18, 0, 0, 0, loc)}, "alice"); err != nil {
		t.Fatal(err)
	}
	e.rec.FailSends(1)
	e.tick() // the first channel fails, the second is sent
	e.tick() // not due again yet: the retry waits
	count := func(name string, labels map[string]string) float64 {
		v, _ := m.Value(name, labels)
		return v
	}
	if got := count("bothy_reminders_sent_total", map[string]string{"kind": "announce"}); got != 1 {
		t.Errorf("announcements counted %v, want 1", got)
	}
	if got := count("bothy_errors_total", map[string]string{"component": "meetups"}); got != 1 {
		t.Errorf("meetups errors counted %v, want 1", got)
	}
}

// Every kind an outbox row can have is one the metrics start at zero.
func TestDeliveryKindsAreMetricKinds(t *testing.T) {
	for _, kind := range []string{"announce", "cancel", "edit-3", "remind-168h0m0s-s0", "remind-1h0m0s-s2"} {
		if l := kindLabel(kind); !slices.Contains(metrics.ReminderKinds, l) {
			t.Errorf("kind %s is counted as %q, not one of %v", kind, l, metrics.ReminderKinds)
		}
	}
}

package meetups

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
)

// Reminders changed in the configuration reach meetups added before the
// change: a new offset is queued, a dropped one not yet sent is skipped,
// and what was queued or sent already is not queued twice.
func TestChangedRemindersReachExistingMeetups(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 10, 9, 0, 0, 0, loc))
	e.say("alice", "!meetup add Social on 20 January 2027 18:00")
	kinds := func(status string) []string {
		t.Helper()
		ks, err := store.List(e.ctx, e.db.Read, store.Column[string],
			"SELECT DISTINCT kind FROM meetup_outbox WHERE meetup_id = 1 AND kind LIKE 'remind-%' AND status = ? ORDER BY kind", status)
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	if got := kinds("scheduled"); !slices.Equal(got, []string{"remind-168h0m0s-s0", "remind-1h0m0s-s0", "remind-24h0m0s-s0"}) {
		t.Fatalf("reminders at first: %v", got)
	}
	// A restart with 24h dropped and 5m added.
	svc, err := New(Options{DB: e.db, Sender: e.bot, Clock: e.clock, Location: e.loc, Channels: testChannels,
		Reminders: []time.Duration{168 * time.Hour, time.Hour, 5 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: nothing is queued twice
		if err := svc.SyncReminders(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := kinds("scheduled"); !slices.Equal(got, []string{"remind-168h0m0s-s0", "remind-1h0m0s-s0", "remind-5m0s-s0"}) {
		t.Errorf("scheduled after the change: %v", got)
	}
	if got := kinds("skipped"); !slices.Equal(got, []string{"remind-24h0m0s-s0"}) {
		t.Errorf("skipped after the change: %v", got)
	}
	var n int
	if err := e.db.Read.QueryRowContext(e.ctx, "SELECT count(*) FROM meetup_outbox WHERE meetup_id = 1 AND kind = 'remind-5m0s-s0'").Scan(&n); err != nil || n != len(testChannels) {
		t.Errorf("5m reminder rows: %d (%v), want one per channel (%d)", n, err, len(testChannels))
	}
}

// The digest's "Coming up" lists meetups still to start, not one under
// way (which Scheduled keeps until it is over).
func TestMeetupsBeforeLeavesOutStarted(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 10, 9, 0, 0, 0, loc))
	e.say("alice", "!meetup add Breakfast on 10 January 2027 09:30")
	e.say("alice", "!meetup add Lunch on 10 January 2027 12:30")
	e.clock.Add(45 * time.Minute) // Breakfast started at 09:30
	got, err := e.svc.MeetupsBefore(e.ctx, e.clock.Now().Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "Lunch,") {
		t.Errorf("coming up: %q, want Lunch only", got)
	}
}

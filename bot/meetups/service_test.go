package meetups

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *bottest.Clock
	rec   *bottest.Adapter
	bot   *bot.Bot
	svc   *Service
	loc   *time.Location
}

var testChannels = []bot.Channel{{Platform: "test", RoomID: "#announce"}, {Platform: "test", RoomID: "#general"}}

func newEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	ctx := context.Background()
	db := bottest.OpenDB(t)
	e := &env{t: t, ctx: ctx, db: db, clock: bottest.NewClock(now), loc: now.Location()}
	// The platform de-duplicates by idempotency key, as Matrix does with
	// transaction IDs, and stamps sends with the test's clock.
	e.rec = bottest.New("test")
	e.rec.IdempotentKeys, e.rec.Now = true, e.clock.Now
	e.bot = bot.New(bot.Options{Organisers: []string{"alice"}})
	e.bot.AddAdapter(e.rec)
	e.svc = e.newService()
	e.svc.Register(e.bot)
	return e
}

// newService is a second service on the same database (a restart).
func (e *env) newService() *Service {
	svc, err := New(Options{DB: e.db, Sender: e.bot, Clock: e.clock, Location: e.loc, Channels: testChannels})
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// say sends a direct message from user and returns the replies to them.
func (e *env) say(user, text string) string {
	e.t.Helper()
	e.rec.Take()
	e.bot.Handle(e.ctx, bot.Message{Platform: "test", ID: "in", UserID: user, UserName: strings.ToUpper(user[:1]) + user[1:], RoomID: "dm-" + user, Text: text, Direct: true})
	var out []string
	for _, m := range e.rec.Take() {
		if m.Target.RoomID == "dm-"+user {
			out = append(out, m.Reply.Text)
		}
	}
	return strings.Join(out, "\n")
}

func (e *env) tick() {
	e.t.Helper()
	if err := e.svc.Tick(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func london(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestChatCommands(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	steps := []struct {
		user, text string
		want       []string
	}{
		{"bob", "!meetup add Social on 20 June 2027 18:00", []string{"only organisers", "alice"}},
		{"alice", "!meetup add #tartantm summer social on 16 June 2027 18:00 at The Lighthouse, Glasgow #tartantm",
			[]string{"Added meetup 1", "Wednesday 16 June 2027, 18:00 BST (Europe/London)", "The Lighthouse, Glasgow", "#tartantm"}},
		{"alice", "!meetup add Bad on 30 February 2027 18:00", []string{"no 30 February"}},
		{"alice", "!meetup add Bad on 1 January 2020 18:00", []string{"in the past"}},
		{"alice", "!meetup add Bad on 20 June", []string{"What time"}},
		{"alice", "!meetup add Bad on blah blah", []string{"couldn't find the date"}},
		{"alice", "!meetup add Bad on 06/07 18:00", []string{"could be 6 July or 7 June"}},
		{"bob", "!meetup list", []string{"1. **#tartantm summer social**", "16 June 2027"}},
		{"bob", "!meetup lsit", []string{`Did you mean "meetup list"?`}},
		{"bob", "!meetup rsvp 1 yes", []string{"You're going", "1 going"}},
		{"bob", "!meetup rsvp 1 perhaps-not", []string{"yes, no or maybe"}},
		{"bob", "!meetup rsvp 99 yes", []string{"no meetup with that number"}},
		{"bob", "!meetup show 1", []string{"The Lighthouse", "Your answer: yes"}},
		{"bob", "!meetup who 1", []string{"only organisers"}},
		{"alice", "!meetup who 1", []string{"Going (1): Bob (bob) [test]"}},
		{"bob", "!meetup edit 1 venue Somewhere", []string{"only organisers"}},
		{"alice", "!meetup edit 1 venue The Bothy, Perth", []string{"Updated the venue", "The Bothy, Perth"}},
		{"alice", "!meetup edit 1 colour blue", []string{"title, when, venue"}},
		{"alice", "!meetup edit 1 when 17 June 2027 19:00", []string{"Thursday 17 June 2027, 19:00 BST"}},
		{"bob", "!meetup cancel 1", []string{"only organisers"}},
		{"alice", "!meetup cancel 1 venue flooded", []string{"Cancelled meetup 1"}},
		{"alice", "!meetup cancel 1", []string{"already cancelled"}},
		{"bob", "!meetup rsvp 1 yes", []string{"cancelled"}},
		{"bob", "!meetup list", []string{"No meetups are planned"}},
		{"bob", "!meetup", []string{"meetup add", "meetup rsvp"}},
	}
	for i, st := range steps {
		t.Run(fmt.Sprintf("%02d %s %s", i, st.user, st.text), func(t *testing.T) {
			got := e.say(st.user, st.text)
			for _, w := range st.want {
				if !strings.Contains(got, w) {
					t.Fatalf("reply to %q:\n%s\nwant it to contain %q", st.text, got, w)
				}
			}
		})
	}
}

func TestAnnouncementsEditsAndCancellationsReachEveryChannel(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Social on 16 June 2027 18:00 at The Lighthouse online https://meet.example.org/s #tartantm capacity 30")
	e.say("alice", "!meetup edit 1 title Summer social")
	e.say("alice", "!meetup cancel 1 rain")
	// say() drained the room messages; query the outbox for what was sent.
	rows, err := e.db.Read.Query("SELECT room_id, kind, status, message_id FROM meetup_outbox WHERE kind NOT LIKE 'remind-%' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var room, kind, status, id string
		if err := rows.Scan(&room, &kind, &status, &id); err != nil {
			t.Fatal(err)
		}
		if status != outSent || id == "" {
			t.Errorf("%s %s: status %s id %q, want sent", room, kind, status, id)
		}
		got[kind+" "+room]++
	}
	for _, k := range []string{"announce", "edit-1", "cancel"} {
		for _, ch := range testChannels {
			if got[k+" "+ch.RoomID] != 1 {
				t.Errorf("%s to %s delivered %d times, want 1", k, ch.RoomID, got[k+" "+ch.RoomID])
			}
		}
	}
	// Check the formatting of a fresh announcement.
	e.rec.Take()
	e.bot.Handle(e.ctx, bot.Message{Platform: "test", UserID: "alice", RoomID: "dm-alice", Direct: true,
		Text: "meetup add Tea on 18 June 2027 18:00 in Dundee online https://meet.example.org/t #tea"})
	var ann *bottest.Sent
	for _, m := range e.rec.Take() {
		if m.Target.RoomID == "#general" {
			ann = &m
		}
	}
	if ann == nil {
		t.Fatal("no announcement in #general")
	}
	for _, w := range []string{"New meetup: Tea", "Friday 18 June 2027, 18:00 BST (Europe/London)", "Where: Dundee", "Online: https://meet.example.org/t", "#tea", "meetup rsvp 2"} {
		if !strings.Contains(ann.Reply.Text, w) {
			t.Errorf("announcement lacks %q:\n%s", w, ann.Reply.Text)
		}
	}
	// The buttons are the other way to answer, shown by each adapter in its
	// own way; the text naming emoji or buttons too made two hints that
	// disagreed on Matrix (issue 16.6).
	for _, w := range []string{"react", "👍", "button"} {
		if strings.Contains(strings.ToLower(ann.Reply.Text), w) {
			t.Errorf("announcement text gives its own %q hint:\n%s", w, ann.Reply.Text)
		}
	}
	if len(ann.Reply.Buttons) != 3 || ann.Reply.Buttons[0].ActionID != ActionRSVP || ann.Reply.Buttons[0].Value != "2:yes" {
		t.Errorf("buttons = %+v", ann.Reply.Buttons)
	}
	if ann.Reply.Key == "" {
		t.Error("announcement sent without an idempotency key")
	}
}

// reminderTimes creates a meetup and steps the clock in quarter hours to
// its start, ticking the scheduler, and returns the local time at which
// each reminder went to #announce.
func reminderTimes(t *testing.T, created, start time.Time) []string {
	e := newEnv(t, created)
	if _, err := e.svc.Create(e.ctx, Draft{Title: "Social", Start: start}, "alice"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for e.clock.Now().Before(start.Add(time.Hour)) {
		e.tick()
		for _, m := range e.rec.Take() {
			if m.Target.RoomID == "#announce" && strings.Contains(m.Reply.Text, "Reminder") {
				got = append(got, m.At.In(start.Location()).Format("Mon 2 Jan 15:04 MST"))
			}
		}
		e.clock.Add(15 * time.Minute)
	}
	return got
}

func TestRemindersAcrossDaylightSaving(t *testing.T) {
	loc := london(t)
	tests := []struct {
		name           string
		created, start time.Time
		want           []string
	}{
		{"clocks go forward on the last Sunday of March",
			time.Date(2027, 3, 1, 9, 0, 0, 0, loc), time.Date(2027, 3, 29, 18, 0, 0, 0, loc),
			[]string{"Mon 22 Mar 18:00 GMT", "Sun 28 Mar 18:00 BST", "Mon 29 Mar 17:00 BST"}},
		{"clocks go back on the last Sunday of October",
			time.Date(2027, 10, 1, 9, 0, 0, 0, loc), time.Date(2027, 11, 1, 18, 0, 0, 0, loc),
			[]string{"Mon 25 Oct 18:00 BST", "Sun 31 Oct 18:00 GMT", "Mon 1 Nov 17:00 GMT"}},
		{"meetup on the night the clocks go back",
			time.Date(2027, 10, 1, 9, 0, 0, 0, loc), time.Date(2027, 10, 31, 18, 0, 0, 0, loc),
			[]string{"Sun 24 Oct 18:00 BST", "Sat 30 Oct 18:00 BST", "Sun 31 Oct 17:00 GMT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reminderTimes(t, tt.created, tt.start)
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Fatalf("reminders at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRecurringMeetupKeepsLocalTimeAcrossDST(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 10, 9, 0, 0, 0, loc))
	out := e.say("alice", "!meetup add Coffee every first Wednesday at 18:00 in Edinburgh")
	if !strings.Contains(out, "Wednesday 3 February 2027, 18:00 GMT") || !strings.Contains(out, "every first Wednesday") {
		t.Fatalf("add reply: %s", out)
	}
	var starts []string
	for e.clock.Now().Before(time.Date(2027, 12, 31, 0, 0, 0, 0, loc)) {
		e.tick()
		e.clock.Add(24 * time.Hour)
	}
	ms, err := listMeetups(e.ctx, e.db.Read, time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		lt := m.StartsAt.In(loc)
		if lt.Hour() != 18 || lt.Minute() != 0 || lt.Weekday() != time.Wednesday || lt.Day() > 7 {
			t.Errorf("occurrence %d at %s, want first Wednesday 18:00", m.ID, lt)
		}
		starts = append(starts, lt.Format("2 Jan MST"))
	}
	if len(ms) != 12 { // February 2027 to January 2028
		t.Fatalf("got %d occurrences: %v", len(ms), starts)
	}
	joined := strings.Join(starts, " ")
	if !strings.Contains(joined, "GMT") || !strings.Contains(joined, "BST") {
		t.Fatalf("occurrences do not span a clock change: %v", starts)
	}
	// Cancelling with "series" stops it.
	last := ms[len(ms)-1]
	e.say("alice", fmt.Sprintf("!meetup cancel %d series", last.ID))
	e.clock.Set(last.StartsAt.Add(time.Hour))
	e.tick()
	after, _ := listMeetups(e.ctx, e.db.Read, time.Time{}, false)
	if len(after) != len(ms) {
		t.Fatalf("series went on after being stopped: %d occurrences", len(after))
	}
}

func TestWaitlistPromotion(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Small dinner on 16 June 2027 18:00 capacity 2")
	for _, u := range []string{"ann", "ben"} {
		if got := e.say(u, "!meetup rsvp 1 yes"); !strings.Contains(got, "You're going") {
			t.Fatalf("%s: %s", u, got)
		}
	}
	if got := e.say("cat", "!meetup rsvp 1 yes"); !strings.Contains(got, "number 1 on the waitlist") {
		t.Fatalf("cat: %s", got)
	}
	if got := e.say("dan", "!meetup rsvp 1 yes"); !strings.Contains(got, "number 2 on the waitlist") {
		t.Fatalf("dan: %s", got)
	}
	e.rec.Take()
	e.bot.Handle(e.ctx, bot.Message{Platform: "test", UserID: "ben", RoomID: "dm-ben", Direct: true, Text: "meetup rsvp 1 no"})
	var toCat string
	for _, m := range e.rec.Take() {
		if m.Target.UserID == "cat" {
			toCat = m.Reply.Text
		}
	}
	if !strings.Contains(toCat, "a place came up") {
		t.Fatalf("cat was not told of the promotion; got %q", toCat)
	}
	m, _ := e.svc.Get(e.ctx, 1)
	if m.Going != 2 || m.Waitlist != 1 {
		t.Fatalf("going %d waitlist %d, want 2 and 1", m.Going, m.Waitlist)
	}
	// Raising the capacity lets dan in too.
	e.rec.Take()
	e.bot.Handle(e.ctx, bot.Message{Platform: "test", UserID: "alice", RoomID: "dm-alice", Direct: true, Text: "meetup edit 1 capacity 3"})
	told := false
	for _, m := range e.rec.Take() {
		told = told || (m.Target.UserID == "dan" && strings.Contains(m.Reply.Text, "a place came up"))
	}
	if !told {
		t.Fatal("dan was not told of the promotion after the capacity rose")
	}
	if m, _ := e.svc.Get(e.ctx, 1); m.Going != 3 || m.Waitlist != 0 {
		t.Fatalf("going %d waitlist %d, want 3 and 0", m.Going, m.Waitlist)
	}
}

func TestReactionsAndButtonsAreRSVPs(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.rec.Take()
	e.bot.Handle(e.ctx, bot.Message{Platform: "test", UserID: "alice", RoomID: "dm-alice", Direct: true, Text: "meetup add Social on 16 June 2027 18:00 capacity 1"})
	var annID string
	for _, m := range e.rec.Take() {
		if m.Target.RoomID == "#general" {
			annID = m.Ref.ID
		}
	}
	if annID == "" {
		t.Fatal("no announcement")
	}
	react := func(user, emoji string, removed bool) {
		e.bot.Handle(e.ctx, bot.Reaction{Platform: "test", UserID: user, RoomID: "#general", MessageID: annID, Emoji: emoji, Removed: removed})
	}
	react("ann", "👍", false)
	react("ann", "🎉", false) // not an RSVP emoji: ignored
	e.bot.Handle(e.ctx, bot.Reaction{Platform: "test", UserID: "zed", MessageID: "unrelated", Emoji: "👍"})
	e.bot.Handle(e.ctx, bot.Action{Platform: "test", UserID: "ben", RoomID: "#general", ActionID: ActionRSVP, Value: "1:yes"})
	var toBen string
	for _, m := range e.rec.Take() {
		if m.Target.UserID == "ben" {
			toBen = m.Reply.Text
		}
	}
	if !strings.Contains(toBen, "waitlist") {
		t.Fatalf("ben's button press reply: %q", toBen)
	}
	if m, _ := e.svc.Get(e.ctx, 1); m.Going != 1 || m.Waitlist != 1 {
		t.Fatalf("going %d waitlist %d", m.Going, m.Waitlist)
	}
	react("ann", "👍", true) // withdrawing the reaction withdraws the RSVP
	if m, _ := e.svc.Get(e.ctx, 1); m.Going != 1 || m.Waitlist != 0 {
		t.Fatalf("after ann withdrew: going %d waitlist %d, want ben promoted", m.Going, m.Waitlist)
	}
	rs, _ := e.svc.Who(e.ctx, 1)
	if len(rs) != 1 || rs[0].UserID != "ben" {
		t.Fatalf("rsvps = %+v", rs)
	}
	react("cat", "🤔", false)
	if m, _ := e.svc.Get(e.ctx, 1); m.Maybe != 1 {
		t.Fatalf("maybe = %d", m.Maybe)
	}
}

func TestMissedRemindersAreSentLateOrSkipped(t *testing.T) {
	loc := london(t)
	start := time.Date(2027, 6, 16, 18, 0, 0, 0, loc)
	e := newEnv(t, time.Date(2027, 6, 1, 9, 0, 0, 0, loc))
	if _, err := e.svc.Create(e.ctx, Draft{Title: "Social", Start: start}, "alice"); err != nil {
		t.Fatal(err)
	}
	e.tick()
	e.rec.Take()
	// Down from before the week reminder until 3 hours before the start:
	// the day reminder goes out late, the week one (stale) is skipped.
	e.clock.Set(start.Add(-3 * time.Hour))
	e.tick()
	var texts []string
	for _, m := range e.rec.Take() {
		if m.Target.RoomID == "#announce" {
			texts = append(texts, m.Reply.Text)
		}
	}
	if len(texts) != 1 || !strings.Contains(texts[0], "starts in 3 hours") {
		t.Fatalf("late reminders = %q, want one saying in 3 hours", texts)
	}
	// Down again until after the start: the hour reminder is skipped.
	e.clock.Set(start.Add(10 * time.Minute))
	e.tick()
	if got := e.rec.Take(); len(got) != 0 {
		t.Fatalf("sent after the start: %+v", got)
	}
	c, _ := countByStatus(e.ctx, e.db.Read)
	if c[outSent] != 4 || c[outSkipped] != 4 || c[outPending] != 0 || c[outScheduled] != 0 {
		t.Fatalf("outbox = %v, want 4 sent (2 announce, 2 day reminders) and 4 skipped", c)
	}
}

func TestPendingDeliveryIsResentWithSameKey(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 6, 1, 9, 0, 0, 0, loc))
	m, err := e.svc.Create(e.ctx, Draft{Title: "Social", Start: time.Date(2027, 6, 16, 18, 0, 0, 0, loc)}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	e.tick()
	first := e.rec.Take()
	if len(first) != 2 {
		t.Fatalf("announcements = %d", len(first))
	}
	// A crash after the platform accepted the message but before "sent"
	// was recorded leaves the row pending.
	if _, err := e.db.Write.Exec("UPDATE meetup_outbox SET status = 'pending' WHERE meetup_id = ? AND kind = 'announce'", m.ID); err != nil {
		t.Fatal(err)
	}
	before := e.rec.Attempts()
	restarted := e.newService()
	if err := restarted.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.rec.Attempts()-before != 2 {
		t.Fatalf("re-send attempts = %d, want 2", e.rec.Attempts()-before)
	}
	if dup := e.rec.Take(); len(dup) != 0 {
		t.Fatalf("platform delivered %d duplicates; keys must match the first attempt", len(dup))
	}
	c, _ := countByStatus(e.ctx, e.db.Read)
	if c[outPending] != 0 {
		t.Fatalf("outbox = %v", c)
	}
	// A failing platform is retried later, not lost.
	e.rec.FailSends(2)
	if _, err := e.svc.Edit(e.ctx, m.ID, "title", "Summer social", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := countByStatus(e.ctx, e.db.Read); c[outPending] != 2 {
		t.Fatalf("after failures outbox = %v, want 2 pending", c)
	}
	e.clock.Add(2 * time.Minute)
	e.tick()
	if c, _ := countByStatus(e.ctx, e.db.Read); c[outPending] != 0 {
		t.Fatalf("after retry outbox = %v", c)
	}
}

func TestICSRoundTrip(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 10, 9, 0, 0, 0, loc))
	e.say("alice", "!meetup add Winter talk on 20 January 2027 18:00 at The Lighthouse, Glasgow #tartantm")
	e.say("alice", "!meetup add Summer social on 16 June 2027 18:00 online https://meet.example.org/s")
	before, err := e.svc.ICS(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.say("alice", "!meetup edit 2 when 17 June 2027 18:30")
	e.say("alice", "!meetup cancel 1 snow")
	out, err := e.svc.ICS(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, out)
	}
	calBefore, err := ics.ParseCalendar(bytes.NewReader(before))
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Timezones()) != 1 || !strings.Contains(string(out), "TZID:Europe/London") {
		t.Fatalf("no VTIMEZONE for Europe/London:\n%s", out)
	}
	for _, want := range []string{"BEGIN:DAYLIGHT", "BEGIN:STANDARD", "TZOFFSETTO:+0100", "TZNAME:BST", "DTSTART;TZID=Europe/London:20270617T183000"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	evs, evsBefore := cal.Events(), calBefore.Events()
	if len(evs) != 2 || len(evsBefore) != 2 {
		t.Fatalf("events = %d (before %d)", len(evs), len(evsBefore))
	}
	for i, ev := range evs {
		if ev.Id() != evsBefore[i].Id() {
			t.Errorf("UID changed across edit: %s -> %s", evsBefore[i].Id(), ev.Id())
		}
		st, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		if st.Location().String() != "Europe/London" {
			t.Errorf("start read back in %v", st.Location())
		}
		seq := ev.GetProperty(ics.ComponentPropertySequence).Value
		status := ev.GetProperty(ics.ComponentPropertyStatus).Value
		switch i {
		case 0:
			if !st.Equal(time.Date(2027, 1, 20, 18, 0, 0, 0, loc)) || status != "CANCELLED" || seq != "1" {
				t.Errorf("winter talk: start %s status %s sequence %s", st, status, seq)
			}
			if loc := ev.GetProperty(ics.ComponentPropertyLocation).Value; loc != "The Lighthouse, Glasgow" {
				t.Errorf("location %q", loc)
			}
		case 1:
			if !st.Equal(time.Date(2027, 6, 17, 18, 30, 0, 0, loc)) || status != "CONFIRMED" || seq != "1" {
				t.Errorf("summer social: start %s status %s sequence %s", st, status, seq)
			}
		}
	}
}

func TestPrivacyKeepsCountsHonest(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Social on 16 June 2027 18:00")
	e.say("bob", "!meetup rsvp 1 yes")
	e.say("cat", "!meetup rsvp 1 yes")
	p := PrivacyProvider(e.db)
	data, err := p.ExportUser(e.ctx, privacy.NewSubject("bob", ""))
	if err != nil {
		t.Fatal(err)
	}
	if ex := data.(exportData); len(ex.RSVPs) != 1 || ex.RSVPs[0].Answer != "yes" {
		t.Fatalf("export = %+v", data)
	}
	n, err := p.EraseUser(e.ctx, privacy.NewSubject("bob", privacy.NewPseudonym()))
	if err != nil || n != 1 {
		t.Fatalf("erase = %d, %v", n, err)
	}
	if m, _ := e.svc.Get(e.ctx, 1); m.Going != 2 {
		t.Fatalf("going after erasure = %d, want 2", m.Going)
	}
	if data, _ := p.ExportUser(e.ctx, privacy.NewSubject("bob", "")); len(data.(exportData).RSVPs) != 0 {
		t.Fatalf("bob still has data: %+v", data)
	}
	if n, err := p.EraseUser(e.ctx, privacy.NewSubject("alice", privacy.NewPseudonym())); err != nil || n != 1 {
		t.Fatalf("erase organiser = %d, %v", n, err)
	}
}

func TestUpcomingJSONFields(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 11, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Social on 2 December 2026 18:00 at The Bothy online https://meet.example.org/x #tag")
	ms, err := e.svc.Upcoming(e.ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("upcoming = %v, %v", ms, err)
	}
	b, err := ms[0].MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"id":1`, `"title":"Social"`, `"starts_at":"2026-12-02T18:00:00+00:00"`, `"time_zone":"Europe/London"`,
		`"venue":"The Bothy"`, `"online_url":"https://meet.example.org/x"`, `"hashtag":"#tag"`, `"status":"scheduled"`, `"going":0`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("JSON lacks %s: %s", w, b)
		}
	}
}

// Meetup text that names an erased member is scrubbed, and the export
// shows it first (issue 15.7).
func TestPrivacyScrubsMeetupsNamingMember(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Farewell drinks for Bobby Quokkafield on 16 June 2027 18:00 at The Lighthouse")
	p := PrivacyProvider(e.db)
	subject := func(pseudonym string) *privacy.Subject {
		s := privacy.NewSubject("bob", pseudonym)
		s.AddName("Bobby Quokkafield")
		return s
	}
	data, err := p.ExportUser(e.ctx, subject(""))
	if err != nil {
		t.Fatal(err)
	}
	if ex := data.(exportData); len(ex.Named) != 1 || ex.Named[0].ID != 1 {
		t.Fatalf("export = %+v, want meetup 1 as naming bob", data)
	}
	if _, err := p.EraseUser(e.ctx, subject(privacy.NewPseudonym())); err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.Get(e.ctx, 1)
	if err != nil || m.Title != "Farewell drinks for (erased)" {
		t.Errorf("title after erasure = %q (%v)", m.Title, err)
	}
}

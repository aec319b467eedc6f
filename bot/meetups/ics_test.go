package meetups

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// RFC 5545: every content line ends in CRLF, in the feed and in a single
// meetup's file.
func TestICSLinesEndInCRLF(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 10, 9, 0, 0, 0, loc))
	e.say("alice", "!meetup add Winter talk on 20 January 2027 18:00 at The Lighthouse, Glasgow, where the long venue name makes the line fold #tartantm")
	feed, err := e.svc.ICS(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	one, err := e.svc.MeetupICS(e.ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"feed": feed, "meetup 1": one} {
		if !bytes.HasSuffix(b, []byte("END:VCALENDAR\r\n")) {
			t.Errorf("%s does not end in END:VCALENDAR CRLF: %q", name, b[max(0, len(b)-20):])
		}
		for i, line := range bytes.SplitAfter(b, []byte("\n")) {
			if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
				t.Errorf("%s line %d ends without CR: %q", name, i+1, line)
			}
		}
	}
}

// The single meetup's file is the feed's event: same UID, a zoned start
// with its VTIMEZONE, an end, the sequence and, once cancelled, the
// status (the page built its own file before, with none of these).
func TestMeetupICSMatchesTheFeed(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 10, 9, 0, 0, 0, loc))
	e.say("alice", "!meetup add Summer social on 16 June 2027 18:00 at The Lighthouse online https://meet.example.org/s #tartantm")
	e.say("alice", "!meetup edit 1 when 17 June 2027 18:30")
	e.say("alice", "!meetup cancel 1 rain")
	feed, err := e.svc.ICS(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	one, err := e.svc.MeetupICS(e.ctx, "1")
	if err != nil || one == nil {
		t.Fatalf("MeetupICS = %q, %v", one, err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(one))
	if err != nil {
		t.Fatalf("file does not parse: %v\n%s", err, one)
	}
	unfolded := strings.ReplaceAll(string(one), "\r\n ", "")
	for _, want := range []string{
		"DTSTART;TZID=Europe/London:20270617T183000", "DTEND;TZID=Europe/London:20270617T213000",
		"SEQUENCE:2", "STATUS:CANCELLED", "BEGIN:VTIMEZONE", "TZID:Europe/London", "LOCATION:The Lighthouse",
		"URL:https://meet.example.org/s", "Hashtag: #tartantm", "Cancelled: rain",
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("meetup file lacks %q:\n%s", want, one)
		}
	}
	feedCal, err := ics.ParseCalendar(bytes.NewReader(feed))
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Events()) != 1 || len(feedCal.Events()) != 1 || cal.Events()[0].Id() != feedCal.Events()[0].Id() {
		t.Errorf("file and feed disagree on the event's UID")
	}
	if strings.Contains(unfolded, "RSVP in chat") {
		t.Error("a cancelled meetup's file still invites RSVPs")
	}
	if strings.Contains(unfolded, "X-WR-CALNAME") {
		t.Error("a single event's file names a calendar (apps would offer to create one)")
	}
	for _, id := range []string{"2", "x", ""} {
		if b, err := e.svc.MeetupICS(e.ctx, id); b != nil || err != nil {
			t.Errorf("MeetupICS(%q) = %q, %v; want nothing", id, b, err)
		}
	}
}

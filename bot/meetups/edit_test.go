package meetups

import (
	"strings"
	"testing"
	"time"
)

func TestEditRepliesInPlainEnglish(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Social on 16 June 2027 18:00")
	cases := []struct {
		edit, want string
	}{
		{"title Summer social", "Updated the title of meetup 1"},
		{"when 17 June 2027 19:00", "Updated the date and time of meetup 1"},
		{"time 17 June 2027 19:30", "Updated the date and time of meetup 1"},
		{"venue The Bothy", "Updated the venue of meetup 1"},
		{"online https://meet.example.org/s", "Updated the online link of meetup 1"},
		{"hashtag tartantm", "Updated the hashtag of meetup 1"},
		{"capacity 20", "Updated the capacity of meetup 1"},
	}
	for _, c := range cases {
		t.Run(c.edit, func(t *testing.T) {
			if got := e.say("alice", "!meetup edit 1 "+c.edit); !strings.Contains(got, c.want) {
				t.Fatalf("reply %q, want it to contain %q", got, c.want)
			}
		})
	}
}

// Lowering capacity below the number going keeps everyone's place; the
// count must not read as "3 of 1".
func TestCapacityBelowGoing(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Dinner on 16 June 2027 18:00")
	for _, u := range []string{"ann", "ben", "cat"} {
		e.say(u, "!meetup rsvp 1 yes")
	}
	cases := []struct {
		name, user, text, want, not string
	}{
		{"edit reply", "alice", "!meetup edit 1 capacity 1", "Going: 3, over the 1 place now set", "3 of 1"},
		{"show", "ann", "!meetup show 1", "Going: 3, over the 1 place now set", "3 of 1"},
		{"list", "ann", "!meetup list", "3 going, over the 1 place now set", "3/1"},
		{"a newcomer waits", "dan", "!meetup rsvp 1 yes", "number 1 on the waitlist", "You're going"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := e.say(c.user, c.text)
			if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
				t.Fatalf("reply %q, want %q and not %q", got, c.want, c.not)
			}
		})
	}
}

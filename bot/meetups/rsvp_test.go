package meetups

import (
	"strings"
	"testing"
	"time"
)

// Announcements on platforms without buttons say "(type going, maybe or
// not going, or ✅ / 🤔 / ❌)", so each of those must work as a typed RSVP.
func TestRSVPAcceptsTheFormsAnnouncementsOffer(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2026, 6, 10, 10, 0, 0, 0, loc))
	e.say("alice", "!meetup add Social on 16 June 2027 18:00")
	cases := []struct {
		text, reply, answer string
	}{
		{"going", "You're going", AnswerYes},
		{"not going", "Noted: not going", AnswerNo},
		{"Not  Going", "Noted: not going", AnswerNo},
		{"maybe", "Noted: maybe", AnswerMaybe},
		{"✅", "You're going", AnswerYes},
		{"🤔", "Noted: maybe", AnswerMaybe},
		{"❌", "Noted: not going", AnswerNo},
		{"✔️ please", "yes, no or maybe", ""},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			got := e.say("bob", "!meetup rsvp 1 "+c.text)
			if !strings.Contains(got, c.reply) {
				t.Fatalf("reply %q, want it to contain %q", got, c.reply)
			}
			if c.answer == "" {
				return
			}
			r, had, err := getRSVP(e.ctx, e.db.Read, 1, "test", "bob")
			if err != nil || !had || r.Answer != c.answer {
				t.Fatalf("stored %+v (had %v, err %v), want %s", r, had, err, c.answer)
			}
		})
	}
}

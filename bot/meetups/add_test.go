package meetups

import (
	"strings"
	"testing"
	"time"
)

// What the QA tester typed into meetup add, and what the reply must say
// (times as the bot prints them, options out of order, bad times and
// repeats it does not do).
func TestAddUnderstandsTimesAsTyped(t *testing.T) {
	loc := london(t)
	cases := []struct {
		in      string
		want    []string
		notWant string
	}{
		{"A on 10 January 2027 18:00 GMT", []string{"Added meetup", "Sunday 10 January 2027, 18:00 GMT"}, ""},
		{"A on 10 January 2027 18:00 UTC", []string{"Added meetup", "Sunday 10 January 2027, 18:00 GMT"}, ""},
		{"A on 16 June 2027 18:00 UTC at The Bothy", []string{"Added meetup", "Wednesday 16 June 2027, 19:00 BST", "Where: The Bothy"}, ""},
		{"A on 16 June 2027 18:00 BST", []string{"Added meetup", "Wednesday 16 June 2027, 18:00 BST"}, ""},
		{"A on 16 June 2027 18:00 GMT", []string{"18:00 GMT is 19:00 BST"}, "Added"},
		{"A on tomorrow 6.30pm", []string{"Added meetup", "Thursday 10 December 2026, 18:30 GMT"}, ""},
		{"A on tomorrow 18.30", []string{"Added meetup", "Thursday 10 December 2026, 18:30 GMT"}, ""},
		{"A on tomorrow 25:00", []string{`"25:00" is not a clock time`}, "couldn't find the date"},
		{"A on tomorrow 18:61", []string{`"18:61" is not a clock time`}, "couldn't find the date"},
		{"Session2 on tomorrow 18:00 capacity 10 #tag at Room 2",
			[]string{"Added meetup", "18:00 GMT", "Where: Room 2", "Hashtag: #tag", "Going: 0 of 10 places"}, ""},
		{"Session3 on tomorrow 18:00 online https://meet.example.org/s at Room 3 capacity 5",
			[]string{"Added meetup", "Where: Room 3", "Online: https://meet.example.org/s", "of 5 places"}, ""},
		{"Session4 capacity 10 at Room 2", []string{"in this order: TITLE on DATE [at VENUE]"}, "Added"},
		{"A on every other Monday at 18:00", []string{`can't repeat a meetup "every other Monday"`, "every first Wednesday at 18:00"}, "Which day?"},
		{"A every day at 18:00", []string{`can't repeat a meetup "every day"`, "every week on one weekday"}, "Which day?"},
		{"A on every 31st at 18:00 at Room 2", []string{`can't repeat a meetup "every 31st"`}, "Which day?"},
		{"Tea for every member on tomorrow 18:00", []string{"Added meetup", "**Tea for every member**"}, ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			e := newEnv(t, time.Date(2026, 12, 9, 10, 0, 0, 0, loc))
			got := e.say("alice", "!meetup add "+c.in)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Fatalf("reply:\n%s\nwant it to contain %q", got, w)
				}
			}
			if c.notWant != "" && strings.Contains(got, c.notWant) {
				t.Fatalf("reply:\n%s\nshould not contain %q", got, c.notWant)
			}
		})
	}
}

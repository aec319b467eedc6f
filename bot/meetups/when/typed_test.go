package when

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Times as people type them and as the bot prints them ("18:00 GMT").
func TestParseTimesAsTyped(t *testing.T) {
	loc := london(t)
	now := time.Date(2026, 12, 9, 10, 0, 0, 0, loc) // a Wednesday, GMT
	tests := []struct {
		in   string
		want string // "2006-01-02 15:04 MST" in London; empty when a question is expected
		ask  string
	}{
		{"10 January 2027 18:00 GMT", "2027-01-10 18:00 GMT", ""},
		{"10 January 2027 18:00GMT", "2027-01-10 18:00 GMT", ""},
		{"10 January 2027 18:00 UTC", "2027-01-10 18:00 GMT", ""},
		{"16 June 2027 18:00 BST", "2027-06-16 18:00 BST", ""},
		{"16 June 2027 18:00 UTC", "2027-06-16 19:00 BST", ""}, // an instant, shown on London's clocks
		{"16 June 2027 6pm UTC", "2027-06-16 19:00 BST", ""},
		{"tomorrow 6.30pm", "2026-12-10 18:30 GMT", ""},
		{"tomorrow 18.30", "2026-12-10 18:30 GMT", ""},
		{"tomorrow 18:00 utc", "2026-12-10 18:00 GMT", ""},
		// A zone that contradicts the season: an hour apart either way.
		{"16 June 2027 18:00 GMT", "", "on BST then, and 18:00 GMT is 19:00 BST"},
		{"10 January 2027 18:00 BST", "", "on GMT then, and 18:00 BST is 17:00 GMT"},
		{"tomorrow 18:00 GMT BST", "", "two time zones"},
		{"tomorrow 6.30", "", "morning or the evening"},
		{"tomorrow 25:00", "", `"25:00" is not a clock time`},
		{"tomorrow 18:61", "", `"18:61" is not a clock time`},
		{"tomorrow 13.30pm", "", "not a clock time"},
		{"1 January 2020 18:00 UTC", "", "in the past"},
		// Repeats keep one wall-clock time; a zone fits only half the year.
		{"every Saturday at 18:00 GMT", "", "without \"GMT\""},
		{"every Saturday at 18:00 UTC", "", "without \"UTC\""},
		{"every Saturday at 18.30", "2026-12-12 18:30 GMT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Parse(tt.in, now, loc)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if got := p.Time.Format("2006-01-02 15:04 MST"); got != tt.want {
					t.Fatalf("got %s, want %s", got, tt.want)
				}
				if p.Time.Location() != loc {
					t.Fatalf("location %v, want %v", p.Time.Location(), loc)
				}
				return
			}
			var q *Question
			if !errors.As(err, &q) || !strings.Contains(q.Msg, tt.ask) {
				t.Fatalf("got %v (%v), want a question containing %q", err, p.Time, tt.ask)
			}
			if !Recognizes(tt.in) {
				t.Fatalf("Recognizes(%q) = false, so meetup add would say it found no date", tt.in)
			}
		})
	}
}

// A zone the community's clocks never show is refused plainly.
func TestZoneNotUsedHere(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("10 January 2027 18:00 BST", time.Date(2026, 12, 9, 10, 0, 0, 0, ny), ny)
	var q *Question
	if !errors.As(err, &q) || !strings.Contains(q.Msg, "does not use BST") {
		t.Fatalf("got %v", err)
	}
	p, err := Parse("10 January 2027 18:00 UTC", time.Date(2026, 12, 9, 10, 0, 0, 0, ny), ny)
	if err != nil || p.Time.Format("15:04 MST") != "13:00 EST" {
		t.Fatalf("UTC in New York: %v, %v", p.Time, err)
	}
}

func TestUnsupportedRepeatsSaySo(t *testing.T) {
	loc := london(t)
	now := time.Date(2026, 12, 9, 10, 0, 0, 0, loc)
	tests := []struct {
		in         string
		recognized bool // meetup add takes all of it for the date
	}{
		{"every other Monday at 18:00", true},
		{"every other Monday 18:00", true},
		{"every day at 18:00", true},
		{"every day", true},
		{"every 31st at 18:00", true},
		{"every second week on Monday 18:00", true},
		{"every member on tomorrow 18:00", false},
		{"every other Monday at 18:00 at Room 2", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in, now, loc)
			var q *Question
			if !errors.As(err, &q) || !strings.Contains(q.Msg, "I can repeat a meetup every week on one weekday") {
				t.Fatalf("got %v, want the supported repeats", err)
			}
			if got := Recognizes(tt.in); got != tt.recognized {
				t.Fatalf("Recognizes = %v, want %v", got, tt.recognized)
			}
		})
	}
}

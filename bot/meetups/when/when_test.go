package when

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParse(t *testing.T) {
	loc := london(t)
	now := time.Date(2026, 6, 10, 10, 0, 0, 0, loc) // a Wednesday, BST
	tests := []struct {
		in   string
		want string // local time "2006-01-02 15:04 MST"; empty when a question is expected
		ask  string // part of the question expected
	}{
		{"next Wednesday 6pm", "2026-06-17 18:00 BST", ""},
		{"20 June 18:00", "2026-06-20 18:00 BST", ""},
		{"tomorrow 7pm", "2026-06-11 19:00 BST", ""},
		{"tomorrow at 7", "", "Is 7 in the morning or the evening?"},
		{"tomorrow 7", "", "Is 7 in the morning or the evening?"},
		{"16 June 2027 18:00", "2027-06-16 18:00 BST", ""},
		{"16th of June 2027 at 6pm", "2027-06-16 18:00 BST", ""},
		{"June 20th at 7:30pm", "2026-06-20 19:30 BST", ""},
		{"2026-12-01 18:30", "2026-12-01 18:30 GMT", ""},
		{"20/06 19:30", "2026-06-20 19:30 BST", ""},
		{"Friday 6pm", "2026-06-12 18:00 BST", ""},
		{"next Monday 18:30", "2026-06-15 18:30 BST", ""}, // Monday has passed this week: only one reading
		{"tonight 8pm", "2026-06-10 20:00 BST", ""},
		{"noon tomorrow", "2026-06-11 12:00 BST", ""},
		{"12am tomorrow", "2026-06-11 00:00 BST", ""},
		{"Wednesday 16 June 2027 18:00", "2027-06-16 18:00 BST", ""},
		// Questions, never guesses.
		{"20 June", "", "What time"},
		{"tonight", "", "What time tonight"},
		{"Wednesday 6pm", "", "Today is Wednesday"},
		{"next Friday 6pm", "", `this Friday (12 June) or the one after (19 June)? Please give the date, like "19 June 18:00"`},
		{"6:30 on Friday", "", "morning or the evening"},
		{"friday at 6", "", "morning or the evening"},
		{"06/07 18:00", "", "could be 6 July or 7 June"},
		{"the 20th 6pm", "", "which month"},
		{"June 6pm", "", "Which day of June"},
		{"18:00", "", "Which day"},
		{"30 February 2027 18:00", "", "no 30 February"},
		{"31 April 2027 18:00", "", "no 31 April"},
		{"29 February 2027 18:00", "", "no 29 February"},
		{"1 January 18:00", "", "already passed this year"},
		{"1 January 2020 18:00", "", "in the past"},
		{"last friday 6pm", "", "in the past"},
		{"yesterday 6pm", "", "in the past"},
		{"now", "", "not \"now\""},
		{"28 March 2027 01:30", "", "does not exist"},
		{"31 October 2027 01:30", "", "happens twice"},
		{"Friday 16 June 2027 18:00", "", "is a Wednesday, not a Friday"},
		{"tomorrow Friday 6pm", "", "two days"},
		{"6pm 7pm tomorrow", "", "two times"},
		{"Friday 6pm at the pub", "", "not \"pub\""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Parse(tt.in, now, loc)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Parse(%q) error: %v", tt.in, err)
				}
				if got := p.Time.Format("2006-01-02 15:04 MST"); got != tt.want {
					t.Fatalf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
				}
				if p.Time.Location() != loc {
					t.Fatalf("Parse(%q) location %v, want %v", tt.in, p.Time.Location(), loc)
				}
				return
			}
			var q *Question
			if !errors.As(err, &q) {
				t.Fatalf("Parse(%q) = %v, %v; want a question containing %q", tt.in, p.Time, err, tt.ask)
			}
			if !strings.Contains(strings.ToLower(q.Msg), strings.ToLower(tt.ask)) {
				t.Fatalf("Parse(%q) asked %q, want it to mention %q", tt.in, q.Msg, tt.ask)
			}
		})
	}
}

func TestParseGibberish(t *testing.T) {
	loc := london(t)
	now := time.Date(2026, 6, 10, 10, 0, 0, 0, loc)
	for _, in := range []string{"", "banana", "soon-ish", "when the cows come home", strings.Repeat("x", 500)} {
		t.Run(in[:min(len(in), 20)], func(t *testing.T) {
			_, err := Parse(in, now, loc)
			var q *Question
			if !errors.Is(err, ErrNoDate) && !errors.As(err, &q) {
				t.Fatalf("Parse(%q) err = %v, want ErrNoDate or a question", in, err)
			}
			if Recognizes(in) {
				t.Fatalf("Recognizes(%q) = true", in)
			}
		})
	}
}

func TestRecognizes(t *testing.T) {
	tests := map[string]bool{
		"16 June 2027 18:00":                               true,
		"Friday":                                           true, // a date, if an incomplete one
		"Friday at 6pm":                                    true,
		"16 June 2027 18:00 at The Lighthouse":             false,
		"the Bothy on 20 June 18:00":                       false,
		"every first Wednesday at 18:00":                   true,
		"every first Wednesday at 18:00 in the Lighthouse": false,
		// A bare hour is a time of day, if an ambiguous one.
		"tomorrow at 7":                   true,
		"tomorrow 7":                      true,
		"tomorrow 6pm at 7":               false,
		"tomorrow at 7 at The Lighthouse": false,
	}
	for in, want := range tests {
		if got := Recognizes(in); got != want {
			t.Errorf("Recognizes(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRecurrenceKeepsWallClockAcrossDST(t *testing.T) {
	loc := london(t)
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, loc)
	p, err := Parse("every first Wednesday at 18:00", now, loc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rule == nil {
		t.Fatal("no recurrence")
	}
	got := p.Time
	zones := map[string]bool{}
	for i := 0; i < 14; i++ {
		lt := got.In(loc)
		if lt.Hour() != 18 || lt.Minute() != 0 || lt.Weekday() != time.Wednesday || lt.Day() > 7 {
			t.Fatalf("occurrence %d = %s, want the first Wednesday at 18:00", i, lt)
		}
		name, _ := lt.Zone()
		zones[name] = true
		got = p.Rule.Next(got, loc)
	}
	if !zones["GMT"] || !zones["BST"] {
		t.Fatalf("occurrences did not span both GMT and BST: %v", zones)
	}
	tests := []struct {
		in   string
		rule Recurrence
	}{
		{"every Tuesday at 19:00", Recurrence{0, time.Tuesday, 19, 0}},
		{"every last Friday of the month at 6:30pm", Recurrence{-1, time.Friday, 18, 30}},
		{"every 2nd Thursday 18:15", Recurrence{2, time.Thursday, 18, 15}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Parse(tt.in, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			if *p.Rule != tt.rule {
				t.Fatalf("rule = %+v, want %+v", *p.Rule, tt.rule)
			}
			back, err := DecodeRecurrence(p.Rule.Encode())
			if err != nil || *back != tt.rule {
				t.Fatalf("round trip = %+v, %v", back, err)
			}
		})
	}
	for _, bad := range []string{"every blue moon", "every Wednesday", "every Wednesday at 6:30", "every Wednesday 20 June 18:00"} {
		if _, err := Parse(bad, now, loc); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// FuzzParseWhen checks the wrapper never panics and that whatever it
// accepts is in the future, in the zone asked for.
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"next Wednesday 6pm", "20 June 18:00", "tomorrow 7pm", "every first Wednesday at 18:00", "30/02/2027 18:00", "99:99", "every"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 10, 25, 1, 30, 0, 0, loc)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s, now, loc)
		_ = Recognizes(s)
		if err != nil {
			return
		}
		if !p.Time.After(now) {
			t.Fatalf("Parse(%q) = %s, not after now", s, p.Time)
		}
		if p.Time.Location() != loc {
			t.Fatalf("Parse(%q) in %v", s, p.Time.Location())
		}
	})
}

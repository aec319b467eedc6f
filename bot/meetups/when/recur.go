package when

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/olebedev/when/rules/en"
)

// Recurrence is a repeating meetup: every week on a weekday, or every
// month on the Nth (or last) weekday, at a local wall-clock time. Times are
// kept as wall-clock hour and minute in the community zone, so 18:00 stays
// 18:00 when the clocks change.
type Recurrence struct {
	// Nth is 0 for weekly, 1-4 for "first".."fourth", -1 for "last".
	Nth     int
	Weekday time.Weekday
	Hour    int
	Minute  int
}

var (
	recurRe = regexp.MustCompile(`(?i)^every\s+(?:(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+)?` +
		`(sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tues|tue|wed|thurs|thur|thu|fri|sat)s?` +
		`(?:\s+(?:of|in)\s+(?:the|every|each)\s+month)?(?:\s+|$)(.*)$`)
	nths = map[string]int{"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1}
)

// parseRecurrence reads "every [first|…|last] WEEKDAY [of the month] at
// TIME". ok is false when text does not start with "every".
func parseRecurrence(text string) (rec *Recurrence, ok bool, err error) {
	if !strings.HasPrefix(strings.ToLower(text), "every") {
		return nil, false, nil
	}
	m := recurRe.FindStringSubmatch(text)
	if m == nil {
		return nil, true, askf("I can repeat a meetup weekly or monthly, like \"every Wednesday at 18:00\" or \"every first Wednesday at 18:00\".")
	}
	day := strings.ToLower(m[2])
	if day == "tues" {
		day = "tue"
	}
	if day == "thurs" {
		day = "thu"
	}
	wd, known := en.WEEKDAY_OFFSET[day]
	if !known {
		return nil, true, askf("%q is not a day of the week.", m[2])
	}
	f, err := extract(m[3])
	if err == ErrNoDate {
		return nil, true, askf("At what time? For example \"every %s %s at 18:00\".", strings.ToLower(orEmpty(m[1])), m[2])
	}
	if err != nil {
		return nil, true, err
	}
	if f.month != 0 || f.relative || f.weekdayGiven {
		return nil, true, askf("A repeating meetup takes a day of the week and a time only, like \"every first Wednesday at 18:00\".")
	}
	if !f.timeGiven {
		return nil, true, askf("At what time? For example \"every %s at 18:00\".", m[2])
	}
	if f.timeAmbiguous != "" {
		return nil, true, askf("Is %q in the morning or the evening? Please write %02d:%02d or %02d:%02d.",
			strings.TrimSpace(f.timeAmbiguous), f.hour, f.minute, f.hour+12, f.minute)
	}
	return &Recurrence{Nth: nths[strings.ToLower(m[1])], Weekday: time.Weekday(wd), Hour: f.hour, Minute: f.minute}, true, nil
}

func orEmpty(s string) string {
	if s == "" {
		return ""
	}
	return s + " "
}

// Next returns the first occurrence strictly after after, at the rule's
// wall-clock time in loc. Occurrences whose local time does not exist (a
// spring-forward gap) move to the first valid minute after.
func (r *Recurrence) Next(after time.Time, loc *time.Location) time.Time {
	after = after.In(loc)
	if r.Nth == 0 {
		for i := 0; i <= 7; i++ {
			d := time.Date(after.Year(), after.Month(), after.Day()+i, r.Hour, r.Minute, 0, 0, loc)
			if d.Weekday() == r.Weekday && d.After(after) {
				return d
			}
		}
		return time.Date(after.Year(), after.Month(), after.Day()+7, r.Hour, r.Minute, 0, 0, loc)
	}
	for i := 0; i < 3; i++ {
		y, m := after.Year(), after.Month()+time.Month(i)
		if d, ok := r.inMonth(y, m, loc); ok && d.After(after) {
			return d
		}
	}
	return time.Time{} // unreachable: every month has a 1st-4th and last weekday
}

func (r *Recurrence) inMonth(y int, m time.Month, loc *time.Location) (time.Time, bool) {
	first := time.Date(y, m, 1, 12, 0, 0, 0, loc)
	offset := (int(r.Weekday) - int(first.Weekday()) + 7) % 7
	var day int
	if r.Nth > 0 {
		day = 1 + offset + 7*(r.Nth-1)
	} else {
		last := time.Date(y, m+1, 0, 12, 0, 0, 0, loc)
		day = last.Day() - (int(last.Weekday())-int(r.Weekday)+7)%7
	}
	d := time.Date(y, m, day, r.Hour, r.Minute, 0, 0, loc)
	return d, d.Month() == first.Month()
}

// String describes the rule in words: "every first Wednesday at 18:00".
func (r *Recurrence) String() string {
	var nth string
	switch r.Nth {
	case 0:
	case -1:
		nth = "last "
	default:
		nth = []string{"", "first ", "second ", "third ", "fourth "}[r.Nth]
	}
	suffix := ""
	if r.Nth != 0 {
		suffix = " of the month"
	}
	return fmt.Sprintf("every %s%s%s at %02d:%02d", nth, r.Weekday, suffix, r.Hour, r.Minute)
}

// Encode stores the rule compactly: "nth weekday hh:mm", e.g. "1 3 18:00".
func (r *Recurrence) Encode() string {
	return fmt.Sprintf("%d %d %02d:%02d", r.Nth, int(r.Weekday), r.Hour, r.Minute)
}

// DecodeRecurrence reads what Encode wrote.
func DecodeRecurrence(s string) (*Recurrence, error) {
	parts := strings.Fields(s)
	if len(parts) != 3 {
		return nil, fmt.Errorf("when: bad recurrence %q", s)
	}
	nth, err1 := strconv.Atoi(parts[0])
	wd, err2 := strconv.Atoi(parts[1])
	hm, err3 := time.Parse("15:04", parts[2])
	if err1 != nil || err2 != nil || err3 != nil || nth < -1 || nth > 4 || wd < 0 || wd > 6 {
		return nil, fmt.Errorf("when: bad recurrence %q", s)
	}
	return &Recurrence{Nth: nth, Weekday: time.Weekday(wd), Hour: hm.Hour(), Minute: hm.Minute()}, nil
}

package when

import (
	"errors"
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

// Repeats that recurRe does not take ("every other Monday", "every day",
// "every 31st") are recognised by their words, so the person hears which
// repeats there are instead of a question about the time that followed.
var (
	repeatWordRe = regexp.MustCompile(`(?i)^(other|alternate|second|third|fourth|fifth|last|day|days|daily|week|weeks|weekday|weekdays|` +
		`weekend|weekends|fortnight|month|months|year|morning|afternoon|evening|night|of|the|` +
		`sunday|monday|tuesday|wednesday|thursday|friday|saturday|\d+(st|nd|rd|th)?)s?$`)
	timeWordRe = regexp.MustCompile(`(?i)^(\d{1,2}([:.]\d{2})?(am|pm|a\.m\.|p\.m\.)|\d{1,2}[:.]\d{2}|noon|midday|midnight)$`)
)

// supportedRepeats says plainly which repeats there are.
const supportedRepeats = "I can repeat a meetup every week on one weekday (\"every Tuesday at 19:00\") " +
	"or every month on its first, second, third, fourth or last weekday (\"every first Wednesday at 18:00\")."

// parseRecurrence reads "every [first|…|last] WEEKDAY [of the month] at
// TIME". ok is false when text does not start with "every". allDate says
// every word was part of the repeat and its time, even when err asks
// about them (meetup add uses it to find where the date ends).
func parseRecurrence(text string) (rec *Recurrence, ok, allDate bool, err error) {
	if !strings.HasPrefix(strings.ToLower(text), "every") {
		return nil, false, false, nil
	}
	m := recurRe.FindStringSubmatch(text)
	if m == nil {
		return unsupportedRepeat(text)
	}
	f, err := extract(m[3])
	var q *Question
	allDate = err == nil || (!f.leftover && (errors.Is(err, ErrNoDate) || errors.As(err, &q)))
	day := strings.ToLower(m[2])
	if day == "tues" {
		day = "tue"
	}
	if day == "thurs" {
		day = "thu"
	}
	wd, known := en.WEEKDAY_OFFSET[day]
	if !known {
		return nil, true, allDate, askf("%q is not a day of the week.", m[2])
	}
	if err == ErrNoDate {
		return nil, true, allDate, askf("At what time? For example \"every %s%s at 18:00\".", strings.ToLower(orEmpty(m[1])), m[2])
	}
	if err != nil {
		return nil, true, allDate, err
	}
	if f.month != 0 || f.relative || f.weekdayGiven {
		return nil, true, allDate, askf("A repeating meetup takes a day of the week and a time only, like \"every first Wednesday at 18:00\".")
	}
	if !f.timeGiven {
		return nil, true, allDate, askf("At what time? For example \"every %s at 18:00\".", m[2])
	}
	if f.timeAmbiguous != "" {
		return nil, true, allDate, askf("Is %q in the morning or the evening? Please write %02d:%02d or %02d:%02d.",
			strings.TrimSpace(f.timeAmbiguous), f.hour, f.minute, f.hour+12, f.minute)
	}
	if f.zone != "" {
		// One wall-clock time all year is what a series stores, so a zone
		// would be right for only half of its dates.
		return nil, true, allDate, askf("A repeating meetup keeps the same local time all year, through the clock changes, "+
			"so please give the time without %q, like \"every %s at %02d:%02d\".", f.zone, m[2], f.hour, f.minute)
	}
	return &Recurrence{Nth: nths[strings.ToLower(m[1])], Weekday: time.Weekday(wd), Hour: f.hour, Minute: f.minute}, true, true, nil
}

// unsupportedRepeat answers an "every ..." that recurRe does not take. The
// repeat is the words up to the time; they count as a date only when they
// are repeat words and what follows is a time, so a title such as "Tea
// for every member" is not taken for one.
func unsupportedRepeat(text string) (*Recurrence, bool, bool, error) {
	words := strings.Fields(text)
	i := 1
	for ; i < len(words); i++ {
		w := strings.ToLower(strings.Trim(words[i], ","))
		if w == "at" || w == "from" || w == "on" || timeWordRe.MatchString(w) {
			break
		}
	}
	phrase := strings.Join(words[:i], " ")
	allDate := i > 1
	for _, w := range words[1:i] {
		allDate = allDate && repeatWordRe.MatchString(strings.Trim(w, ","))
	}
	if rest := strings.Join(words[i:], " "); allDate && rest != "" {
		f, err := extract(rest)
		var q *Question
		allDate = err == nil || (!f.leftover && f.any && errors.As(err, &q))
	}
	return nil, true, allDate, askf("I can't repeat a meetup %q. %s", phrase, supportedRepeats)
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

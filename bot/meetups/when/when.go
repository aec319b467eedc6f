// Package when turns what an organiser typed ("next Wednesday 6pm",
// "20 June 18:00", "every first Wednesday at 18:00") into a time in the
// community's zone. It uses github.com/olebedev/when's rule framework and
// its English weekday, casual-date and clock rules, adds rules for British
// day-month dates, and then refuses to guess: a missing time, a day that
// does not exist, a past date or a clock time that could be morning or
// evening all come back as a Question to put to the person.
package when

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/olebedev/when/rules"
	"github.com/olebedev/when/rules/en"
)

// Question is a reply to put back to the person: the text was understood
// only in part, or in more than one way, or names a time already past.
type Question struct{ Msg string }

func (q *Question) Error() string { return q.Msg }

func askf(format string, a ...any) error { return &Question{Msg: fmt.Sprintf(format, a...)} }

// ErrNoDate means no date or time was found at all.
var ErrNoDate = errors.New("no date or time found")

// Parsed is a successfully understood date.
type Parsed struct {
	// Time is the (first) start, in the requested location.
	Time time.Time
	// Rule is set for a recurring meetup; Time is then its next occurrence.
	Rule *Recurrence
}

// Layout shows a parsed time back for confirmation: weekday, date, 24-hour
// time and the zone abbreviation (GMT or BST in Europe/London).
const Layout = "Monday 2 January 2006, 15:04 MST"

// Format renders t in loc with Layout and the zone name, e.g.
// "Wednesday 16 June 2027, 18:00 BST (Europe/London)".
func Format(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(Layout) + " (" + loc.String() + ")"
}

// maxInput bounds the text examined; dates are short and regexps on huge
// input only waste time.
const maxInput = 200

// Parse understands text relative to now, in loc.
func Parse(text string, now time.Time, loc *time.Location) (Parsed, error) {
	text = strings.TrimSpace(text)
	if len(text) > maxInput {
		return Parsed{}, askf("That date is too long for me (%d characters). Try something like \"20 June 18:00\".", len(text))
	}
	if text == "" {
		return Parsed{}, ErrNoDate
	}
	now = now.In(loc)
	if rec, ok, _, err := parseRecurrence(text); ok {
		if err != nil {
			return Parsed{}, err
		}
		return Parsed{Time: rec.Next(now, loc), Rule: rec}, nil
	}
	f, err := extract(text)
	if err != nil {
		return Parsed{}, err
	}
	t, err := f.resolve(text, now, loc)
	if err != nil {
		return Parsed{}, err
	}
	return Parsed{Time: t}, nil
}

// Recognizes reports whether every word of text belongs to a date or time
// (ambiguous or past dates included). The `meetup add` parser uses it to
// tell where the date ends and the title or venue begins.
func Recognizes(text string) bool {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxInput {
		return false
	}
	if _, ok, allDate, _ := parseRecurrence(text); ok {
		return allDate
	}
	f, err := extract(text)
	if err != nil {
		var q *Question
		// A question about the date still means the words were a date;
		// words left over mean they were not (all of them).
		return errors.As(err, &q) && f.any && !f.leftover
	}
	return f.any
}

// found is what the rules extracted from the text.
type found struct {
	any              bool
	year, month, day int // 0 when not given
	days             int // relative days (tomorrow, next Friday)
	relative         bool
	weekday          time.Weekday
	weekdayGiven     bool
	weekdayNext      bool // "next Friday": never today
	hour, minute     int
	timeGiven        bool
	timeAmbiguous    string // "6:30" without am/pm
	tonight          bool
	leftover         bool   // words no rule understood
	zone             string // "GMT", "BST" or "UTC" after the time
}

// rule is one pattern of the date grammar.
type rule struct {
	name string
	r    rules.Rule
	// after reads the match (and the library's context where its own
	// rule filled one) into found.
	after func(m *rules.Match, c *rules.Context, f *found) error
}

const monthPat = `(january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|october|oct|november|nov|december|dec)\.?`

var (
	months = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
	// Day then month, the British order: "16 June 2027", "16th of June".
	dayMonthRe = regexp.MustCompile(`(?i)(?:\W|^)(\d{1,2}(?:st|nd|rd|th)?)\s+(?:of\s+)?` + monthPat + `(?:,?\s+(\d{4}))?(?:\W|$)`)
	// Month then day: "June 16", "June 16th, 2027".
	monthDayRe = regexp.MustCompile(`(?i)(?:\W|^)` + monthPat + `\s+(\d{1,2}(?:st|nd|rd|th)?)(?:,?\s+(\d{4}))?(?:[^\w:.]|$)`)
	// A month on its own ("June 6pm") is caught so the question can ask
	// for the day rather than saying nothing was understood.
	monthOnlyRe = regexp.MustCompile(`(?i)(?:\W|^)` + monthPat + `(?:\s+(\d{4}))?(?:\W|$)`)
	isoRe       = regexp.MustCompile(`(?:\W|^)(\d{4})-(\d{1,2})-(\d{1,2})(?:\W|$)`)
	slashRe     = regexp.MustCompile(`(?:\W|^)(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?:[^\w/]|$)`)
	// "the 20th" without a month.
	ordinalRe = regexp.MustCompile(`(?i)(?:\W|^)(?:the\s+)?(\d{1,2})(st|nd|rd|th)(?:\W|$)`)
	// A clock time with a colon or, as often in Britain, a dot ("18.30",
	// "6.30pm"), optionally followed by the zone the bot prints ("GMT").
	// Any two digits are taken, so "25:00" gets an answer about the time.
	clockRe = regexp.MustCompile(`(?i)(?:\W|^)(\d{1,2})[:.](\d{2})(?:\s*(a\.m\.|p\.m\.|am|pm))?(?:\s*(gmt|bst|utc))?(?:\W|$)`)
	zoneRe  = regexp.MustCompile(`(?i)(?:\W|^)(gmt|bst|utc)(?:\W|$)`)
	noonRe  = regexp.MustCompile(`(?i)(?:\W|^)(noon|midday|midnight)(?:\W|$)`)
)

func monthNum(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if len(s) > 3 {
		s = s[:3]
	}
	return months[s]
}

// custom wraps a regexp in the library's rule type; the applier does
// nothing because after() reads the captures itself.
func custom(re *regexp.Regexp) rules.Rule {
	return &rules.F{RegExp: re, Applier: func(*rules.Match, *rules.Context, *rules.Options, time.Time) (bool, error) {
		return true, nil
	}}
}

func setDate(f *found, y, m, d int) error {
	if f.month != 0 || f.relative {
		return askf("I found two dates there. Which one did you mean?")
	}
	f.year, f.month, f.day = y, m, d
	return nil
}

func setZone(f *found, zone string) error {
	zone = strings.ToUpper(zone)
	if zone == "" {
		return nil
	}
	if f.zone != "" && f.zone != zone {
		return askf("I found two time zones there (%s and %s). Please give one.", f.zone, zone)
	}
	f.zone = zone
	return nil
}

func setTime(f *found, h, min int) error {
	if f.timeGiven {
		return askf("I found two times there. Give one start time, like 18:00.")
	}
	f.hour, f.minute, f.timeGiven = h, min, true
	return nil
}

// atoi reads the leading digits ("20th" is 20).
func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimRight(s, "stndrdh"))
	return n
}

// ruleSet is tried in order; earlier rules claim their text first so later
// ones (the library's clock rule would read "2027-06-16" as 06:16) do not
// see it.
var ruleSet = []rule{
	{"iso", custom(isoRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		return setDate(f, atoi(m.Captures[0]), atoi(m.Captures[1]), atoi(m.Captures[2]))
	}},
	{"slash", custom(slashRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		a, b := atoi(m.Captures[0]), atoi(m.Captures[1])
		y := 0
		if m.Captures[2] != "" {
			y = atoi(m.Captures[2])
			if y < 100 {
				y += 2000
			}
		}
		if a <= 12 && b <= 12 && a != b {
			return askf("%q could be %s or %s. Please write the month as a word, like \"%d %s\".",
				m.Text, dayMonthName(a, b), dayMonthName(b, a), a, time.Month(b))
		}
		if b > 12 && a <= 12 { // month/day written the American way
			return askf("%q has no month %d. Please write the month as a word, like \"%d %s\".", m.Text, b, b, time.Month(a))
		}
		return setDate(f, y, b, a)
	}},
	{"day month", custom(dayMonthRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		return setDate(f, atoi(m.Captures[2]), monthNum(m.Captures[1]), atoi(m.Captures[0]))
	}},
	{"month day", custom(monthDayRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		return setDate(f, atoi(m.Captures[2]), monthNum(m.Captures[0]), atoi(m.Captures[1]))
	}},
	{"month", custom(monthOnlyRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		return askf("Which day of %s? Please give the date, like \"20 %s 18:00\".", time.Month(monthNum(m.Captures[0])), time.Month(monthNum(m.Captures[0])))
	}},
	{"ordinal", custom(ordinalRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		return askf("The %s of which month? Please add the month, like \"%s June\".", strings.TrimSpace(m.Text), m.Captures[0])
	}},
	{"weekday", en.Weekday(rules.Override), func(m *rules.Match, c *rules.Context, f *found) error {
		if f.relative || f.weekdayGiven {
			return askf("I found two days there. Which one did you mean?")
		}
		q := strings.ToLower(strings.TrimSpace(m.Captures[0] + " " + m.Captures[2]))
		if strings.Contains(q, "last") || strings.Contains(q, "past") {
			return askf("%q is in the past. Meetups need a date still to come.", strings.TrimSpace(m.Text))
		}
		f.weekday = time.Weekday(en.WEEKDAY_OFFSET[strings.ToLower(m.Captures[1])])
		f.weekdayGiven = true
		f.weekdayNext = strings.Contains(q, "next")
		return nil
	}},
	{"casual date", en.CasualDate(rules.Override), func(m *rules.Match, c *rules.Context, f *found) error {
		w := strings.ToLower(strings.Join(strings.Fields(m.Captures[0]), " "))
		switch {
		case w == "now":
			return askf("Meetups need a start time still to come, not \"now\".")
		case strings.HasPrefix(w, "yesterday"), strings.HasPrefix(w, "last night"):
			return askf("%q is in the past. Meetups need a date still to come.", w)
		case strings.HasPrefix(w, "tomorrow"), strings.HasPrefix(w, "tmr"):
			if f.month != 0 || f.relative || f.weekdayGiven {
				return askf("I found two days there. Which one did you mean?")
			}
			f.days, f.relative = 1, true
		case w == "tonight":
			f.tonight = true
			fallthrough
		default: // today
			if f.month != 0 || f.relative || f.weekdayGiven {
				return askf("I found two days there. Which one did you mean?")
			}
			f.days, f.relative = 0, true
		}
		return nil
	}},
	{"clock", custom(clockRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		h, min := atoi(m.Captures[0]), atoi(m.Captures[1])
		ampm := strings.ToLower(m.Captures[2])
		text := strings.TrimSpace(m.Text)
		if min > 59 || h > 23 || (ampm != "" && (h == 0 || h > 12)) {
			return askf("%q is not a clock time: hours go from 00 to 23 and minutes from 00 to 59. Try 18:00 or 6pm.", text)
		}
		if ampm == "" && len(m.Captures[0]) == 1 && h >= 1 && h <= 11 {
			f.timeAmbiguous = m.Captures[0] + ":" + m.Captures[1]
		}
		if ampm != "" {
			h = h % 12
			if ampm[0] == 'p' {
				h += 12
			}
		}
		if err := setZone(f, m.Captures[3]); err != nil {
			return err
		}
		return setTime(f, h, min)
	}},
	{"zone", custom(zoneRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		return setZone(f, m.Captures[0])
	}},
	{"hour minute", en.HourMinute(rules.Override), func(m *rules.Match, c *rules.Context, f *found) error {
		h, min := atoi(m.Captures[0]), atoi(m.Captures[1])
		ampm := strings.ToLower(m.Captures[2])
		if ampm == "" && len(m.Captures[0]) == 1 && h >= 1 && h <= 11 {
			f.timeAmbiguous = m.Text
		}
		if ampm != "" {
			if h == 0 || h > 12 {
				return askf("%q is not a clock time. Try 18:00 or 6pm.", m.Text)
			}
			h = h % 12
			if ampm[0] == 'p' {
				h += 12
			}
		}
		return setTime(f, h, min)
	}},
	{"hour", en.Hour(rules.Override), func(m *rules.Match, c *rules.Context, f *found) error {
		h := atoi(m.Captures[0])
		ampm := strings.ToLower(m.Captures[1])
		if h == 0 || h > 12 {
			return askf("%q is not a clock time. Try 18:00 or 6pm.", m.Text)
		}
		h = h % 12
		if ampm[0] == 'p' {
			h += 12
		}
		return setTime(f, h, 0)
	}},
	{"noon", custom(noonRe), func(m *rules.Match, _ *rules.Context, f *found) error {
		if strings.EqualFold(m.Captures[0], "midnight") {
			return askf("Midnight belongs to two dates. Please give 00:00 with the date after, or 23:59.")
		}
		return setTime(f, 12, 0)
	}},
}

func dayMonthName(d, m int) string { return fmt.Sprintf("%d %s", d, time.Month(m)) }

// fillers may stand between the parts of a date without meaning anything.
var fillers = map[string]bool{"at": true, "on": true, "the": true, "of": true, "from": true, "starting": true, "start": true, "and": true, "this": true, "next": true, "for": true}

// extract runs the rules over text, each claiming what it matched, and
// returns an error (a Question) for anything not understood.
func extract(text string) (found, error) {
	var f found
	var question error
	work := []byte(text)
	opts := &rules.Options{Distance: 5, MatchByOrder: true}
	for _, r := range ruleSet {
		for range 4 { // a rule may match more than once (two times)
			m := r.r.Find(string(work))
			if m == nil {
				break
			}
			c := &rules.Context{Text: m.Text}
			ok, err := m.Apply(c, opts, time.Date(2000, 1, 3, 12, 0, 0, 0, time.UTC)) // a Monday
			if err != nil || !ok {
				// The library declined the text: blank it so the loop moves on
				// and leave it for the leftover check to report.
				blank(work, m.Left, m.Right, '\x00')
				continue
			}
			f.any = true
			blank(work, m.Left, m.Right, ' ')
			// Keep going after a question so the leftover check below
			// still sees every word (Recognizes depends on it).
			if err := r.after(m, c, &f); err != nil && question == nil {
				question = err
			}
		}
	}
	// Whatever is left must be filler words or punctuation.
	var left []string
	for _, w := range strings.FieldsFunc(strings.ReplaceAll(string(work), "\x00", " \x00 "), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == '\n'
	}) {
		if w == "\x00" {
			continue
		}
		if fillers[strings.ToLower(strings.Trim(w, ".-@"))] || strings.Trim(w, ".-@") == "" {
			continue
		}
		left = append(left, w)
	}
	f.leftover = len(left) > 0
	if len(left) == 1 && f.any && !f.timeGiven {
		if n, err := strconv.Atoi(left[0]); err == nil && n >= 1 && n <= 12 {
			// "tomorrow at 7": the number is a time of day, only not
			// which one, so the words are all date (meetup add must not
			// take "7" for the venue).
			f.leftover = false
			return f, askf("Is %d in the morning or the evening? Please write %02d:00 or %02d:00 (or %dpm).", n, n, n+12, n)
		}
	}
	if question != nil {
		return f, question
	}
	if len(left) > 0 {
		if !f.any {
			return f, ErrNoDate
		}
		return f, askf("I understood part of that date but not %q. Try something like \"20 June 18:00\" or \"next Wednesday 6pm\".", strings.Join(left, " "))
	}
	if !f.any {
		return f, ErrNoDate
	}
	return f, nil
}

func blank(b []byte, from, to int, with byte) {
	for i := from; i < to && i < len(b); i++ {
		b[i] = with
	}
}

// resolve turns what was found into a time, or a question.
func (f found) resolve(text string, now time.Time, loc *time.Location) (time.Time, error) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, loc)
	var y, d int
	var mo time.Month
	switch {
	case f.month != 0:
		y, mo, d = f.year, time.Month(f.month), f.day
		if y == 0 {
			y = now.Year()
		}
		if mo < 1 || mo > 12 {
			return time.Time{}, askf("There is no month %d.", f.month)
		}
		if d < 1 || d > daysIn(mo, y) {
			return time.Time{}, askf("There is no %d %s in %d. Please check the date.", d, mo, y)
		}
		if f.weekdayGiven {
			wd := time.Date(y, mo, d, 12, 0, 0, 0, loc).Weekday()
			if wd != f.weekday {
				return time.Time{}, askf("%d %s %d is a %s, not a %s. Which did you mean?", d, mo, y, wd, f.weekday)
			}
		}
	case f.weekdayGiven:
		diff := (int(f.weekday) - int(now.Weekday()) + 7) % 7
		if diff == 0 && !f.weekdayNext {
			next := today.AddDate(0, 0, 7)
			return time.Time{}, askf("Today is %s. Do you mean today (%s) or next week (%s)? Say \"today\" or give the date.",
				f.weekday, today.Format("2 January"), next.Format("2 January"))
		}
		if diff == 0 {
			diff = 7
		}
		// "next Wednesday" said on a Tuesday: some mean tomorrow, some the
		// Wednesday of next week. Once the day has passed this week (weeks
		// run Monday to Sunday), the coming one is the only reading.
		if f.weekdayNext && diff < 7 && (int(now.Weekday())+6)%7+diff <= 6 {
			soon, later := today.AddDate(0, 0, diff), today.AddDate(0, 0, diff+7)
			clock := "18:00"
			if f.timeGiven {
				clock = fmt.Sprintf("%02d:%02d", f.hour, f.minute)
			}
			return time.Time{}, askf("Do you mean this %s (%s) or the one after (%s)? Please give the date, like \"%s %s\".",
				f.weekday, soon.Format("2 January"), later.Format("2 January"), later.Format("2 January"), clock)
		}
		dt := today.AddDate(0, 0, diff)
		y, mo, d = dt.Date()
	case f.relative:
		dt := today.AddDate(0, 0, f.days)
		y, mo, d = dt.Date()
	default:
		return time.Time{}, askf("Which day? I found a time but no date in %q. Try \"20 June 18:00\" or \"next Wednesday 6pm\".", text)
	}
	if f.tonight && !f.timeGiven {
		return time.Time{}, askf("What time tonight? For example \"tonight 7pm\".")
	}
	if !f.timeGiven {
		return time.Time{}, askf("What time on %s? Please add a start time, like \"%d %s 18:00\".",
			time.Date(y, mo, d, 12, 0, 0, 0, loc).Format("Monday 2 January 2006"), d, mo)
	}
	if f.timeAmbiguous != "" {
		return time.Time{}, askf("Is %q in the morning or the evening? Please write %02d:%02d or %02d:%02d (or add am/pm).",
			strings.TrimSpace(f.timeAmbiguous), f.hour, f.minute, f.hour+12, f.minute)
	}
	if f.zone != "" {
		t, err := f.inZone(y, mo, d, loc)
		if err != nil {
			return t, err
		}
		if f.zone == "UTC" {
			return notPast(t, f, now, loc)
		}
	}
	t := time.Date(y, mo, d, f.hour, f.minute, 0, 0, loc)
	if t.Hour() != f.hour || t.Minute() != f.minute {
		return time.Time{}, askf("%02d:%02d does not exist on %s in %s: the clocks go forward then. Please pick another time.",
			f.hour, f.minute, t.Format("2 January 2006"), loc)
	}
	if twice(t) {
		return time.Time{}, askf("%02d:%02d happens twice on %s in %s (the clocks go back). Please pick another time.",
			f.hour, f.minute, t.Format("2 January 2006"), loc)
	}
	return notPast(t, f, now, loc)
}

// notPast returns t, or a question when it has gone.
func notPast(t time.Time, f found, now time.Time, loc *time.Location) (time.Time, error) {
	y, mo, d := t.In(loc).Date()
	if !t.After(now) {
		if f.month != 0 && f.year == 0 {
			next := time.Date(y+1, mo, d, f.hour, f.minute, 0, 0, loc)
			return time.Time{}, askf("%s has already passed this year. Did you mean %s? If so, please add the year.",
				t.Format("2 January 15:04"), next.Format("2 January 2006 15:04"))
		}
		return time.Time{}, askf("%s is in the past. Meetups need a date still to come.", Format(t, loc))
	}
	return t, nil
}

// offsets are the zones people add after a time. GMT and BST name the
// wall clock in Europe/London as the bot prints it; UTC is an instant.
var offsets = map[string]int{"GMT": 0, "BST": 3600, "UTC": 0}

// inZone applies a zone written after the time. UTC is converted to the
// community zone. GMT or BST only confirms the local clock, so one that
// contradicts the season (18:00 GMT in June) is asked about rather than
// read either way: 18:00 on the clocks and 18:00 GMT are an hour apart.
func (f found) inZone(y int, mo time.Month, d int, loc *time.Location) (time.Time, error) {
	written := time.Date(y, mo, d, f.hour, f.minute, 0, 0, time.FixedZone(f.zone, offsets[f.zone]))
	if f.zone == "UTC" {
		return written.In(loc), nil
	}
	local := time.Date(y, mo, d, f.hour, f.minute, 0, 0, loc)
	if abbr, _ := local.Zone(); abbr == f.zone {
		return local, nil
	}
	winter, _ := time.Date(y, 1, 1, 12, 0, 0, 0, loc).Zone()
	summer, _ := time.Date(y, 7, 1, 12, 0, 0, 0, loc).Zone()
	if f.zone != winter && f.zone != summer {
		return time.Time{}, askf("Times here are in %s, which does not use %s. Please give the time without %q, or in UTC.", loc, f.zone, f.zone)
	}
	abbr, _ := local.Zone()
	conv := written.In(loc)
	return time.Time{}, askf("%02d:%02d %s on %s? The clocks in %s are on %s then, and %02d:%02d %s is %s %s. "+
		"Please write %s for that, or %02d:%02d for %02d:%02d %s.",
		f.hour, f.minute, f.zone, local.Format("2 January 2006"), loc, abbr, f.hour, f.minute, f.zone, conv.Format("15:04"), abbr,
		conv.Format("15:04"), f.hour, f.minute, f.hour, f.minute, abbr)
}

// twice reports whether t's wall-clock time also occurs an hour earlier or
// later (the hour repeated when the clocks go back).
func twice(t time.Time) bool {
	for _, d := range []time.Duration{-time.Hour, time.Hour} {
		o := t.Add(d)
		if o.Hour() == t.Hour() && o.Minute() == t.Minute() {
			return true
		}
	}
	return false
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

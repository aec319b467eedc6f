package meetups

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bothy-chat/bothy/bot"
)

// AddArgs is what `meetup add` was given.
type AddArgs struct {
	Title     string
	When      string
	Venue     string
	OnlineURL string
	Hashtag   string
	Capacity  int
}

// Limits on what people type, so a pasted essay gets a clear answer.
const (
	maxTitle = 200
	maxVenue = 200
	maxURL   = 500
	maxArgs  = 1000
)

// addExample is shown whenever `meetup add` is misunderstood. Its date is
// relative, so it works on whatever day it is read.
const addExample = "meetup add Summer social on tomorrow 18:00 at The Lighthouse, Glasgow #tartantm"

// ParseAdd splits `<title> on|at <when> [at|in <venue>] [online <url>]
// [#hashtag] [capacity N]`. Titles and venues may themselves contain "at"
// and "on", so the date is found by asking recognizes (the date parser)
// which stretch of words is wholly a date: the earliest keyword that starts
// one wins, and the longest such date after it.
func ParseAdd(s string, recognizes func(string) bool) (AddArgs, error) {
	var a AddArgs
	s = strings.TrimSpace(s)
	if s == "" {
		return a, usage("Please tell me the title and the date, like: %s", addExample)
	}
	if n := utf8.RuneCountInString(s); n > maxArgs {
		return a, usage("That is too long for a meetup (%d characters; the limit is %d).", n, maxArgs)
	}
	toks, err := takeOptions(strings.Fields(s), &a)
	if err != nil {
		return a, err
	}
	bestK := -1
	var date, venue []string
	for k := 1; k < len(toks) && bestK < 0; k++ {
		kw := strings.ToLower(toks[k])
		var rest []string
		switch kw {
		case "on", "at":
			rest = toks[k+1:]
		case "every":
			rest = toks[k:]
		default:
			continue
		}
		// Longest date first: no venue, then each "at"/"in" from the right.
		cuts := []int{len(rest)}
		for j := len(rest) - 2; j >= 1; j-- {
			if w := strings.ToLower(rest[j]); w == "at" || w == "in" {
				cuts = append(cuts, j)
			}
		}
		for _, j := range cuts {
			d, b := rest[:j], a
			if !recognizes(strings.Join(d, " ")) {
				// Options typed between the date and the venue
				// ("tomorrow 18:00 capacity 10 at Room 2") belong to the
				// meetup, not the date.
				var err error
				if d, err = takeOptions(d, &b); err != nil || len(d) == j || !recognizes(strings.Join(d, " ")) {
					continue
				}
			}
			a, bestK, date = b, k, d
			if j < len(rest) {
				venue = rest[j+1:]
			}
			break
		}
	}
	if bestK < 0 {
		return a, usage("I couldn't find the date. Put it after \"on\" or \"at\", in this order: "+
			"TITLE on DATE [at VENUE] [online URL] [#hashtag] [capacity N], like: %s", addExample)
	}
	a.Title = strings.TrimSpace(strings.Join(toks[:bestK], " "))
	a.When = strings.Join(date, " ")
	a.Venue = strings.TrimSpace(strings.Join(venue, " "))
	if a.Title == "" {
		return a, usage("The meetup needs a title before the date, like: %s", addExample)
	}
	if utf8.RuneCountInString(a.Title) > maxTitle {
		return a, usage("That title is too long (the limit is %d characters).", maxTitle)
	}
	if utf8.RuneCountInString(a.Venue) > maxVenue {
		return a, usage("That venue is too long (the limit is %d characters).", maxVenue)
	}
	return a, nil
}

// takeOptions removes options from the end of toks into a, in any order.
func takeOptions(toks []string, a *AddArgs) ([]string, error) {
	for changed := true; changed && len(toks) > 0; {
		changed = false
		last := toks[len(toks)-1]
		switch {
		case len(toks) >= 2 && strings.EqualFold(toks[len(toks)-2], "capacity"):
			n, err := strconv.Atoi(last)
			if err != nil || n < 1 || n > 100000 {
				return toks, usage("capacity needs a whole number of places, like \"capacity 40\".")
			}
			if a.Capacity != 0 {
				return toks, usage("Please give capacity only once.")
			}
			a.Capacity, toks, changed = n, toks[:len(toks)-2], true
		case strings.EqualFold(last, "capacity"):
			return toks, usage("capacity needs a whole number of places, like \"capacity 40\".")
		case len(toks) >= 2 && strings.EqualFold(toks[len(toks)-2], "online"):
			u, err := checkURL(last)
			if err != nil {
				return toks, err
			}
			if a.OnlineURL != "" {
				return toks, usage("Please give only one online link.")
			}
			a.OnlineURL, toks, changed = u, toks[:len(toks)-2], true
		case strings.HasPrefix(last, "#") && a.Hashtag == "":
			h, err := checkHashtag(last)
			if err != nil {
				return toks, err
			}
			a.Hashtag, toks, changed = h, toks[:len(toks)-1], true
		}
	}
	return toks, nil
}

// usage is a mistake in what the person typed; chat and the web console
// show its message as is.
func usage(format string, args ...any) error { return bot.Usagef(format, args...) }

func checkURL(s string) (string, error) {
	if utf8.RuneCountInString(s) > maxURL {
		return "", usage("That link is too long (the limit is %d characters).", maxURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", usage("%q is not a web link. Online links start with https://", s)
	}
	return u.String(), nil
}

func checkHashtag(s string) (string, error) {
	tag := strings.TrimPrefix(s, "#")
	if tag == "" || utf8.RuneCountInString(tag) > 60 || strings.ContainsAny(tag, "#<>\"'`") {
		return "", usage("%q is not a hashtag I can use, try something like #tartantm.", s)
	}
	return "#" + tag, nil
}

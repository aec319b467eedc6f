package shoutouts

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Period is a leaderboard window, counted in the community time zone.
type Period string

// The leaderboard periods.
const (
	AllTime   Period = "all"
	ThisWeek  Period = "week"
	ThisMonth Period = "month"
	ThisYear  Period = "year"
)

// ParsePeriod reads "this week", "month", "this year", "all time" (or
// nothing, meaning all time).
func ParsePeriod(s string) (Period, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimPrefix(s, "this ")
	switch s {
	case "", "all", "all time", "ever":
		return AllTime, nil
	case "week":
		return ThisWeek, nil
	case "month":
		return ThisMonth, nil
	case "year":
		return ThisYear, nil
	}
	return "", fmt.Errorf("%q is not a period I know: try this week, this month, this year or all time", s)
}

// Label is how the period reads in a sentence.
func (p Period) Label() string {
	if p == AllTime || p == "" {
		return "of all time"
	}
	return "this " + string(p)
}

// Since is when the period began, given the time now, in loc. Weeks start
// on Monday.
func (p Period) Since(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	switch p {
	case ThisWeek:
		back := (int(l.Weekday()) + 6) % 7
		return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
	case ThisMonth:
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	case ThisYear:
		return time.Date(l.Year(), time.January, 1, 0, 0, 0, 0, loc)
	}
	return time.Time{}
}

// Board is a leaderboard.
type Board struct {
	Period     Period
	Category   string
	Since      time.Time
	Total      int
	Givers     int
	Recipients int
	People     []Count
	Categories []Count
}

// BoardSize is how many people a leaderboard lists.
const BoardSize = 10

// Leaderboard ranks people (and categories) by standing shout-outs in the
// period, optionally in one category.
func (s *Service) Leaderboard(ctx context.Context, p Period, category string) (Board, error) {
	b := Board{Period: p, Category: strings.ToLower(strings.TrimPrefix(category, "#")), Since: p.Since(s.now(), s.loc)}
	var err error
	if b.Total, b.Givers, b.Recipients, err = totals(ctx, s.db.Read, b.Since, b.Category); err != nil {
		return b, fmt.Errorf("shoutouts: leaderboard: %w", err)
	}
	if b.People, err = countRecipients(ctx, s.db.Read, b.Since, b.Category, BoardSize); err != nil {
		return b, fmt.Errorf("shoutouts: leaderboard: %w", err)
	}
	if b.Categories, err = countCategories(ctx, s.db.Read, b.Since, b.Category); err != nil {
		return b, fmt.Errorf("shoutouts: leaderboard: %w", err)
	}
	return b, nil
}

// Text renders the board for chat.
func (b Board) Text() string {
	var w strings.Builder
	title := "Shout-outs " + b.Period.Label()
	if b.Category != "" {
		title += " in #" + b.Category
	}
	if b.Total == 0 {
		return title + ": none yet. Be the first: shoutout @person for what they did"
	}
	fmt.Fprintf(&w, "%s: %d, from %s to %s.\n", title, b.Total, plural(b.Givers, "person", "people"), plural(b.Recipients, "person", "people"))
	w.WriteString("Most appreciated:\n")
	// Standard competition ranking (1, 1, 3): people with the same count
	// share a place, and the order among them is only alphabetical.
	rank := 0
	for i, c := range b.People {
		if i == 0 || c.Count != b.People[i-1].Count {
			rank = i + 1
		}
		fmt.Fprintf(&w, "%d. %s: %d\n", rank, c.Name, c.Count)
	}
	if len(b.Categories) > 0 && b.Category == "" {
		parts := make([]string, len(b.Categories))
		for i, c := range b.Categories {
			parts[i] = fmt.Sprintf("#%s %d", c.Name, c.Count)
		}
		w.WriteString("Categories: " + strings.Join(parts, ", ") + "\n")
	}
	return strings.TrimRight(w.String(), "\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

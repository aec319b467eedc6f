package meetups

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups/when"
)

// ActionRSVP is the button action ID; the value is "<id>:yes|no|maybe".
const ActionRSVP = "meetup.rsvp"

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// when formats a meetup's start in its own zone with the zone name.
func (s *Service) when(m Meetup) string {
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		loc = s.loc
	}
	return when.Format(m.StartsAt, loc)
}

// details are the lines every announcement, update and reminder shares.
func (s *Service) details(m Meetup) string {
	var b strings.Builder
	fmt.Fprintf(&b, "When: %s\n", s.when(m))
	if m.Recurrence != "" {
		fmt.Fprintf(&b, "Repeats: %s\n", m.Recurrence)
	}
	if m.Venue != "" {
		fmt.Fprintf(&b, "Where: %s\n", m.Venue)
	}
	if m.OnlineURL != "" {
		fmt.Fprintf(&b, "Online: %s\n", m.OnlineURL)
	}
	if m.Hashtag != "" {
		fmt.Fprintf(&b, "Hashtag: %s\n", m.Hashtag)
	}
	going := fmt.Sprintf("Going: %d", m.Going)
	if m.Capacity > 0 {
		going = fmt.Sprintf("Going: %d of %s", m.Going, plural(m.Capacity, "place")[3:])
		if m.Going > m.Capacity {
			// Capacity was lowered after people said yes; they keep their places.
			going = fmt.Sprintf("Going: %d, over the %s now set", m.Going, plural(m.Capacity, "place")[3:])
		}
		if m.Waitlist > 0 {
			going += fmt.Sprintf(", %d on the waitlist", m.Waitlist)
		}
	}
	if m.Maybe > 0 {
		going += fmt.Sprintf(" (%d maybe)", m.Maybe)
	}
	b.WriteString(going + "\n")
	return b.String()
}

// howToRSVP is the typed way to answer. The RSVP buttons carry the other
// way, and each adapter shows them as its platform can (Slack buttons, a
// Matrix line naming the reactions it pre-adds), so the text does not name
// buttons or emoji itself: one hint per platform.
func howToRSVP(platform string, id int64) string {
	cmd := fmt.Sprintf("`!meetup rsvp %d yes|no|maybe`", id)
	if platform == "console" {
		return "RSVP: type " + strings.Trim(strings.ReplaceAll(cmd, "!", ""), "`")
	}
	return "RSVP: type " + cmd
}

func rsvpButtons(id int64) []bot.Button {
	v := itoa(id)
	return []bot.Button{
		{ActionID: ActionRSVP, Label: "Going", Value: v + ":yes", Style: "primary"},
		{ActionID: ActionRSVP, Label: "Maybe", Value: v + ":maybe"},
		{ActionID: ActionRSVP, Label: "Not going", Value: v + ":no"},
	}
}

// render builds the message for one outbox row at send time, so a late
// reminder shows current details.
func (s *Service) render(d delivery, m Meetup, now time.Time) bot.Reply {
	var b strings.Builder
	switch {
	case d.Kind == "announce":
		fmt.Fprintf(&b, "📅 **New meetup: %s** (meetup %d)\n", m.Title, m.ID)
	case strings.HasPrefix(d.Kind, "edit-"):
		fmt.Fprintf(&b, "✏️ **Meetup updated: %s** (meetup %d)\n", m.Title, m.ID)
	case d.Kind == "cancel":
		fmt.Fprintf(&b, "❌ **Cancelled: %s** (meetup %d, was %s)\n", m.Title, m.ID, s.when(m))
		if m.CancelReason != "" {
			fmt.Fprintf(&b, "Reason: %s\n", m.CancelReason)
		}
		return bot.Reply{Text: b.String() + "Sorry for any inconvenience."}
	default:
		fmt.Fprintf(&b, "⏰ **Reminder: %s** starts %s (meetup %d)\n", m.Title, untilText(m.StartsAt.Sub(now)), m.ID)
	}
	b.WriteString(s.details(m))
	b.WriteString(howToRSVP(d.Platform, m.ID))
	return bot.Reply{Text: b.String(), Buttons: rsvpButtons(m.ID)}
}

// untilText says how far off a start is, in words: "in 1 week",
// "in 1 day", "in 1 hour", "in 3 hours".
func untilText(d time.Duration) string {
	switch {
	case d >= 7*24*time.Hour && d%(7*24*time.Hour) < 12*time.Hour:
		return plural(int(d/(7*24*time.Hour)), "week")
	case d >= 24*time.Hour:
		return plural(int((d+12*time.Hour)/(24*time.Hour)), "day")
	case d >= time.Hour:
		return plural(int((d+30*time.Minute)/time.Hour), "hour")
	case d > 0:
		return plural(max(1, int((d+30*time.Second)/time.Minute)), "minute")
	}
	return "now"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "in 1 " + unit
	}
	return fmt.Sprintf("in %d %ss", n, unit)
}

// summary is one line for lists.
func (s *Service) summary(m Meetup) string {
	line := fmt.Sprintf("%d. **%s**, %s", m.ID, m.Title, s.when(m))
	if m.Venue != "" {
		line += ", " + m.Venue
	}
	if m.OnlineURL != "" {
		line += " (online too)"
	}
	if m.Capacity > 0 && m.Going > m.Capacity {
		line += fmt.Sprintf(" · %d going, over the %s now set", m.Going, plural(m.Capacity, "place")[3:])
	} else if m.Capacity > 0 {
		line += fmt.Sprintf(" · %d/%d going", m.Going, m.Capacity)
	} else {
		line += fmt.Sprintf(" · %d going", m.Going)
	}
	if m.Recurrence != "" {
		line += " · " + m.Recurrence
	}
	return line
}

// MeetupsBefore lists scheduled meetups still to start and starting before until, one line
// each, for the shout-outs digest (shoutouts.MeetupLister).
func (s *Service) MeetupsBefore(ctx context.Context, until time.Time) ([]string, error) {
	ms, err := s.Scheduled(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	now := s.clock.Now()
	for _, m := range ms {
		// Scheduled keeps a meetup until it is over; one already under way
		// is not coming up.
		if !m.StartsAt.After(now) || m.StartsAt.After(until) {
			continue
		}
		line := m.Title + ", " + m.StartsAt.Format("Mon 2 Jan 15:04 MST")
		if m.Venue != "" {
			line += ", " + m.Venue
		}
		out = append(out, line)
	}
	return out, nil
}

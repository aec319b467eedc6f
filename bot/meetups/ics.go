package meetups

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ICS renders upcoming meetups as an iCalendar feed. Start times carry a
// TZID with a matching VTIMEZONE (built from the zone database for the
// years the events span), UIDs are fixed when a meetup is created, edits
// raise SEQUENCE and cancellations say STATUS:CANCELLED, so calendar apps
// update rather than duplicate.
func (s *Service) ICS(ctx context.Context) ([]byte, error) {
	ms, err := s.Upcoming(ctx)
	if err != nil {
		return nil, err
	}
	return s.buildICS(ms, true)
}

// MeetupICS renders one upcoming meetup as an iCalendar file for "add to
// calendar", event for event as the feed has it (same UID, times with
// TZID and VTIMEZONE, end, sequence, status), so the two agree in a
// calendar app. It returns nil for an id that is no upcoming meetup.
func (s *Service) MeetupICS(ctx context.Context, id string) ([]byte, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, nil
	}
	ms, err := s.Upcoming(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.ID == n {
			return s.buildICS([]Meetup{m}, false)
		}
	}
	return nil, nil
}

// buildICS renders meetups as an iCalendar object. A feed also carries
// the calendar's name and zone for apps that subscribe to it. Lines end
// in CRLF, as RFC 5545 requires.
func (s *Service) buildICS(ms []Meetup, feed bool) ([]byte, error) {
	cal := ics.NewCalendarFor("Bothy")
	cal.SetMethod(ics.MethodPublish)
	if feed {
		cal.SetXWRCalName("Meetups")
		cal.SetXWRTimezone(s.loc.String())
	}
	zones := map[string][2]int{} // zone -> first and last year used
	for _, m := range ms {
		y := m.StartsAt.Year()
		r, ok := zones[m.TimeZone]
		if !ok {
			r = [2]int{y, y}
		}
		zones[m.TimeZone] = [2]int{min(r[0], y), max(r[1], y)}
	}
	if len(zones) == 0 {
		y := s.clock.Now().In(s.loc).Year()
		zones[s.loc.String()] = [2]int{y, y}
	}
	names := make([]string, 0, len(zones))
	for z := range zones {
		names = append(names, z)
	}
	sort.Strings(names)
	for _, z := range names {
		loc, err := time.LoadLocation(z)
		if err != nil {
			return nil, fmt.Errorf("meetups: calendar zone %q: %w", z, err)
		}
		addTimezone(cal, loc, zones[z][0], zones[z][1])
	}
	stamp := s.clock.Now()
	for _, m := range ms {
		loc, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("meetups: meetup %d zone %q: %w", m.ID, m.TimeZone, err)
		}
		ev := cal.AddEvent(m.UID)
		ev.SetDtStampTime(stamp)
		if !m.UpdatedAt.IsZero() {
			ev.SetModifiedAt(m.UpdatedAt)
		}
		ev.SetProperty(ics.ComponentPropertyDtStart, m.StartsAt.In(loc).Format(icsLocal), ics.WithTZID(loc.String()))
		ev.SetProperty(ics.ComponentPropertyDtEnd, m.StartsAt.Add(Duration).In(loc).Format(icsLocal), ics.WithTZID(loc.String()))
		ev.SetSequence(m.Sequence)
		ev.SetSummary(m.Title)
		if m.Venue != "" {
			ev.SetLocation(m.Venue)
		}
		if m.OnlineURL != "" {
			ev.SetURL(m.OnlineURL)
		}
		var desc []string
		if m.OnlineURL != "" {
			desc = append(desc, "Online: "+m.OnlineURL)
		}
		if m.Hashtag != "" {
			desc = append(desc, "Hashtag: "+m.Hashtag)
		}
		if m.Status != StatusCancelled {
			// A cancelled meetup takes no RSVPs.
			desc = append(desc, fmt.Sprintf("RSVP in chat: meetup rsvp %d yes", m.ID))
		}
		if m.Status == StatusCancelled {
			ev.SetStatus(ics.ObjectStatusCancelled)
			if m.CancelReason != "" {
				desc = append([]string{"Cancelled: " + m.CancelReason}, desc...)
			}
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
		ev.SetDescription(strings.Join(desc, "\n"))
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows)), nil
}

const icsLocal = "20060102T150405"

// addTimezone writes a VTIMEZONE for loc with one STANDARD or DAYLIGHT
// observance per transition in the years given (plus the one in force at
// the start), taken from Go's zone database rather than a fixed rule, so
// it is right for any zone.
func addTimezone(cal *ics.Calendar, loc *time.Location, fromYear, toYear int) {
	tz := cal.AddTimezone(loc.String())
	start := time.Date(fromYear, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(toYear+1, 1, 1, 0, 0, 0, 0, loc)
	name, off := start.Zone()
	isDST := start.IsDST()
	// The observance in force on 1 January of the first year.
	addObservance(tz, isDST, start.Add(-time.Hour*24*366), off, off, name)
	prevOff := off
	for t := start; t.Before(end); {
		next := zoneChange(t, end)
		if next.IsZero() {
			break
		}
		n, o := next.Zone()
		addObservance(tz, next.IsDST(), next, prevOff, o, n)
		prevOff, t = o, next
	}
}

// zoneChange finds the next instant after t (before end) when the offset
// changes, by stepping a day at a time and then bisecting to the second.
func zoneChange(t, end time.Time) time.Time {
	_, off := t.Zone()
	for lo := t; lo.Before(end); lo = lo.Add(24 * time.Hour) {
		hi := lo.Add(24 * time.Hour)
		if _, o := hi.Zone(); o == off {
			continue
		}
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, o := mid.Zone(); o == off {
				lo = mid
			} else {
				hi = mid
			}
		}
		return hi
	}
	return time.Time{}
}

func addObservance(tz *ics.VTimezone, dst bool, at time.Time, from, to int, name string) {
	var c *ics.ComponentBase
	if dst {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		c = &d.ComponentBase
	} else {
		st := tz.AddStandard()
		c = &st.ComponentBase
	}
	// DTSTART of an observance is the local time before the change.
	c.SetProperty(ics.ComponentPropertyDtStart, at.In(time.FixedZone("", from)).Format(icsLocal))
	c.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), offset(from))
	c.SetProperty(ics.ComponentProperty("TZOFFSETTO"), offset(to))
	c.SetProperty(ics.ComponentProperty("TZNAME"), name)
}

func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
}

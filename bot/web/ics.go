package web

import (
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

const calendarType = "text/calendar; charset=utf-8"

// feed serves the whole calendar, as the meetups feature renders it.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	cal := s.opts.Sources.Calendar
	if cal == nil {
		http.Error(w, "Meetups are not set up in this community.", http.StatusNotFound)
		return
	}
	body, err := cal.ICS(r.Context())
	if err != nil {
		s.fail(w, r, "calendar feed", err)
		return
	}
	w.Header().Set("Content-Type", calendarType)
	w.Header().Set("Content-Disposition", `inline; filename="meetups.ics"`)
	_, _ = w.Write(body)
}

// meetupICS serves one meetup as an .ics file for "add to calendar".
func (s *Server) meetupICS(w http.ResponseWriter, r *http.Request) {
	cal := s.opts.Sources.Calendar
	id, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if cal == nil || !ok || id == "" {
		http.NotFound(w, r)
		return
	}
	var body []byte
	if ec, can := cal.(EventCalendar); can {
		b, err := ec.MeetupICS(r.Context(), id)
		if err != nil {
			s.fail(w, r, "meetup calendar file", err)
			return
		}
		body = b
	} else {
		list, err := cal.UpcomingMeetups(r.Context())
		if err != nil {
			s.fail(w, r, "meetup calendar file", err)
			return
		}
		for _, m := range list {
			if m.ID == id {
				body = []byte(eventICS(m, s.opts.Now()))
				break
			}
		}
	}
	if body == nil {
		http.Error(w, "No upcoming meetup has that ID.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", calendarType)
	w.Header().Set("Content-Disposition", `attachment; filename="meetup-`+safeFileName(id)+`.ics"`)
	_, _ = w.Write(body)
}

// eventICS renders one meetup when the Calendar cannot do it itself.
func eventICS(m MeetupView, now time.Time) string {
	c := ics.NewCalendarFor("Bothy")
	c.SetMethod(ics.MethodPublish)
	uid := m.UID
	if uid == "" {
		uid = "meetup-" + m.ID + "@bothy"
	}
	ev := c.AddEvent(uid)
	ev.SetDtStampTime(now)
	ev.SetStartAt(m.StartsAt)
	if !m.EndsAt.IsZero() {
		ev.SetEndAt(m.EndsAt)
	}
	ev.SetSummary(m.Title)
	switch {
	case m.Venue != "":
		ev.SetLocation(m.Venue)
	case m.OnlineURL != "":
		ev.SetLocation(m.OnlineURL)
	}
	if m.OnlineURL != "" {
		ev.SetURL(m.OnlineURL)
	}
	var desc []string
	if m.OnlineURL != "" {
		desc = append(desc, "Join online: "+m.OnlineURL)
	}
	if m.Hashtag != "" {
		desc = append(desc, "#"+strings.TrimPrefix(m.Hashtag, "#"))
	}
	if len(desc) > 0 {
		ev.SetDescription(strings.Join(desc, "\n"))
	}
	if m.Cancelled() {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	return c.Serialize()
}

// safeFileName keeps a header value to plain characters.
func safeFileName(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "event"
	}
	return b.String()
}

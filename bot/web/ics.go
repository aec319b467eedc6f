package web

import (
	"net/http"
	"strings"
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
	body, err := cal.MeetupICS(r.Context(), id)
	if err != nil {
		s.fail(w, r, "meetup calendar file", err)
		return
	}
	if body == nil {
		http.Error(w, "No upcoming meetup has that ID.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", calendarType)
	w.Header().Set("Content-Disposition", `attachment; filename="meetup-`+safeFileName(id)+`.ics"`)
	_, _ = w.Write(body)
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

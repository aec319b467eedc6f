package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
)

// Meetups and shout-outs: edits, cancellations, retractions and awards
// rounds go through the same service calls as the chat commands, so what
// is announced (and audited) is the same.

type meetupRow struct {
	meetups.Meetup
	When string
}

type meetupsData struct {
	Enabled bool
	Rows    []meetupRow
}

func (c *Console) meetupsPage(w http.ResponseWriter, r *http.Request) {
	d := meetupsData{Enabled: c.opts.Meetups != nil}
	if d.Enabled {
		ms, err := c.opts.Meetups.Upcoming(r.Context())
		if err != nil {
			c.fail(w, r, "listing meetups", err)
			return
		}
		for _, m := range ms {
			d.Rows = append(d.Rows, meetupRow{Meetup: m, When: c.when(m.StartsAt)})
		}
	}
	c.render(w, r, "meetups.html", http.StatusOK, "Meetups", d)
}

type meetupData struct {
	meetupRow
	RSVPs   []meetups.RSVP
	Field   string
	Value   string
	Reason  string
	Problem string
	Fields  []string
}

func (c *Console) meetupPage(w http.ResponseWriter, r *http.Request) {
	c.showMeetup(w, r, http.StatusOK, meetupData{})
}

func (c *Console) showMeetup(w http.ResponseWriter, r *http.Request, code int, d meetupData) {
	if c.opts.Meetups == nil {
		c.renderError(w, r, http.StatusNotFound, "No meetups", "Meetups are not set up.")
		return
	}
	id, ok := pathID(r)
	if !ok {
		c.renderError(w, r, http.StatusNotFound, "No such meetup", "That is not a meetup number.")
		return
	}
	m, err := c.opts.Meetups.Get(r.Context(), id)
	if errors.Is(err, meetups.ErrNotFound) {
		c.renderError(w, r, http.StatusNotFound, "No such meetup", fmt.Sprintf("There is no meetup %d.", id))
		return
	}
	if err != nil {
		c.fail(w, r, "reading a meetup", err)
		return
	}
	if d.RSVPs, err = c.opts.Meetups.Who(r.Context(), id); err != nil {
		c.fail(w, r, "listing RSVPs", err)
		return
	}
	d.meetupRow = meetupRow{Meetup: m, When: c.when(m.StartsAt)}
	d.Fields = []string{"title", "when", "venue", "online", "hashtag", "capacity"}
	c.render(w, r, "meetup.html", code, m.Title, d)
}

// usageText is the message of a refusal the service explains itself
// (bad date, cancelled meetup): the same words chat gets.
func usageText(err error) (string, bool) {
	var be *bot.UsageError
	if errors.As(err, &be) {
		return be.Msg, true
	}
	return "", false
}

func (c *Console) meetupEdit(w http.ResponseWriter, r *http.Request) {
	if c.opts.Meetups == nil {
		c.renderError(w, r, http.StatusNotFound, "No meetups", "Meetups are not set up.")
		return
	}
	id, _ := pathID(r)
	field, value := r.PostFormValue("field"), strings.TrimSpace(r.PostFormValue("value"))
	who := sessionOf(r).Who
	res, err := c.opts.Meetups.Edit(r.Context(), id, field, value, who.UserID)
	if err != nil {
		if msg, ok := usageText(err); ok {
			c.showMeetup(w, r, http.StatusUnprocessableEntity, meetupData{Field: field, Value: value, Problem: msg})
			return
		}
		if errors.Is(err, meetups.ErrNotFound) {
			c.showMeetup(w, r, http.StatusNotFound, meetupData{})
			return
		}
		c.fail(w, r, "editing a meetup", err)
		return
	}
	c.opts.Meetups.Announce(r.Context(), res)
	done(w, r, fmt.Sprintf("/admin/meetups/%d", id), "edited")
}

func (c *Console) meetupCancel(w http.ResponseWriter, r *http.Request) {
	if c.opts.Meetups == nil {
		c.renderError(w, r, http.StatusNotFound, "No meetups", "Meetups are not set up.")
		return
	}
	id, _ := pathID(r)
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if len([]rune(reason)) > 200 {
		c.showMeetup(w, r, http.StatusUnprocessableEntity, meetupData{Reason: reason, Problem: "Please keep the reason under 200 characters."})
		return
	}
	who := sessionOf(r).Who
	_, err := c.opts.Meetups.Cancel(r.Context(), id, reason, who.UserID, r.PostFormValue("series") == "1")
	if err != nil {
		if msg, ok := usageText(err); ok {
			c.showMeetup(w, r, http.StatusUnprocessableEntity, meetupData{Reason: reason, Problem: msg})
			return
		}
		if errors.Is(err, meetups.ErrNotFound) {
			c.showMeetup(w, r, http.StatusNotFound, meetupData{})
			return
		}
		c.fail(w, r, "cancelling a meetup", err)
		return
	}
	c.opts.Meetups.DeliverNow(r.Context())
	done(w, r, fmt.Sprintf("/admin/meetups/%d", id), "cancelled")
}

type shoutoutRow struct {
	shoutouts.Shoutout
	When string
}

type shoutoutsData struct {
	Enabled bool
	Rows    []shoutoutRow
	Rounds  []roundRow
	Problem string
	// Form values kept after a refusal.
	Name, Categories string
}

type roundRow struct {
	shoutouts.Round
	Opened, Closed string
}

const shoutoutList = 50

func (c *Console) shoutoutsPage(w http.ResponseWriter, r *http.Request) {
	c.showShoutouts(w, r, http.StatusOK, shoutoutsData{})
}

func (c *Console) showShoutouts(w http.ResponseWriter, r *http.Request, code int, d shoutoutsData) {
	d.Enabled = c.opts.Shoutouts != nil
	if d.Enabled {
		list, err := c.opts.Shoutouts.Recent(r.Context(), shoutoutList)
		if err != nil {
			c.fail(w, r, "listing shout-outs", err)
			return
		}
		for _, s := range list {
			d.Rows = append(d.Rows, shoutoutRow{Shoutout: s, When: c.when(s.CreatedAt)})
		}
		rounds, err := c.opts.Shoutouts.Rounds(r.Context())
		if err != nil {
			c.fail(w, r, "listing awards rounds", err)
			return
		}
		for _, rd := range rounds {
			d.Rounds = append(d.Rounds, roundRow{Round: rd, Opened: c.when(rd.OpenedAt), Closed: c.when(rd.ClosedAt)})
		}
	}
	c.render(w, r, "shoutouts.html", code, "Shout-outs", d)
}

func (c *Console) shoutoutRetract(w http.ResponseWriter, r *http.Request) {
	if c.opts.Shoutouts == nil {
		c.renderError(w, r, http.StatusNotFound, "No shout-outs", "Shout-outs are not set up.")
		return
	}
	id, _ := pathID(r)
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		c.showShoutouts(w, r, http.StatusUnprocessableEntity, shoutoutsData{Problem: fmt.Sprintf("Give a reason for retracting shout-out %d; it goes in the audit log.", id)})
		return
	}
	_, err := c.opts.Shoutouts.Retract(r.Context(), id, sessionOf(r).Who.UserID, reason)
	switch {
	case errors.Is(err, shoutouts.ErrNotFound):
		c.showShoutouts(w, r, http.StatusNotFound, shoutoutsData{Problem: fmt.Sprintf("There is no shout-out %d.", id)})
		return
	case errors.Is(err, shoutouts.ErrAlreadyRetracted):
		c.showShoutouts(w, r, http.StatusConflict, shoutoutsData{Problem: fmt.Sprintf("Shout-out %d was already retracted.", id)})
		return
	case err != nil:
		c.fail(w, r, "retracting a shout-out", err)
		return
	}
	done(w, r, "/admin/shoutouts", "retracted")
}

func (c *Console) awardsOpen(w http.ResponseWriter, r *http.Request) {
	if c.opts.Shoutouts == nil {
		c.renderError(w, r, http.StatusNotFound, "No shout-outs", "Shout-outs are not set up.")
		return
	}
	name, cats := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("categories")
	_, err := c.opts.Shoutouts.OpenRound(r.Context(), name, strings.Fields(cats), sessionOf(r).Who.UserID)
	var refused *shoutouts.RefusedError
	if errors.As(err, &refused) {
		c.showShoutouts(w, r, http.StatusUnprocessableEntity, shoutoutsData{Problem: refused.Msg, Name: name, Categories: cats})
		return
	}
	if err != nil {
		c.fail(w, r, "opening an awards round", err)
		return
	}
	done(w, r, "/admin/shoutouts", "opened")
}

func (c *Console) awardsClose(w http.ResponseWriter, r *http.Request) {
	if c.opts.Shoutouts == nil {
		c.renderError(w, r, http.StatusNotFound, "No shout-outs", "Shout-outs are not set up.")
		return
	}
	_, _, err := c.opts.Shoutouts.CloseRound(r.Context(), r.PostFormValue("name"), sessionOf(r).Who.UserID)
	var refused *shoutouts.RefusedError
	if errors.As(err, &refused) {
		c.showShoutouts(w, r, http.StatusUnprocessableEntity, shoutoutsData{Problem: refused.Msg})
		return
	}
	if err != nil {
		c.fail(w, r, "closing an awards round", err)
		return
	}
	done(w, r, "/admin/shoutouts", "closed")
}

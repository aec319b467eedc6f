package main

import (
	"context"
	"strconv"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/web"
)

// meetupCalendar shows the meetups service on the community page.
type meetupCalendar struct{ svc *meetups.Service }

func (c meetupCalendar) UpcomingMeetups(ctx context.Context) ([]web.MeetupView, error) {
	ms, err := c.svc.Upcoming(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.MeetupView, 0, len(ms))
	for _, m := range ms {
		out = append(out, web.MeetupView{
			ID: strconv.FormatInt(m.ID, 10), UID: m.UID, Title: m.Title, StartsAt: m.StartsAt,
			TimeZone: m.TimeZone, Venue: m.Venue, OnlineURL: m.OnlineURL, Hashtag: m.Hashtag,
			Status: m.Status, Going: m.Going,
		})
	}
	return out, nil
}

func (c meetupCalendar) ICS(ctx context.Context) ([]byte, error) { return c.svc.ICS(ctx) }

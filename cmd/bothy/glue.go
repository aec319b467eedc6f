package main

import (
	"context"
	"strconv"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/shoutouts"
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

// upcomingForDigest lists scheduled meetups starting before until, one line
// each, for the weekly digest.
func upcomingForDigest(ctx context.Context, svc *meetups.Service, until time.Time) ([]string, error) {
	ms, err := svc.Scheduled(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if m.StartsAt.After(until) {
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

// shoutoutWall shows recent shout-outs on the community page; the service
// already leaves out retracted ones and shows erased members as erased.
type shoutoutWall struct{ svc *shoutouts.Service }

func (w shoutoutWall) RecentShoutouts(ctx context.Context, limit int) ([]web.ShoutoutView, error) {
	ss, err := w.svc.Recent(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]web.ShoutoutView, 0, len(ss))
	for _, s := range ss {
		out = append(out, web.ShoutoutView{
			RecipientName: s.RecipientName, GiverName: s.GiverName, Reason: s.Reason,
			Category: s.Category, CreatedAt: s.CreatedAt,
		})
	}
	return out, nil
}

func init() {
	registerPrivacy(func(app *App) privacy.Provider { return meetups.PrivacyProvider(app.DB) })
}

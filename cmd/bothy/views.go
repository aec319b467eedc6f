package main

// Converters between features and their consumers: the community page's
// view types, the digest's lines and the knowledge base's writer.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/bot/web"
	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/llm"
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

func (c meetupCalendar) MeetupICS(ctx context.Context, id string) ([]byte, error) {
	return c.svc.MeetupICS(ctx, id)
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

// knowledgeSearch answers the community page's search box the way chat
// answers a question; web searches are not recorded as questions, and
// call no language or embeddings model unless llm.web says they may (the
// page is open to anyone).
type knowledgeSearch struct {
	base   *knowledge.Base
	models bool
}

func (s knowledgeSearch) Search(ctx context.Context, q string) (web.AnswerView, error) {
	ans, err := s.base.Ask(ctx, knowledge.Question{Text: q, Platform: "web", NoModel: !s.models})
	if err != nil {
		return web.AnswerView{}, err
	}
	view := web.AnswerView{Text: ans.Text, Confident: ans.Confident}
	for _, h := range ans.Sources {
		// The page shows the document itself, at the section quoted.
		link := "/kb/" + url.PathEscape(h.ID)
		if anchor := ans.AnchorFor(h.ID); anchor != "" {
			link += "#" + anchor
		}
		view.Sources = append(view.Sources, web.SourceView{ID: h.ID, Title: h.Title, Kind: h.Kind, URL: link, Updated: h.Updated})
	}
	return view, nil
}

// docLines lists new knowledge documents for the shout-outs digest
// (shoutouts.DocLister), one line each: title and kind.
type docLines struct{ base *knowledge.Base }

func (d docLines) DocumentsSince(ctx context.Context, since time.Time) ([]string, error) {
	docs, err := d.base.RecentDocuments(ctx, since)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(docs))
	for _, doc := range docs {
		out = append(out, doc.Title+" ("+doc.Kind+")")
	}
	return out, nil
}

// knowledgeLibrary serves the knowledge base's documents to the page.
type knowledgeLibrary struct{ base *knowledge.Base }

func (l knowledgeLibrary) Document(ctx context.Context, id string) (web.DocumentView, bool, error) {
	d, err := l.base.Document(ctx, id)
	if errors.Is(err, knowledge.ErrNotFound) {
		return web.DocumentView{}, false, nil
	}
	if err != nil {
		return web.DocumentView{}, false, err
	}
	v := web.DocumentView{ID: d.ID, Title: d.Title, Kind: d.Kind, Organisation: d.Organisation, URL: d.URL, Updated: d.Updated, Tags: d.Tags}
	for _, s := range d.Sections {
		v.Sections = append(v.Sections, web.SectionView{Anchor: s.Anchor, Heading: s.Heading, Level: s.Level, Text: s.Text})
	}
	return v, true, nil
}

// llmWriter is the language model as the knowledge base's Writer.
type llmWriter struct{ c *llm.Client }

func (w llmWriter) Answer(ctx context.Context, question string, sources []knowledge.Source, onDelta func(string)) (string, error) {
	ps := make([]llm.Passage, len(sources))
	for i, s := range sources {
		ps[i] = llm.Passage{N: s.N, Title: s.Title, Text: s.Text}
	}
	text, err := w.c.Answer(ctx, question, ps, onDelta)
	if errors.Is(err, llm.ErrNotCovered) {
		// The knowledge base abstains on this one; it does not know llm's errors.
		return "", fmt.Errorf("%w (%w)", knowledge.ErrNotCovered, err)
	}
	return text, err
}

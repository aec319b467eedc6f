package main

import (
	"context"
	"strconv"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/privacy"
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

func init() {
	registerPrivacy(func(app *App) privacy.Provider { return knowledge.PrivacyProvider(app.DB) })
}

// knowledgeOptions builds the knowledge base options from configuration,
// including the language model when an endpoint is configured. Without
// one, answers are extractive and nothing leaves the machine.
func knowledgeOptions(app *App) knowledge.Options {
	cfg := app.Config
	opts := knowledge.Options{
		Logger: app.Log, Clock: app.Clock,
		Dirs: cfg.Knowledge.Dirs, MinConfidence: cfg.Knowledge.MinConfidence,
	}
	if cfg.LLM.BaseURL == "" {
		return opts
	}
	client := llm.New(llm.Config{
		BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model,
		EmbeddingsModel: cfg.LLM.EmbeddingsModel, Timeout: cfg.LLM.Timeout,
	}, app.Log)
	if cfg.LLM.Model != "" {
		opts.Writer = llmWriter{client}
		opts.WriterTimeout = cfg.LLM.Timeout
	}
	if client.CanEmbed() {
		opts.Embedder = client
		opts.EmbedModel = cfg.LLM.EmbeddingsModel
	}
	return opts
}

// llmWriter adapts the LLM client to the knowledge base's Writer.
type llmWriter struct{ c *llm.Client }

func (w llmWriter) Answer(ctx context.Context, question string, sources []knowledge.Source, onDelta func(string)) (string, error) {
	srcs := make([]llm.Source, len(sources))
	for i, s := range sources {
		srcs[i] = llm.Source{N: s.N, Title: s.Title, Text: s.Text}
	}
	return w.c.Answer(ctx, question, srcs, onDelta)
}

// knowledgeSearch answers the community page's search box the way chat
// answers a question; web searches are not recorded as questions.
type knowledgeSearch struct{ base *knowledge.Base }

func (s knowledgeSearch) Search(ctx context.Context, q string) (web.AnswerView, error) {
	ans, err := s.base.Ask(ctx, knowledge.Question{Text: q, Platform: "web"})
	if err != nil {
		return web.AnswerView{}, err
	}
	view := web.AnswerView{Text: ans.Text, Confident: ans.Confident}
	for _, h := range ans.Sources {
		view.Sources = append(view.Sources, web.SourceView{ID: h.ID, Title: h.Title, Kind: h.Kind, URL: h.URL, Updated: h.Updated, Score: h.Score})
	}
	return view, nil
}

// newDocumentsForDigest lists knowledge documents added or changed since a
// time, one line each, for the weekly digest.
func newDocumentsForDigest(base *knowledge.Base) func(context.Context, time.Time) ([]string, error) {
	return func(ctx context.Context, since time.Time) ([]string, error) {
		docs, err := base.RecentDocuments(ctx, since)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, len(docs))
		for _, d := range docs {
			out = append(out, d.Title+" ("+d.Kind+")")
		}
		return out, nil
	}
}

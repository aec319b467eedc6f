package web

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// The page's features are small interfaces; these in-test implementations
// hold the kind of data a real community would have.

var london = mustZone("Europe/London")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// testNow is a Tuesday afternoon in March.
var testNow = time.Date(2026, 3, 10, 14, 0, 0, 0, london)

type calendar struct {
	meetups []MeetupView
	err     error
}

func (c *calendar) UpcomingMeetups(ctx context.Context) ([]MeetupView, error) {
	return c.meetups, c.err
}

func (c *calendar) ICS(ctx context.Context) ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bothy test//EN\r\n")
	for _, m := range c.meetups {
		b.WriteString("BEGIN:VEVENT\r\nUID:" + m.UID + "\r\nSUMMARY:" + m.Title + "\r\nDTSTART:" + m.StartsAt.UTC().Format("20060102T150405Z") + "\r\nEND:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String()), nil
}

// MeetupICS stands in for the meetups feature's renderer: a file that
// says which meetup it was asked for.
func (c *calendar) MeetupICS(ctx context.Context, id string) ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	for _, m := range c.meetups {
		if m.ID == id {
			return []byte("BEGIN:VCALENDAR\r\nX-FROM-FEATURE:" + id + "\r\nEND:VCALENDAR\r\n"), nil
		}
	}
	return nil, nil
}

func sampleMeetups() []MeetupView {
	return []MeetupView{
		{
			ID: "12", UID: "meetup-12@bothy.example", Title: "Plain English clinic",
			StartsAt: time.Date(2026, 3, 19, 12, 30, 0, 0, london),
			TimeZone: "Europe/London", OnlineURL: "https://meet.example.scot/plain-english",
			Hashtag: "PlainEnglishClinic", Status: "scheduled", Going: 14,
		},
		{
			ID: "13", Title: "Crisis comms roundtable: winter resilience",
			StartsAt: time.Date(2026, 4, 2, 17, 0, 0, 0, time.UTC),
			TimeZone: "Europe/London", Venue: "Dundee Central Library, Wellgate",
			Hashtag: "#CommsCrisisScot", Status: "scheduled", Going: 6,
		},
		{
			ID: "14", Title: "Social media analytics show and tell",
			StartsAt: time.Date(2026, 4, 16, 10, 0, 0, 0, london),
			TimeZone: "Europe/London", Venue: "Perth Concert Hall, Mill Street",
			Status: "cancelled", Going: 3,
		},
	}
}

type wall struct {
	items []ShoutoutView
	err   error
	limit int
}

func (w *wall) RecentShoutouts(ctx context.Context, limit int) ([]ShoutoutView, error) {
	w.limit = limit
	if len(w.items) > limit {
		return w.items[:limit], w.err
	}
	return w.items, w.err
}

func sampleShoutouts() []ShoutoutView {
	return []ShoutoutView{
		{RecipientName: "Aileen Campbell", GiverName: "Ravi Patel", Reason: "turned the flood warning copy round in an hour and made it readable for everyone", Category: "crisis", CreatedAt: time.Date(2026, 3, 9, 16, 5, 0, 0, london)},
		{RecipientName: "Morag Fraser", GiverName: "Jo Lindsay", Reason: "shared her alt text checklist with the whole network", Category: "accessibility", CreatedAt: time.Date(2026, 3, 6, 11, 20, 0, 0, london)},
		{RecipientName: "Tomasz Nowak", GiverName: "Aileen Campbell", Reason: "ran a brilliant <b>Gaelic</b> & Scots translation session", CreatedAt: time.Date(2026, 3, 2, 9, 45, 0, 0, london)},
	}
}

type searcher struct {
	mu      sync.Mutex
	queries []string
	err     error
	// block, when set, holds Search until it is closed (shutdown test).
	block   chan struct{}
	entered chan struct{}
}

func (s *searcher) Search(ctx context.Context, q string) (AnswerView, error) {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	if s.entered != nil {
		close(s.entered)
	}
	if s.block != nil {
		<-s.block
	}
	if s.err != nil {
		return AnswerView{}, s.err
	}
	if strings.Contains(strings.ToLower(q), "alt text") {
		return AnswerView{
			Text:      "Write alt text that says what the image shows and why it matters, in one or two sentences [1].\n\nDo not start with \"image of\"; screen readers already say it is an image [2].",
			Confident: true,
			Sources: []SourceView{
				{ID: "accessible-social-media", Title: "Accessible social media posts", Kind: "guide", URL: "https://kb.example.scot/accessible-social-media", Updated: "2026-02-11"},
				{ID: "alt-text-checklist", Title: "Alt text checklist", Kind: "checklist", Updated: "2025-11-30"},
			},
		}, nil
	}
	if strings.Contains(strings.ToLower(q), "evening meetups") {
		return AnswerView{
			Text:      "From **Running evening meetups**:\nBook the room a month ahead.\n\n- Ask about step-free access.\n- See [the booking form](https://evil.example/login).\n\n<script>alert(1)</script>",
			Confident: true,
			Sources:   []SourceView{{ID: "running-meetups", Title: "Running evening meetups", Kind: "guidance"}},
		}, nil
	}
	return AnswerView{Text: "I don't know that one yet. Try asking in the channel, or an organiser can add it to the knowledge base.", Confident: false}, nil
}

// adapter is a chat adapter that reports its connection.
type adapter struct {
	name string
	mu   sync.Mutex
	up   bool
}

func (a *adapter) Name() string { return a.name }
func (a *adapter) Run(ctx context.Context, events chan<- bot.Event) error {
	<-ctx.Done()
	return nil
}
func (a *adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	return bot.MessageRef{}, errors.New("not used")
}
func (a *adapter) Connected() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.up
}
func (a *adapter) set(up bool) {
	a.mu.Lock()
	a.up = up
	a.mu.Unlock()
}

var _ bot.HealthReporter = (*adapter)(nil)

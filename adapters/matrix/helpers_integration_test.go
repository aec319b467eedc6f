//go:build integration

package matrix_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix"
	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/internal/testenv"
)

const wait = 30 * time.Second

// calls counts how often each command ran per triggering message, so a
// duplicate reply or a replayed message shows up as a count above one.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(id string) {
	c.mu.Lock()
	c.n[id]++
	c.mu.Unlock()
}

func (c *calls) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

func (c *calls) all() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// testBot is the bot core with the Matrix adapter and a few commands
// registered by the test: echo, a fake ask that cites sources, and whoami.
type testBot struct {
	Bot       *bot.Bot
	Adapter   *matrix.Adapter
	DB        *store.DB
	Calls     *calls
	Reactions chan bot.Reaction
	Actions   chan bot.Action
	stop      context.CancelFunc
	done      chan error
}

type botConfig struct {
	dbPath     string
	encryption bool
	catchup    time.Duration
	log        *testenv.Buffer
	// admin receives the one-time recovery key message.
	admin *testenv.Buffer
	// noCrossSigning leaves the bot's device unverified.
	noCrossSigning bool
}

func startBot(t *testing.T, f *dendritetest.Fixture, cfg botConfig, c *calls) *testBot {
	t.Helper()
	log := slog.New(slog.NewTextHandler(cfg.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	admin := cfg.admin
	if admin == nil {
		admin = &testenv.Buffer{}
	}
	db, err := store.Open(context.Background(), cfg.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	ad, err := matrix.New(matrix.Options{
		Homeserver: f.Server.URL,
		// The localpart alone, as BOTHY_MATRIX_USER allows.
		User:     f.Bot.Localpart,
		Password: f.Bot.Password,
		// The organiser and member may invite the bot; anyone else is
		// declined.
		AllowInvites:   []string{string(f.Organiser.ID), string(f.Member.ID)},
		OrganiserPower: 50,
		// Power in the plain room (the organiser made it) makes organisers.
		OrganiserRooms: []string{string(f.Plain)},
		Catchup:        cfg.catchup,
		Encryption:     cfg.encryption,
		ButtonActions:  true,
		NoCrossSigning: cfg.noCrossSigning,
		AdminOut:       admin,
		MaxBackoff:     2 * time.Second,
		DB:             db,
		Logger:         log,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{Logger: log, DefaultCommand: "ask"})
	b.AddAdapter(ad)
	b.Register(&bot.Command{
		Name: "echo", Usage: "TEXT", Summary: "say TEXT back",
		Run: func(ctx context.Context, req *bot.Request) error {
			c.add(req.Msg.ID)
			return req.Reply(ctx, bot.Reply{Text: "echo: " + req.Args})
		},
	})
	b.Register(&bot.Command{
		Name: "ask", Usage: "QUESTION", Summary: "answer from the knowledge base",
		Run: func(ctx context.Context, req *bot.Request) error {
			c.add(req.Msg.ID)
			return req.Reply(ctx, bot.Reply{
				Text: "**Short answer** to _" + req.Args + "_",
				Sources: []bot.Source{
					{N: 1, ID: "kb/bothies", Title: "What is a bothy", Kind: "guide", URL: "https://example.org/bothies", Updated: "2026-01-02"},
					{N: 2, ID: "kb/etiquette", Title: "Bothy code"},
				},
				Buttons: []bot.Button{
					{ActionID: "ask.feedback", Label: "Helpful", Value: "up"},
					{ActionID: "ask.feedback", Label: "Not helpful", Value: "down"},
				},
			})
		},
	})
	b.Register(&bot.Command{
		Name: "whoami", Summary: "say whether you are an organiser",
		Run: func(ctx context.Context, req *bot.Request) error {
			role := "member"
			if req.IsOrganiser(ctx) {
				role = "organiser"
			}
			return req.Reply(ctx, bot.Reply{Text: "you are " + role})
		},
	})
	tb := &testBot{Bot: b, Adapter: ad, DB: db, Calls: c, Reactions: make(chan bot.Reaction, 32), Actions: make(chan bot.Action, 32), done: make(chan error, 1)}
	b.OnReaction(func(ctx context.Context, r bot.Reaction, _ bot.Adapter) error {
		tb.Reactions <- r
		return nil
	})
	b.HandleAction("ask.feedback", func(ctx context.Context, a bot.Action, _ bot.Adapter) error {
		tb.Actions <- a
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	tb.stop = cancel
	go func() { tb.done <- b.Run(ctx) }()
	t.Cleanup(tb.Stop)
	return tb
}

// Stop stops the bot and closes its database.
func (b *testBot) Stop() {
	if b.stop == nil {
		return
	}
	b.stop()
	<-b.done
	b.stop = nil
	b.DB.Close()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, wait, what, cond)
}

func joined(t *testing.T, f *dendritetest.Fixture, room id.RoomID) bool {
	cli := f.Server.Client(t, f.Bot)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.JoinedRooms(ctx)
	return err == nil && slices.Contains(resp.JoinedRooms, room)
}

// replyTo matches the bot's messages that answer q, as a quoted reply or
// in q's thread.
func replyTo(botID id.UserID, q id.EventID) func(*event.Event) bool {
	return func(e *event.Event) bool {
		m := dendritetest.Message(e)
		return e.Sender == botID && m != nil && m.RelatesTo.GetReplyTo() == q
	}
}

func hasText(s string) func(*event.Event) bool {
	return func(e *event.Event) bool { return strings.Contains(dendritetest.Body(e), s) }
}

func and(ps ...func(*event.Event) bool) func(*event.Event) bool {
	return func(e *event.Event) bool {
		for _, p := range ps {
			if !p(e) {
				return false
			}
		}
		return true
	}
}

func dbPath(t *testing.T) string { return filepath.Join(t.TempDir(), "bothy.db") }

func recvReaction(t *testing.T, ch <-chan bot.Reaction) bot.Reaction {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(wait):
		t.Fatal("no reaction reached the bot")
	}
	return bot.Reaction{}
}

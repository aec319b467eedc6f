package shoutouts

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/store"
)

// sent is one message an adapter was asked to post.
type sent struct {
	To     bot.Target
	Reply  bot.Reply
	Direct string // user ID for direct messages
}

// recAdapter records what the bot sends. It writes and resolves
// Slack-style mentions ("<@U123>") through a name table, like the Slack
// adapter, and has threads. It cannot send direct messages; dmAdapter can.
type recAdapter struct {
	name  string
	mu    sync.Mutex
	out   []sent
	names map[string]string
	// failSends makes the next n room sends fail.
	failSends int
	seq       int
}

var (
	_ bot.Adapter         = (*recAdapter)(nil)
	_ bot.UserResolver    = (*recAdapter)(nil)
	_ bot.Threader        = (*recAdapter)(nil)
	_ bot.Mentioner       = (*recAdapter)(nil)
	_ bot.DirectMessenger = (*dmAdapter)(nil)
)

func (a *recAdapter) Name() string { return a.name }
func (a *recAdapter) Run(ctx context.Context, events chan<- bot.Event) error {
	<-ctx.Done()
	return nil
}
func (a *recAdapter) Threads() bool { return true }

func (a *recAdapter) Mention(userID string) string { return "<@" + userID + ">" }
func (a *recAdapter) IsMention(word string) bool   { return strings.HasPrefix(word, "<@") }

func (a *recAdapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failSends > 0 {
		a.failSends--
		return bot.MessageRef{}, errors.New("network down")
	}
	a.seq++
	a.out = append(a.out, sent{To: to, Reply: r})
	return bot.MessageRef{Platform: a.name, RoomID: to.RoomID, ID: fmt.Sprint(a.seq)}, nil
}

func (a *recAdapter) ResolveUser(ctx context.Context, mention string) (bot.User, error) {
	id := mention
	if strings.HasPrefix(id, "<@") && strings.HasSuffix(id, ">") {
		id = strings.TrimSuffix(strings.TrimPrefix(id, "<@"), ">")
		id, _, _ = strings.Cut(id, "|")
	} else {
		id = strings.TrimPrefix(id, "@")
	}
	if id == "" || strings.HasPrefix(id, "nobody") {
		return bot.User{}, errors.New("no such user")
	}
	name := a.names[id]
	if name == "" {
		name = id
	}
	return bot.User{ID: id, Name: name}, nil
}

// take returns and forgets what was sent so far.
func (a *recAdapter) take() []sent {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.out
	a.out = nil
	return out
}

type dmAdapter struct{ *recAdapter }

func (a *dmAdapter) SendDirect(ctx context.Context, userID string, r bot.Reply) (bot.MessageRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.out = append(a.out, sent{To: bot.Target{UserID: userID}, Reply: r, Direct: userID})
	return bot.MessageRef{Platform: a.name, ID: "dm"}, nil
}

// env is a bot with the shout-outs commands on a real SQLite file.
type env struct {
	t     *testing.T
	db    *store.DB
	clock *bottest.Clock
	bot   *bot.Bot
	ad    *recAdapter
	svc   *Service
	seq   int
}

var names = map[string]string{"UALICE": "Alice", "UBOB": "Bob", "UCAROL": "Carol", "UDAVE": "Dave", "UORG": "Olive"}

// start is a Wednesday in Europe/London (GMT).
var start = time.Date(2026, time.March, 11, 10, 0, 0, 0, time.UTC)

func london(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newEnv builds the environment; withDM chooses an adapter that can send
// direct messages. change adjusts the service options.
func newEnv(t *testing.T, withDM bool, change func(*Options)) *env {
	t.Helper()
	e := &env{t: t, clock: bottest.NewClock(start)}
	e.db = bottest.OpenDBAt(t, filepath.Join(t.TempDir(), "bothy.db"))
	e.ad = &recAdapter{name: "slack", names: names}
	var ad bot.Adapter = e.ad
	if withDM {
		ad = &dmAdapter{e.ad}
	}
	e.bot = bot.New(bot.Options{Organisers: []string{"UORG"}})
	e.bot.AddAdapter(ad)
	opts := Options{DB: e.db, Sender: e.bot, Clock: e.clock, Location: london(t), DailyQuota: 5}
	if change != nil {
		change(&opts)
	}
	svc, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	svc.Register(e.bot)
	return e
}

// say delivers a room message from user and returns everything sent.
func (e *env) say(user, text string) []sent {
	e.t.Helper()
	return e.send(user, text, false)
}

func (e *env) send(user, text string, direct bool) []sent {
	e.seq++
	e.bot.Handle(context.Background(), bot.Message{
		Platform: "slack", ID: fmt.Sprintf("m%d", e.seq), UserID: user, UserName: names[user],
		RoomID: "C1", Text: "!" + text, Direct: direct, Time: e.clock.Now(),
	})
	return e.ad.take()
}

// replyText is the first reply in the room (not a direct message).
func replyText(out []sent) string {
	for _, s := range out {
		if s.Direct == "" {
			return s.Reply.Text
		}
	}
	return ""
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

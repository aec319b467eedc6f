package shoutouts

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/store"
)

// newPlatform is an in-memory platform that, like Slack, has threads and
// writes mentions as "<@ID>", resolving them through the names table. It
// sends direct messages; bottest.RoomsOnly makes one that cannot.
func newPlatform(name string) *bottest.Adapter {
	a := bottest.New(name)
	a.Threaded = true
	a.MentionMarkup = [2]string{"<@", ">"}
	a.Resolve = resolveName
	return a
}

// resolveName reads "<@U123>" (or "<@U123|label>") and "@name" as the
// user's ID, named from the names table; "@nobody" is no one.
func resolveName(mention string) (bot.User, error) {
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
	name := names[id]
	if name == "" {
		name = id
	}
	return bot.User{ID: id, Name: name}, nil
}

// dmTo is the user a direct message went to, or "" for a room message.
func dmTo(s bottest.Sent) string {
	if s.Direct {
		return s.Target.UserID
	}
	return ""
}

// env is a bot with the shout-outs commands on a real SQLite file.
type env struct {
	t     *testing.T
	db    *store.DB
	clock *bottest.Clock
	bot   *bot.Bot
	ad    *bottest.Adapter
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
	e.ad = newPlatform("slack")
	var ad bot.Adapter = e.ad
	if !withDM {
		ad = bottest.RoomsOnly(e.ad)
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
func (e *env) say(user, text string) []bottest.Sent {
	e.t.Helper()
	return e.send(user, text, false)
}

func (e *env) send(user, text string, direct bool) []bottest.Sent {
	e.seq++
	e.bot.Handle(context.Background(), bot.Message{
		Platform: "slack", ID: fmt.Sprintf("m%d", e.seq), UserID: user, UserName: names[user],
		RoomID: "C1", Text: "!" + text, Direct: direct, Time: e.clock.Now(),
	})
	return e.ad.Take()
}

// replyText is the first reply in the room (not a direct message).
func replyText(out []bottest.Sent) string {
	for _, s := range out {
		if !s.Direct {
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

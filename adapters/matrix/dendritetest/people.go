package dendritetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// User is a registered account.
type User struct {
	ID        id.UserID
	Localpart string
	// Password is 8+ characters, as Dendrite wants.
	Password string
	// Token and DeviceID are the session registration created.
	Token    string
	DeviceID id.DeviceID
}

// Register creates an account through the registration API.
func (s *Server) Register(tb testing.TB, localpart string) *User {
	tb.Helper()
	cli, err := mautrix.NewClient(s.URL, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	pw := "pw-" + localpart + "-not-secret"
	resp, err := cli.RegisterDummy(ctx(tb), &mautrix.ReqRegister[any]{
		Username: localpart, Password: pw, InitialDeviceDisplayName: "dendritetest",
	})
	if err != nil {
		tb.Fatalf("dendritetest: register %s: %v", localpart, err)
	}
	return &User{ID: resp.UserID, Localpart: localpart, Password: pw, Token: resp.AccessToken, DeviceID: resp.DeviceID}
}

// Client returns a mautrix client logged in as the user's registration
// session (not syncing).
func (s *Server) Client(tb testing.TB, u *User) *mautrix.Client {
	tb.Helper()
	cli, err := mautrix.NewClient(s.URL, u.ID, u.Token)
	if err != nil {
		tb.Fatal(err)
	}
	cli.DeviceID = u.DeviceID
	return cli
}

// Person is a user driving the bot through a syncing mautrix client. It
// records every message and reaction it sees (decrypted ones too, when a
// test sets up crypto on Client before Start) and joins rooms it is
// invited to.
type Person struct {
	User   *User
	Client *mautrix.Client
	Syncer *mautrix.DefaultSyncer

	tb     testing.TB
	mu     sync.Mutex
	seen   map[id.EventID]bool
	events []*event.Event
	cancel context.CancelFunc
	done   chan struct{}
}

// NewPerson prepares a client for u with an in-memory state store. Call
// Start to begin syncing.
func (s *Server) NewPerson(tb testing.TB, u *User) *Person {
	tb.Helper()
	cli := s.Client(tb, u)
	syncer := mautrix.NewDefaultSyncer()
	cli.Syncer = syncer
	cli.StateStore = mautrix.NewMemoryStateStore()
	p := &Person{User: u, Client: cli, Syncer: syncer, tb: tb, seen: map[id.EventID]bool{}}
	syncer.OnEvent(cli.StateStoreSyncHandler)
	syncer.OnEvent(p.record)
	syncer.OnEventType(event.StateMember, func(ctx context.Context, evt *event.Event) {
		if evt.GetStateKey() == string(u.ID) && evt.Content.AsMember().Membership == event.MembershipInvite {
			_, _ = cli.JoinRoomByID(ctx, evt.RoomID)
		}
	})
	return p
}

func (p *Person) record(_ context.Context, evt *event.Event) {
	if evt.Type.Class != event.MessageEventType || evt.Type == event.EventEncrypted {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen[evt.ID] {
		return
	}
	p.seen[evt.ID] = true
	p.events = append(p.events, evt)
}

// Start syncs in the background until the test ends.
func (p *Person) Start() {
	c, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		for c.Err() == nil {
			if err := p.Client.SyncWithContext(c); err != nil && c.Err() == nil {
				time.Sleep(500 * time.Millisecond)
			}
		}
	}()
	p.tb.Cleanup(p.Stop)
}

// Stop ends syncing.
func (p *Person) Stop() {
	if p.cancel != nil {
		p.cancel()
		p.Client.StopSync()
		<-p.done
		p.cancel = nil
	}
}

// Events returns the recorded events matching pred, oldest first.
func (p *Person) Events(pred func(*event.Event) bool) []*event.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*event.Event
	for _, e := range p.events {
		if pred == nil || pred(e) {
			out = append(out, e)
		}
	}
	return out
}

// WaitFor waits until an event matching pred arrives and returns it.
func (p *Person) WaitFor(tb testing.TB, timeout time.Duration, what string, pred func(*event.Event) bool) *event.Event {
	tb.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	lastBackfill := start
	for {
		if got := p.Events(pred); len(got) > 0 {
			return got[0]
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not see %s within %s; saw:\n%s", p.User.ID, what, timeout, p.describe())
		}
		// Dendrite can skip an event in sync after a restart (one it
		// accepted just before and stored when it replayed its queue), so,
		// as a client reopening a room would, read the rooms' history too.
		if time.Since(lastBackfill) > 2*time.Second {
			p.Backfill()
			lastBackfill = time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Backfill records the latest messages of every joined room that sync
// did not deliver.
func (p *Person) Backfill() {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rooms, err := p.Client.JoinedRooms(c)
	if err != nil {
		return
	}
	for _, room := range rooms.JoinedRooms {
		resp, err := p.Client.Messages(c, room, "", "", mautrix.DirectionBackward, nil, 30)
		if err != nil {
			continue
		}
		for _, evt := range resp.Chunk {
			evt.RoomID = room
			if err := evt.Content.ParseRaw(evt.Type); err != nil && !errors.Is(err, event.ErrContentAlreadyParsed) {
				continue
			}
			p.record(c, evt)
		}
	}
}

func (p *Person) describe() string {
	var b strings.Builder
	for _, e := range p.Events(nil) {
		fmt.Fprintf(&b, "  %s %s %s: %q\n", e.RoomID, e.Sender, e.Type.Type, body(e))
	}
	return b.String()
}

func body(e *event.Event) string {
	if m, ok := e.Content.Parsed.(*event.MessageEventContent); ok {
		return m.Body
	}
	if r, ok := e.Content.Parsed.(*event.ReactionEventContent); ok {
		return r.RelatesTo.Key
	}
	return ""
}

// Say sends a plain text message and returns its event ID.
func (p *Person) Say(tb testing.TB, room id.RoomID, text string) id.EventID {
	tb.Helper()
	return p.Send(tb, room, &event.MessageEventContent{MsgType: event.MsgText, Body: text})
}

// Send sends a message content (encrypted when the room is and the client
// has crypto) and returns its event ID.
func (p *Person) Send(tb testing.TB, room id.RoomID, content *event.MessageEventContent) id.EventID {
	tb.Helper()
	var resp *mautrix.RespSendEvent
	var err error
	// The homeserver may be restarting in a test; try for a while.
	for range 40 {
		resp, err = p.Client.SendMessageEvent(ctx(tb), room, event.EventMessage, content)
		var he mautrix.HTTPError
		if err == nil || !errors.As(err, &he) || he.RespError != nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("%s: send to %s: %v", p.User.ID, room, err)
	}
	return resp.EventID
}

// React adds a reaction to an event.
func (p *Person) React(tb testing.TB, room id.RoomID, target id.EventID, key string) id.EventID {
	tb.Helper()
	resp, err := p.Client.SendReaction(ctx(tb), room, target, key)
	if err != nil {
		tb.Fatalf("%s: react: %v", p.User.ID, err)
	}
	return resp.EventID
}

// Body is the plain body of a message event ("" for others).
func Body(e *event.Event) string { return body(e) }

// Message returns the parsed message content, or nil.
func Message(e *event.Event) *event.MessageEventContent {
	m, _ := e.Content.Parsed.(*event.MessageEventContent)
	return m
}

// Package bottest provides an in-memory chat adapter for tests and
// benchmarks of the bot core and its features: events go in through Say,
// replies are recorded for assertions.
package bottest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.DirectMessenger = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
	_ bot.Editor          = (*Adapter)(nil)
	_ bot.Threader        = (*Adapter)(nil)
	_ bot.Mentioner       = (*Adapter)(nil)
	_ bot.UserResolver    = (*Adapter)(nil)
)

// Sent is one message the bot sent through the adapter.
type Sent struct {
	Ref    bot.MessageRef
	Target bot.Target
	Reply  bot.Reply
	// Direct is true for SendDirect; Target.UserID then holds the user.
	Direct bool
	// At is when it was sent, by the adapter's Now.
	At time.Time
}

// ErrSendFailed is what a send returns while FailSends is in force.
var ErrSendFailed = errors.New("bottest: platform unavailable")

// Adapter is an in-memory platform named by Name (default "test").
//
// The other exported fields model a platform's habits for the features
// that depend on them; set them before the adapter is used. Left at zero,
// each behaves as the core does for a platform without that ability.
type Adapter struct {
	PlatformName string
	// Threaded puts replies to a room message in its thread (bot.Threader).
	Threaded bool
	// MentionMarkup is the platform's mention syntax around a user ID,
	// such as {"<@", ">"}: Mention writes it and IsMention recognises it.
	// Unset, a mention is "@" and the ID.
	MentionMarkup [2]string
	// Resolve turns a mention as typed into a user (bot.UserResolver); nil
	// takes the mention as both ID and name.
	Resolve func(mention string) (bot.User, error)
	// IdempotentKeys makes a send that repeats an earlier Reply.Key return
	// the first message's reference and record nothing, as a Matrix
	// homeserver does with transaction IDs.
	IdempotentKeys bool
	// Now stamps Sent.At (a test's clock); nil is time.Now.
	Now func() time.Time

	in        chan bot.Event
	mu        sync.Mutex
	sent      []Sent
	reactions []string
	edits     []bot.Reply
	seq       int
	attempts  int
	failSends int
	byKey     map[string]bot.MessageRef
	notify    chan struct{}
	closeOnce sync.Once
}

// New returns an adapter with the given platform name.
func New(name string) *Adapter {
	if name == "" {
		name = "test"
	}
	return &Adapter{PlatformName: name, in: make(chan bot.Event, 1024), notify: make(chan struct{}, 1)}
}

// Name returns the platform name.
func (a *Adapter) Name() string { return a.PlatformName }

// Run forwards injected events until ctx ends or End is called.
func (a *Adapter) Run(ctx context.Context, events chan<- bot.Event) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-a.in:
			if !ok {
				return nil
			}
			select {
			case events <- ev:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// Inject queues an event for Run to deliver.
func (a *Adapter) Inject(ev bot.Event) { a.in <- ev }

// End closes the input, so Run returns once queued events are delivered.
func (a *Adapter) End() { a.closeOnce.Do(func() { close(a.in) }) }

// Message builds a direct message from user with the given text.
func (a *Adapter) Message(user, text string) bot.Message {
	return bot.Message{
		Platform: a.PlatformName, ID: a.nextID("m"), UserID: user, UserName: user,
		RoomID: "dm-" + user, Text: text, Direct: true, Time: time.Now(),
	}
}

// RoomMessage builds a message in a room.
func (a *Adapter) RoomMessage(room, user, text string, mentioned bool) bot.Message {
	return bot.Message{
		Platform: a.PlatformName, ID: a.nextID("m"), UserID: user, UserName: user,
		RoomID: room, Text: text, Mentioned: mentioned, Time: time.Now(),
	}
}

func (a *Adapter) nextID(prefix string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	return prefix + strconv.Itoa(a.seq)
}

// Send records a reply.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	return a.record(Sent{Target: to, Reply: r})
}

// SendDirect records a direct message.
func (a *Adapter) SendDirect(ctx context.Context, userID string, r bot.Reply) (bot.MessageRef, error) {
	return a.record(Sent{Target: bot.Target{UserID: userID}, Reply: r, Direct: true})
}

// Threads reports Threaded.
func (a *Adapter) Threads() bool { return a.Threaded }

// Mention writes userID in MentionMarkup, or as "@" and the ID.
func (a *Adapter) Mention(userID string) string {
	if open := a.MentionMarkup[0]; open != "" {
		return open + userID + a.MentionMarkup[1]
	}
	if strings.HasPrefix(userID, "@") {
		return userID
	}
	return "@" + userID
}

// IsMention reports whether word opens with MentionMarkup (the core
// itself takes any "@word" as a mention).
func (a *Adapter) IsMention(word string) bool {
	open := a.MentionMarkup[0]
	return open != "" && strings.HasPrefix(word, open)
}

// ResolveUser asks Resolve, or takes the mention as the user.
func (a *Adapter) ResolveUser(ctx context.Context, mention string) (bot.User, error) {
	if a.Resolve == nil {
		return bot.User{ID: mention, Name: mention}, nil
	}
	return a.Resolve(mention)
}

// FailSends makes the next n sends, to rooms or direct, fail with
// ErrSendFailed, as a platform that is down would.
func (a *Adapter) FailSends(n int) {
	a.mu.Lock()
	a.failSends = n
	a.mu.Unlock()
}

// Attempts counts every send tried: recorded, failed or repeated.
func (a *Adapter) Attempts() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.attempts
}

// Edit records a change to a sent message (a streamed answer's updates).
func (a *Adapter) Edit(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	a.mu.Lock()
	a.edits = append(a.edits, r)
	a.mu.Unlock()
	return nil
}

// Edits returns every edit so far, oldest first.
func (a *Adapter) Edits() []bot.Reply {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]bot.Reply(nil), a.edits...)
}

// React records a reaction the bot added.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	a.mu.Lock()
	a.reactions = append(a.reactions, ref.ID+":"+emoji)
	a.mu.Unlock()
	return nil
}

func (a *Adapter) record(s Sent) (bot.MessageRef, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	at := now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.attempts++
	if a.failSends > 0 {
		a.failSends--
		return bot.MessageRef{}, ErrSendFailed
	}
	key := s.Reply.Key
	if ref, dup := a.byKey[key]; dup && a.IdempotentKeys && key != "" {
		return ref, nil
	}
	a.seq++
	room := s.Target.RoomID
	if room == "" {
		room = "dm-" + s.Target.UserID
	}
	s.Ref = bot.MessageRef{Platform: a.PlatformName, RoomID: room, ID: "s" + strconv.Itoa(a.seq)}
	s.At = at
	a.sent = append(a.sent, s)
	if a.IdempotentKeys && key != "" {
		if a.byKey == nil {
			a.byKey = map[string]bot.MessageRef{}
		}
		a.byKey[key] = s.Ref
	}
	select {
	case a.notify <- struct{}{}:
	default:
	}
	return s.Ref, nil
}

// Sent returns everything sent so far.
func (a *Adapter) Sent() []Sent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Sent(nil), a.sent...)
}

// Texts returns the plain text of everything sent so far.
func (a *Adapter) Texts() []string {
	var out []string
	for _, s := range a.Sent() {
		out = append(out, bot.PlainText(s.Reply))
	}
	return out
}

// Reset forgets what was sent.
func (a *Adapter) Reset() {
	a.mu.Lock()
	a.sent = nil
	a.mu.Unlock()
}

// Take returns what was sent since the last Take or Reset, and forgets it.
func (a *Adapter) Take() []Sent {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.sent
	a.sent = nil
	return out
}

// RoomsOnly is a as a platform that cannot open direct conversations:
// every ability of a but bot.DirectMessenger, recording into a.
func RoomsOnly(a *Adapter) bot.Adapter { return roomsOnly{Adapter: a} }

type roomsOnly struct {
	*Adapter
	// SendDirect, a field at this depth, hides the embedded method, so the
	// core finds no bot.DirectMessenger.
	SendDirect struct{}
}

// WaitSent waits until at least n messages were sent or the timeout passes,
// and returns what was sent.
func (a *Adapter) WaitSent(n int, timeout time.Duration) []Sent {
	deadline := time.After(timeout)
	for {
		if s := a.Sent(); len(s) >= n {
			return s
		}
		select {
		case <-a.notify:
		case <-deadline:
			return a.Sent()
		}
	}
}

// LastReply returns the last message sent, or an empty Reply.
func (a *Adapter) LastReply() bot.Reply {
	s := a.Sent()
	if len(s) == 0 {
		return bot.Reply{}
	}
	return s[len(s)-1].Reply
}

// Last returns the plain text of the last reply, or "".
func (a *Adapter) Last() string {
	t := a.Texts()
	if len(t) == 0 {
		return ""
	}
	return t[len(t)-1]
}

// Contains reports whether any reply contains sub.
func (a *Adapter) Contains(sub string) bool {
	for _, t := range a.Texts() {
		if strings.Contains(t, sub) {
			return true
		}
	}
	return false
}

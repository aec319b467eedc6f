// Package bot is Bothy's platform-neutral core: the message model, the
// adapter contract, the command registry and the dispatcher that ties
// adapters to commands. Features (knowledge, meetups, shout-outs) register
// commands here; adapters (console, Slack, Matrix) feed events in.
package bot

import (
	"strings"
	"time"
)

// Event is anything an adapter delivers to the bot: a Message, a Reaction or
// an Action (a button press).
type Event interface{ platform() string }

// Message is one chat message, as every adapter describes it.
type Message struct {
	// Platform is the adapter's name ("console", "slack", "matrix").
	Platform string
	// ID is the platform's own ID for the message (Slack ts, Matrix event ID).
	ID string
	// UserID is the sender's stable platform ID (Slack U…, Matrix @user:server);
	// never a display name, which can change.
	UserID string
	// UserName is the display name at the time, kept for reading only.
	UserName string
	// RoomID is the channel or room the message arrived in.
	RoomID string
	// ThreadID is the thread the message belongs to, if any.
	ThreadID string
	// Text is the message body with any mention of the bot removed.
	Text string
	// Direct is true in a one-to-one conversation with the bot.
	Direct bool
	// Mentioned is true when the message addressed the bot by name.
	Mentioned bool
	// Edited is true when Text is the new content of a message the bot has
	// already answered (ID is that message's): the adapter turns the reply
	// into an edit of the earlier answer, and only commands that
	// AnswersEdits run again.
	Edited bool
	// Time is when the platform says the message was sent.
	Time time.Time
	// Done, when set, is called once the bot has finished handling the
	// message (replies sent). The console uses it to keep scripted output in
	// input order.
	Done func()
}

func (m Message) platform() string { return m.Platform }

// Reaction is an emoji reaction added to (or removed from) a message.
type Reaction struct {
	Platform string
	UserID   string
	UserName string
	RoomID   string
	// MessageID is the message the reaction is on.
	MessageID string
	// Emoji is the Unicode emoji, normalised by the adapter with
	// NormaliseEmoji: a platform's names for it (Slack's "+1") and skin
	// tones never reach the features.
	Emoji   string
	Removed bool
	Time    time.Time
}

func (r Reaction) platform() string { return r.Platform }

// Action is a press of a button the bot sent (Slack Block Kit, for example).
type Action struct {
	Platform  string
	UserID    string
	UserName  string
	RoomID    string
	ThreadID  string
	MessageID string
	// ActionID names the handler (see Bot.HandleAction); Value is its argument.
	ActionID string
	Value    string
	Time     time.Time
	// Done, when set, is closed once the press has been handled, so the
	// console keeps scripted output in input order. (A channel rather than
	// Message's func, so Actions stay comparable.)
	Done chan struct{}
}

func (a Action) platform() string { return a.Platform }

// Target says where a reply goes.
type Target struct {
	RoomID string
	// ThreadID puts the reply in a thread where the platform has threads.
	ThreadID string
	// ReplyTo is the message being answered, for platforms that quote replies.
	ReplyTo string
	// UserID addresses a direct message when RoomID is empty.
	UserID string
}

// MessageRef identifies a message the bot sent, so it can be edited or
// matched with later reactions.
type MessageRef struct {
	Platform string
	RoomID   string
	ID       string
}

// Reply is a platform-neutral response. Text is light Markdown (bold, links,
// lists) that every adapter can show; rich adapters also render Sources and
// Buttons natively, plain ones use PlainText.
type Reply struct {
	Text    string
	Sources []Source
	Buttons []Button
	// Key is an idempotency key: adapters that support one (Matrix
	// transaction IDs) use it so a retried send is delivered once.
	Key string
	// Mentions are the user IDs this message is meant to reach. Adapters
	// that can notify a person (Matrix m.mentions) notify exactly these
	// and render each one's ID in Text as a mention; nothing else in the
	// text pings anyone.
	Mentions []string
}

// Source is one cited knowledge-base document.
type Source struct {
	N       int
	ID      string
	Title   string
	Kind    string
	URL     string
	Updated string
}

// Button is an action the reader can take on a reply.
type Button struct {
	// ActionID routes the press to a handler registered with HandleAction.
	ActionID string
	Label    string
	Value    string
	// Style is a hint: "primary", "danger" or empty.
	Style string
}

// Channel is one announcement channel on one platform.
type Channel struct {
	Platform string
	RoomID   string
}

// NormaliseEmoji brings an emoji to the one form reactions carry
// (Reaction.Emoji): skin-tone modifiers and the emoji presentation
// selector dropped, so 👍🏽 and 👍️ are 👍 wherever reactions are read.
func NormaliseEmoji(e string) string {
	return strings.Map(func(r rune) rune {
		if r == '\uFE0F' || (r >= 0x1F3FB && r <= 0x1F3FF) {
			return -1
		}
		return r
	}, strings.TrimSpace(e))
}

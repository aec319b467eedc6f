package bot

import "context"

// Adapter connects the bot to one chat platform. Only the two abilities
// every platform has are required; the rest are optional interfaces below,
// found by type assertion.
type Adapter interface {
	// Name is the platform name used in Message.Platform and in config.
	Name() string
	// Run delivers events until ctx is cancelled or the platform's input ends
	// (the console at end of file). It must not close events.
	Run(ctx context.Context, events chan<- Event) error
	// Send posts a reply and returns a reference to the posted message.
	Send(ctx context.Context, to Target, r Reply) (MessageRef, error)
}

// Editor can change a message after sending it (used to stream answers).
type Editor interface {
	Edit(ctx context.Context, ref MessageRef, r Reply) error
}

// Reactor can add a reaction to a message.
type Reactor interface {
	React(ctx context.Context, ref MessageRef, emoji string) error
}

// Threader marks platforms with real threads: replies to a message in a room
// go in that message's thread.
type Threader interface {
	Threads() bool
}

// DirectMessenger can open a one-to-one conversation with a user.
type DirectMessenger interface {
	SendDirect(ctx context.Context, userID string, r Reply) (MessageRef, error)
}

// User is a resolved platform user.
type User struct {
	ID   string
	Name string
}

// UserResolver turns a mention as typed in a message ("<@U123>",
// "@carol:example.org", "@carol") into a stable user.
type UserResolver interface {
	ResolveUser(ctx context.Context, mention string) (User, error)
}

// OrganiserChecker lets a platform grant the organiser role by its own means
// (a Matrix room power level) on top of the configured list.
type OrganiserChecker interface {
	IsOrganiser(ctx context.Context, userID, roomID string) bool
}

// HealthReporter says whether the adapter is connected right now.
type HealthReporter interface {
	Connected() bool
}

// Closer releases the adapter's resources after the bot stops.
type Closer interface {
	Close() error
}

// Announcer lists the channels where the adapter announces things to the
// whole community (meetups, reminders, the weekly digest), as configured
// for it.
type Announcer interface {
	Announce() []string
}

// Mentioner writes and reads mentions the platform's way. A message that
// names someone so they are notified writes Mention(userID) in its text
// and lists userID in Reply.Mentions; the adapter renders it (Slack
// "<@U123>" is markup, not text to escape).
type Mentioner interface {
	// Mention is how a message names userID so that they are notified.
	Mention(userID string) string
	// IsMention reports whether a word, as a message carries it, is a
	// mention of someone.
	IsMention(word string) bool
}

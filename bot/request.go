package bot

import (
	"context"
	"fmt"
	"strings"
)

// Request is one command invocation.
type Request struct {
	Bot     *Bot
	Msg     Message
	Adapter Adapter
	// Command is the (sub)command being run; Name is its full path as
	// typed, e.g. "meetup add".
	Command *Command
	Name    string
	// Args is the text after the command name.
	Args string
}

// Target is where replies to this request go: the message's thread on
// platforms with threads, otherwise the same room as a reply.
func (r *Request) Target() Target {
	t := Target{RoomID: r.Msg.RoomID, ReplyTo: r.Msg.ID, ThreadID: r.Msg.ThreadID}
	if th, ok := r.Adapter.(Threader); ok && th.Threads() && t.ThreadID == "" && !r.Msg.Direct {
		t.ThreadID = r.Msg.ID
	}
	if t.RoomID == "" {
		t.UserID = r.Msg.UserID
	}
	return t
}

// Reply answers the request.
func (r *Request) Reply(ctx context.Context, rep Reply) error {
	_, err := r.Send(ctx, rep)
	return err
}

// Send answers the request and returns the posted message's reference.
func (r *Request) Send(ctx context.Context, rep Reply) (MessageRef, error) {
	ref, err := r.Adapter.Send(ctx, r.Target(), rep)
	r.Bot.obs.ReplyOut(r.Adapter.Name(), err)
	if err != nil {
		return ref, fmt.Errorf("bot: reply on %s: %w", r.Adapter.Name(), err)
	}
	return ref, nil
}

// Replyf answers with formatted plain text.
func (r *Request) Replyf(ctx context.Context, format string, args ...any) error {
	return r.Reply(ctx, Reply{Text: fmt.Sprintf(format, args...)})
}

// IsOrganiser reports whether the sender has the organiser role.
func (r *Request) IsOrganiser(ctx context.Context) bool {
	return r.Bot.IsOrganiser(ctx, r.Adapter, r.Msg.UserID, r.Msg.RoomID)
}

// ResolveUser turns a mention into a stable user through the adapter, or
// takes the mention as the ID itself where the adapter cannot resolve.
func (r *Request) ResolveUser(ctx context.Context, mention string) (User, error) {
	if ur, ok := r.Adapter.(UserResolver); ok {
		return ur.ResolveUser(ctx, mention)
	}
	return User{ID: mention, Name: mention}, nil
}

// IsMention reports whether a word in the message names someone: an
// "@name", or the platform's own mention markup (see Mentioner).
func (r *Request) IsMention(word string) bool {
	if strings.HasPrefix(word, "@") {
		return true
	}
	m, ok := r.Adapter.(Mentioner)
	return ok && m.IsMention(word)
}

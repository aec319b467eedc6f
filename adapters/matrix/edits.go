package matrix

import (
	"context"
	"encoding/json"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
)

// One reply per question: the bot remembers which of its messages
// answered which question, so an edited question gets the answer edited
// in place and a removed question takes its answer with it.

// repliesNamespace maps a question's event ID to the bot's reply in the
// kv table, so edits and redactions find the answer after a restart too.
const repliesNamespace = "matrix.replies"

type replyRecord struct {
	Room  id.RoomID  `json:"room"`
	Reply id.EventID `json:"reply"`
}

// recordReply notes the bot's first reply to a question; later ones
// (there should be none) do not displace it.
func (a *Adapter) recordReply(ctx context.Context, question id.EventID, room id.RoomID, reply id.EventID) {
	if _, ok := a.replyFor(ctx, question); ok {
		return
	}
	raw, _ := json.Marshal(replyRecord{Room: room, Reply: reply})
	if err := a.db.SetKV(ctx, repliesNamespace, string(question), string(raw)); err != nil {
		a.log.Warn("cannot remember which message answered a question", "event", question, "err", err)
	}
}

func (a *Adapter) replyFor(ctx context.Context, question id.EventID) (replyRecord, bool) {
	raw, ok, err := a.db.GetKV(ctx, repliesNamespace, string(question))
	if err != nil || !ok {
		return replyRecord{}, false
	}
	var rec replyRecord
	if json.Unmarshal([]byte(raw), &rec) != nil || rec.Reply == "" {
		return replyRecord{}, false
	}
	return rec, true
}

// beginEdit marks a question whose edited text is being handled: replies
// to it until endEdit edit the earlier answer instead of adding one.
func (a *Adapter) beginEdit(question id.EventID) {
	a.mu.Lock()
	a.editing[question]++
	a.mu.Unlock()
}

func (a *Adapter) endEdit(question id.EventID) {
	a.mu.Lock()
	if a.editing[question]--; a.editing[question] <= 0 {
		delete(a.editing, question)
	}
	a.mu.Unlock()
}

func (a *Adapter) isEditing(question id.EventID) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.editing[question] > 0
}

// onEdit handles an m.replace of someone's message. If the bot answered
// the original, the new text is handled as an edit (only commands that
// just answer run again, and their reply edits the answer); if it did not,
// the new text is handled once like a new message, so an edit that adds a
// mention of the bot is answered.
func (a *Adapter) onEdit(ctx context.Context, evt *event.Event, content *event.MessageEventContent) {
	original := content.RelatesTo.GetReplaceID()
	nc := content.NewContent
	if nc == nil || nc.MsgType != event.MsgText || !a.seen.add(evt.ID) {
		return
	}
	// Only the sender of a message may edit it; clients ignore other
	// "edits", and so does the bot.
	var orig *event.Event
	err := a.withRetry(ctx, func(ctx context.Context) error {
		var err error
		orig, err = a.cli.GetEvent(ctx, evt.RoomID, original)
		return err
	})
	if err != nil {
		a.log.Warn("cannot read the message an edit replaces", "room", evt.RoomID, "event", original, "err", err)
		return
	}
	if orig.Sender != evt.Sender {
		a.log.Info("ignoring an edit of someone else's message", "room", evt.RoomID, "event", evt.ID)
		return
	}
	_, answered := a.replyFor(ctx, original)
	text := messageText(nc, func(u id.UserID) string { return a.roomName(ctx, evt.RoomID, u) })
	mentioned, text := findMention(nc, text, a.cli.UserID, a.displayName.Load().(string))
	msg := bot.Message{
		Platform:  Name,
		ID:        string(original),
		UserID:    string(evt.Sender),
		UserName:  a.memberName(ctx, evt.RoomID, evt.Sender),
		RoomID:    string(evt.RoomID),
		ThreadID:  string(threadOf(orig)),
		Text:      text,
		Direct:    a.isDirect(ctx, evt.RoomID),
		Mentioned: mentioned,
		Edited:    answered,
		Time:      time.UnixMilli(evt.Timestamp),
	}
	if answered {
		a.beginEdit(original)
		msg.Done = func() { a.endEdit(original) }
	}
	a.deliver(ctx, msg)
}

// threadOf reads the thread an event is in from its relation, which stays
// readable even when the event is encrypted.
func threadOf(evt *event.Event) id.EventID {
	var c struct {
		RelatesTo *event.RelatesTo `json:"m.relates_to"`
	}
	if json.Unmarshal(evt.Content.VeryRaw, &c) != nil {
		return ""
	}
	return c.RelatesTo.GetThreadParent()
}

// editAnswer is Send for a question being re-answered after an edit: the
// earlier answer is edited, and its buttons now stand for the new answer.
func (a *Adapter) editAnswer(ctx context.Context, rec replyRecord, r bot.Reply) (bot.MessageRef, error) {
	ref := bot.MessageRef{Platform: Name, RoomID: string(rec.Room), ID: string(rec.Reply)}
	if err := a.Edit(ctx, ref, r); err != nil {
		return bot.MessageRef{}, err
	}
	if len(r.Buttons) > 0 {
		emoji := ButtonEmoji(r.Buttons)
		a.rememberButtons(ctx, rec.Reply, r.Buttons, emoji)
		for _, e := range emoji {
			if err := a.React(ctx, ref, e); err != nil {
				a.log.Warn("cannot add button reaction", "room", rec.Room, "err", err)
			}
		}
	}
	return ref, nil
}

// redactAnswer removes the bot's answer to a question that was redacted,
// off the sync goroutine.
func (a *Adapter) redactAnswer(question id.EventID) {
	a.mu.Lock()
	ctx := a.runCtx
	a.mu.Unlock()
	if ctx == nil || a.opts.KeepAnswers {
		return
	}
	rec, ok := a.replyFor(ctx, question)
	if !ok {
		return
	}
	go func() {
		err := a.withRetry(ctx, func(ctx context.Context) error {
			_, err := a.cli.RedactEvent(ctx, rec.Room, rec.Reply, mautrix.ReqRedact{Reason: "the question was removed"})
			return err
		})
		if err != nil {
			a.log.Warn("cannot remove the answer to a removed question", "room", rec.Room, "err", err)
			return
		}
		if err := a.db.DeleteKV(ctx, repliesNamespace, string(question)); err != nil {
			a.log.Warn("cannot forget a removed answer", "err", err)
		}
	}()
}

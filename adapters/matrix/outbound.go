package matrix

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
)

// Send posts a reply: an answer (with ReplyTo) as an m.notice, the
// convention for bot output, which other bots do not answer and push
// rules keep quiet; anything meant to reach people as m.text (see
// below). With Target.ThreadID it goes in that thread, with only ReplyTo
// it is a quoted reply. A room may be given by alias.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	if to.RoomID == "" && to.UserID != "" {
		return a.SendDirect(ctx, to.UserID, r)
	}
	if err := a.waitReady(ctx); err != nil {
		return bot.MessageRef{}, err
	}
	room, err := a.resolveRoom(ctx, to.RoomID)
	if err != nil {
		return bot.MessageRef{}, err
	}
	// One reply per question: while an edited question is handled, its
	// answer is edited rather than a second one posted.
	if to.ReplyTo != "" && a.isEditing(id.EventID(to.ReplyTo)) {
		if rec, ok := a.replyFor(ctx, id.EventID(to.ReplyTo)); ok {
			return a.editAnswer(ctx, rec, r)
		}
	}
	content, emoji := renderReply(r)
	// Answers stay notices, which Element's default push rules keep quiet;
	// what is meant to reach people (direct messages, announcements,
	// reminders, anything naming someone in Mentions) is m.text, which
	// notifies.
	if to.ReplyTo == "" || len(content.Mentions.UserIDs) > 0 {
		content.MsgType = event.MsgText
	}
	var extra map[string]any
	switch {
	case to.ThreadID != "" && to.ReplyTo != "":
		// A real reply to the question inside its thread: not a fallback,
		// so thread-aware clients show it as answering the question.
		// mautrix omits a false is_falling_back; write it out, as Element
		// does.
		content.RelatesTo = &event.RelatesTo{Type: event.RelThread, EventID: id.EventID(to.ThreadID),
			InReplyTo: &event.InReplyTo{EventID: id.EventID(to.ReplyTo)}}
		extra = map[string]any{"m.relates_to": map[string]any{"is_falling_back": false}}
	case to.ThreadID != "":
		// Posted into a thread without answering anyone: the reply to
		// the root is only there for clients without threads.
		content.RelatesTo = (&event.RelatesTo{}).SetThread(id.EventID(to.ThreadID), id.EventID(to.ThreadID))
	case to.ReplyTo != "":
		content.RelatesTo = (&event.RelatesTo{}).SetReplyTo(id.EventID(to.ReplyTo))
	}
	var txn string
	switch {
	case r.Key != "":
		txn = txnID("key", string(room), r.Key)
	case to.ReplyTo != "":
		// A reply is tied to the message it answers: the same answer to
		// the same message is one event even if the send is retried.
		txn = txnID("reply", string(room), to.ReplyTo, content.Body)
	default:
		txn = uniqueTxn()
	}
	evID, err := a.send(ctx, room, event.EventMessage, withRaw(content, extra), txn)
	if err != nil {
		return bot.MessageRef{}, err
	}
	ref := bot.MessageRef{Platform: Name, RoomID: string(room), ID: string(evID)}
	if to.ReplyTo != "" {
		a.recordReply(ctx, id.EventID(to.ReplyTo), room, evID)
	}
	if len(r.Buttons) > 0 {
		a.rememberButtons(ctx, evID, r.Buttons, emoji)
		// Offer the reactions so a reader can tap instead of typing emoji.
		for _, e := range emoji {
			if err := a.React(ctx, ref, e); err != nil {
				a.log.Warn("cannot add button reaction", "room", room, "err", err)
			}
		}
	}
	return ref, nil
}

// Edit replaces a message the bot sent (m.replace).
func (a *Adapter) Edit(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	if err := a.waitReady(ctx); err != nil {
		return err
	}
	content, _ := renderReply(r)
	content.SetEdit(id.EventID(ref.ID))
	_, err := a.send(ctx, id.RoomID(ref.RoomID), event.EventMessage, content, txnID("edit", ref.ID, content.Body))
	return err
}

// React adds an emoji reaction to a message.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	if err := a.waitReady(ctx); err != nil {
		return err
	}
	content := &event.ReactionEventContent{RelatesTo: event.RelatesTo{Type: event.RelAnnotation, EventID: id.EventID(ref.ID), Key: emoji}}
	_, err := a.send(ctx, id.RoomID(ref.RoomID), event.EventReaction, content, txnID("react", ref.ID, emoji))
	if isErrCode(err, "M_DUPLICATE_ANNOTATION") {
		return nil
	}
	return err
}

// withRaw wraps content with extra raw fields, merged into the JSON
// (nested objects field by field).
func withRaw(content any, extra map[string]any) *event.Content {
	raw := map[string]any{}
	for k, v := range extra {
		raw[k] = v
	}
	return &event.Content{Raw: raw, Parsed: content}
}

// txnField carries the transaction ID inside a message's content, so a
// re-send can find an earlier copy even on a homeserver that forgot the
// transaction (Dendrite keeps its transaction cache in memory, so a
// restart while a send is in flight would otherwise post it twice).
const txnField = "chat.bothy.txn"

// send posts one event, retrying with the same transaction ID so the
// homeserver stores it once however many attempts it takes. After an
// attempt whose fate is unknown (the connection broke mid-request), the
// next attempt first looks for the event among the room's latest.
func (a *Adapter) send(ctx context.Context, room id.RoomID, typ event.Type, content any, txn string) (id.EventID, error) {
	if a.crypto == nil && typ != event.EventReaction {
		if enc, err := a.cli.StateStore.IsEncrypted(ctx, room); err == nil && enc {
			return "", fmt.Errorf("matrix: room %s is encrypted and %w", room, errNoCrypto)
		}
	}
	if typ == event.EventMessage {
		c, ok := content.(*event.Content)
		if !ok {
			c = &event.Content{Raw: map[string]any{}, Parsed: content}
		}
		c.Raw[txnField] = txn
		content = c
	}
	var evID id.EventID
	maybeSent := false
	err := a.withRetry(ctx, func(ctx context.Context) error {
		if maybeSent {
			found, err := a.findSent(ctx, room, txn)
			if err != nil {
				return err // cannot look yet (still restarting): try again later rather than send blind
			}
			if found != "" {
				a.log.Info("an interrupted send had arrived; not sending it again", "room", room, "event", found)
				evID = found
				return nil
			}
		}
		resp, err := a.cli.SendMessageEvent(ctx, room, typ, content, mautrix.ReqSendEvent{TransactionID: txn})
		if err == nil {
			evID = resp.EventID
			return nil
		}
		maybeSent = maybeSent || mayHaveArrived(err)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("matrix: send to %s: %w", room, err)
	}
	return evID, nil
}

// findSent looks for the bot's own event with transaction txn among the
// room's latest events: by the homeserver's unsigned transaction_id where
// it gives one, or by txnField in the content. It returns "" when the
// event is not there, and an error when the room could not be read.
//
// An event accepted just before a restart can take a moment to appear:
// Dendrite acknowledges a send once it is queued and stores it when the
// queue is replayed after the restart. So an absent event is looked for
// a few more times (findSentTries, findSentGap apart) before the caller
// sends it again.
func (a *Adapter) findSent(ctx context.Context, room id.RoomID, txn string) (id.EventID, error) {
	for try := 0; ; try++ {
		resp, err := a.cli.Messages(ctx, room, "", "", mautrix.DirectionBackward, nil, 50)
		if err != nil {
			return "", err
		}
		for _, ev := range resp.Chunk {
			if ev.Sender != a.cli.UserID {
				continue
			}
			if ev.Unsigned.TransactionID == txn || ev.Content.Raw[txnField] == txn {
				return ev.ID, nil
			}
		}
		if try+1 >= findSentTries || !sleep(ctx, findSentGap) {
			return "", nil
		}
	}
}

// findSentTries and findSentGap bound how long findSent waits for an
// interrupted send to surface: about ten seconds, and only after a send
// whose fate is unknown. Two seconds were once too few for Dendrite on a
// busy machine, and the answer went out twice; a late answer is better.
var (
	findSentTries = 20
	findSentGap   = 500 * time.Millisecond
)

// mayHaveArrived tells a failure after which the homeserver may still
// have stored the event (the connection broke, or a gateway timed out)
// from one where it surely did not (refused connection, an error reply).
func mayHaveArrived(err error) bool {
	var he mautrix.HTTPError
	if !errors.As(err, &he) {
		return false
	}
	if he.Response != nil {
		return he.Response.StatusCode == http.StatusBadGateway || he.Response.StatusCode == http.StatusGatewayTimeout
	}
	return he.WrappedError != nil && !errors.Is(he.WrappedError, syscall.ECONNREFUSED)
}

// withRetry runs fn until it succeeds, fails for good, or SendRetryFor has
// passed. Rate limits wait as long as the homeserver asks.
func (a *Adapter) withRetry(ctx context.Context, fn func(context.Context) error) error {
	deadline := time.Now().Add(a.opts.SendRetryFor)
	bo := newBackoff(500*time.Millisecond, a.opts.MaxBackoff)
	for {
		err := fn(ctx)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		wait := bo.next(err)
		if time.Now().Add(wait).After(deadline) {
			return err
		}
		a.log.Debug("matrix request failed, retrying", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return err
		}
	}
}

// retryable: network failures, gateway errors and rate limits are worth
// another go; other refusals (forbidden, not found) are not.
func retryable(err error) bool {
	var he mautrix.HTTPError
	if !errors.As(err, &he) {
		return false
	}
	if he.RespError != nil && he.RespError.ErrCode == "M_LIMIT_EXCEEDED" {
		return true
	}
	if he.Response == nil {
		return he.WrappedError != nil
	}
	return he.Response.StatusCode == http.StatusTooManyRequests || he.Response.StatusCode >= 500
}

// retryAfter reads how long a rate-limited request should wait, from
// M_LIMIT_EXCEEDED's retry_after_ms or the Retry-After header.
func retryAfter(err error) (time.Duration, bool) {
	var he mautrix.HTTPError
	if err == nil || !errors.As(err, &he) {
		return 0, false
	}
	if he.RespError != nil && he.RespError.ErrCode == "M_LIMIT_EXCEEDED" {
		if ms, ok := he.RespError.ExtraData["retry_after_ms"].(float64); ok && ms >= 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	if he.Response != nil && he.Response.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.Atoi(he.Response.Header.Get("Retry-After")); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
	}
	return 0, false
}

func isErrCode(err error, code string) bool {
	var he mautrix.HTTPError
	return err != nil && errors.As(err, &he) && he.RespError != nil && he.RespError.ErrCode == code
}

// txnID derives a transaction ID from what makes a send unique, so the
// same logical send always carries the same ID.
func txnID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "bothy-" + hex.EncodeToString(h[:16])
}

func uniqueTxn() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "bothy-u-" + hex.EncodeToString(b[:])
}

// resolveRoom accepts a room ID or an alias (#room:server).
func (a *Adapter) resolveRoom(ctx context.Context, room string) (id.RoomID, error) {
	room = strings.TrimSpace(room)
	if room == "" {
		return "", errors.New("matrix: no room given")
	}
	if !strings.HasPrefix(room, "#") {
		return id.RoomID(room), nil
	}
	a.mu.Lock()
	cached, ok := a.aliases[room]
	a.mu.Unlock()
	if ok {
		return cached, nil
	}
	var resp *mautrix.RespAliasResolve
	err := a.withRetry(ctx, func(ctx context.Context) error {
		var err error
		resp, err = a.cli.ResolveAlias(ctx, id.RoomAlias(room))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("matrix: resolve room alias %s: %w", room, err)
	}
	a.mu.Lock()
	a.aliases[room] = resp.RoomID
	a.mu.Unlock()
	return resp.RoomID, nil
}

// SendDirect posts to the one-to-one room with a user, creating it (as a
// direct chat, encrypted when the bot can) the first time.
func (a *Adapter) SendDirect(ctx context.Context, userID string, r bot.Reply) (bot.MessageRef, error) {
	if err := a.waitReady(ctx); err != nil {
		return bot.MessageRef{}, err
	}
	user := id.UserID(userID)
	if _, _, err := user.Parse(); err != nil {
		return bot.MessageRef{}, fmt.Errorf("matrix: %q is not a Matrix user ID", userID)
	}
	room, err := a.directRoom(ctx, user)
	if err != nil {
		return bot.MessageRef{}, err
	}
	// A direct message is for this person: m.mentions names them, so it
	// notifies however their push rules treat the room.
	if !slices.Contains(r.Mentions, userID) {
		r.Mentions = append(slices.Clip(r.Mentions), userID)
	}
	return a.Send(ctx, bot.Target{RoomID: string(room)}, r)
}

func dmKey(user id.UserID) string { return "dm|" + string(user) }

func (a *Adapter) directRoom(ctx context.Context, user id.UserID) (id.RoomID, error) {
	a.dmMu.Lock()
	defer a.dmMu.Unlock()
	if v, ok, err := a.db.GetKV(ctx, kvNamespace, dmKey(user)); err == nil && ok {
		room := id.RoomID(v)
		ss := a.cli.StateStore
		// Still a chat of just the two of them: a "direct" room someone
		// else has since joined is not private any more.
		members, err := ss.GetRoomJoinedOrInvitedMembers(ctx, room)
		if err == nil && len(members) == 2 && ss.IsInRoom(ctx, room, a.cli.UserID) && ss.IsMembership(ctx, room, user, event.MembershipJoin, event.MembershipInvite) {
			return room, nil
		}
	}
	req := &mautrix.ReqCreateRoom{Preset: "trusted_private_chat", IsDirect: true, Invite: []id.UserID{user}}
	if a.crypto != nil {
		req.InitialState = []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}}
	}
	var resp *mautrix.RespCreateRoom
	err := a.withRetry(ctx, func(ctx context.Context) error {
		var err error
		resp, err = a.cli.CreateRoom(ctx, req)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("matrix: open direct chat with %s: %w", user, err)
	}
	if err := a.db.SetKV(ctx, kvNamespace, dmKey(user), string(resp.RoomID)); err != nil {
		return "", err
	}
	if err := a.db.SetKV(ctx, kvNamespace, directKey(resp.RoomID), "1"); err != nil {
		return "", err
	}
	return resp.RoomID, nil
}

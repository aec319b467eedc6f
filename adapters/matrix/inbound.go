package matrix

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/format"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
)

// fresh reports whether a timeline event should be acted on: not from the
// first sync of a new device (that is history), not from before the bot
// joined the room, not from a room it has left, and not older than the
// catch-up window.
func (a *Adapter) fresh(evt *event.Event) bool {
	if evt.Mautrix.EventSource&event.SourceLeave != 0 {
		return false
	}
	a.mu.Lock()
	initial, joined := a.initialSync, a.joinedAt[evt.RoomID]
	a.mu.Unlock()
	if initial || evt.Timestamp < joined {
		return false
	}
	return time.Since(time.UnixMilli(evt.Timestamp)) <= a.opts.Catchup
}

func (a *Adapter) onMessage(ctx context.Context, evt *event.Event) {
	if evt.Sender == a.cli.UserID || !a.fresh(evt) {
		return
	}
	content := evt.Content.AsMessage()
	if content.RelatesTo.GetReplaceID() != "" {
		a.onEdit(ctx, evt, content)
		return
	}
	// Only people's text: notices are other bots (answering them could
	// loop).
	if content.MsgType != event.MsgText {
		return
	}
	if !a.seen.add(evt.ID) {
		return
	}
	// Answered in an earlier run: a restart between the answer and the
	// saved sync token brings the question back, and seen is new.
	if _, answered := a.replyFor(ctx, evt.ID); answered {
		return
	}
	content.RemoveReplyFallback()
	text := messageText(content, func(u id.UserID) string { return a.roomName(ctx, evt.RoomID, u) })
	mentioned, text := findMention(content, text, a.cli.UserID, a.displayName.Load().(string))
	msg := bot.Message{
		Platform:  Name,
		ID:        string(evt.ID),
		UserID:    string(evt.Sender),
		UserName:  a.memberName(ctx, evt.RoomID, evt.Sender),
		RoomID:    string(evt.RoomID),
		ThreadID:  string(content.RelatesTo.GetThreadParent()),
		Text:      text,
		Direct:    a.isDirect(ctx, evt.RoomID),
		Mentioned: mentioned,
		Time:      time.UnixMilli(evt.Timestamp),
	}
	a.deliver(ctx, msg)
}

// pillParser turns Matrix HTML into plain text (no Markdown marks, so
// "<b>!help</b>" is still a command), writing a pill (a matrix.to or
// matrix: link to a person) as that person's Matrix ID.
var pillParser = &format.HTMLParser{
	TabsToSpaces:           4,
	Newline:                "\n",
	HorizontalLine:         "\n---\n",
	BoldConverter:          keepText,
	ItalicConverter:        keepText,
	StrikethroughConverter: keepText,
	UnderlineConverter:     keepText,
	MonospaceConverter:     keepText,
	PillConverter: func(label, mxid, eventID string, ctx format.Context) string {
		if strings.HasPrefix(mxid, "@") {
			return mxid
		}
		return format.DefaultPillConverter(label, mxid, eventID, ctx)
	},
}

func keepText(s string, _ format.Context) string { return s }

// messageText is what the person wrote, with every person they mentioned
// written as a Matrix ID, so commands that take a person get the ID and
// never a display name. Clients such as Element put only the display name
// in body and keep the ID in the pill link of formatted_body and in
// m.mentions, so formatted_body is read when it holds a pill (or when
// body is empty); a person named only in m.mentions has their display
// name in the text replaced by their ID.
func messageText(content *event.MessageEventContent, nameOf func(id.UserID) string) string {
	text := content.Body
	if content.Format == event.FormatHTML && content.FormattedBody != "" &&
		(strings.TrimSpace(text) == "" || hasUserPill(content.FormattedBody)) {
		text = pillParser.Parse(content.FormattedBody, format.NewContext(context.Background()))
	}
	if content.Mentions == nil {
		return text
	}
	for _, u := range content.Mentions.UserIDs {
		if indexWord(text, string(u)) >= 0 {
			continue
		}
		name := nameOf(u)
		if name == "" {
			continue
		}
		for _, label := range []string{"@" + name, name} {
			if i := indexName(text, label); i >= 0 {
				text = text[:i] + string(u) + text[i+len(label):]
				break
			}
		}
	}
	return text
}

// pillRe finds links to people (matrix.to or matrix:u/) in HTML.
var pillRe = regexp.MustCompile(`(?i)href\s*=\s*["']?(https://matrix\.to/#/(@|%40)|matrix:u/)`)

func hasUserPill(formatted string) bool { return pillRe.MatchString(formatted) }

// findMention says whether the message addresses the bot and returns text
// with that address removed. Clients mention in several ways: the
// m.mentions list, a pill (already written as the bot's ID in text), the
// raw user ID, or "Name: ..." typed by hand.
func findMention(content *event.MessageEventContent, text string, botID id.UserID, displayName string) (bool, string) {
	mentioned := content.Mentions != nil && content.Mentions.Has(botID)
	remove := []string{string(botID)}
	if local, _, err := botID.Parse(); err == nil {
		remove = append(remove, "@"+local)
	}
	for _, r := range remove {
		if i := indexWord(text, r); i >= 0 {
			mentioned = true
			text = text[:i] + text[i+len(r):]
		}
	}
	// "Bothy: help" typed without a pill.
	if displayName != "" {
		t := strings.TrimSpace(text)
		if len(t) > len(displayName) && strings.EqualFold(t[:len(displayName)], displayName) && strings.ContainsRune(":,", rune(t[len(displayName)])) {
			mentioned = true
			text = t[len(displayName):]
		}
	}
	if mentioned {
		text = strings.TrimLeft(strings.TrimSpace(text), ":,")
	}
	return mentioned, strings.TrimSpace(text)
}

// indexName finds a display name in text where it stands as whole words
// ("Ann" must not match inside "Anna" or "Joanne").
func indexName(text, name string) int {
	from := 0
	for from <= len(text) {
		i := strings.Index(text[from:], name)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(name)
		before := i == 0 || !isNameChar(text[i-1])
		after := end == len(text) || !isNameChar(text[end])
		if before && after {
			return i
		}
		from = i + 1
	}
	return -1
}

// indexWord finds s in text where it is not part of a longer name
// ("@bothy" must not match "@bothy2").
func indexWord(text, s string) int {
	from := 0
	for {
		i := strings.Index(text[from:], s)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(s)
		if end == len(text) || !isNameChar(text[end]) {
			return i
		}
		from = i + 1
	}
}

func isNameChar(c byte) bool {
	return c == '_' || c == '-' || c == '=' || c == '/' ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// roomName is a member's display name in a room, or "" if it has none.
func (a *Adapter) roomName(ctx context.Context, room id.RoomID, user id.UserID) string {
	if m, err := a.cli.StateStore.TryGetMember(ctx, room, user); err == nil && m != nil {
		return m.Displayname
	}
	return ""
}

func (a *Adapter) memberName(ctx context.Context, room id.RoomID, user id.UserID) string {
	if m, err := a.cli.StateStore.TryGetMember(ctx, room, user); err == nil && m != nil && m.Displayname != "" {
		return m.Displayname
	}
	if local, _, err := user.Parse(); err == nil {
		return local
	}
	return string(user)
}

// isDirect treats a room as a direct chat when it was created as one
// (is_direct on the invite) or holds only the bot and one other person.
func (a *Adapter) isDirect(ctx context.Context, room id.RoomID) bool {
	if v, ok, err := a.db.GetKV(ctx, kvNamespace, directKey(room)); err == nil && ok && v == "1" {
		return true
	}
	members, err := a.cli.StateStore.GetRoomJoinedOrInvitedMembers(ctx, room)
	return err == nil && len(members) == 2
}

func directKey(room id.RoomID) string { return "direct|" + string(room) }

func (a *Adapter) onMember(ctx context.Context, evt *event.Event) {
	if evt.GetStateKey() != string(a.cli.UserID) || evt.Mautrix.EventSource&event.SourceInvite == 0 {
		return
	}
	m := evt.Content.AsMember()
	if m.Membership != event.MembershipInvite || !a.seen.add(evt.ID+"|invite") {
		return
	}
	a.handleInvite(ctx, evt.RoomID, evt.Sender, m.IsDirect)
}

func (a *Adapter) handleInvite(ctx context.Context, room id.RoomID, inviter id.UserID, direct bool) {
	log := a.log.With("room", room, "inviter", inviter)
	if !a.inviteAllowed(inviter) {
		reason := "Sorry, I only join rooms when invited by someone my organisers have allowed. Please ask an organiser to invite me."
		err := a.withRetry(ctx, func(ctx context.Context) error {
			_, err := a.cli.LeaveRoom(ctx, room, &mautrix.ReqLeave{Reason: reason})
			return err
		})
		log.Info("declined invite", "err", err)
		return
	}
	if direct {
		if err := a.db.SetKV(ctx, kvNamespace, directKey(room), "1"); err != nil {
			log.Warn("cannot remember direct room", "err", err)
		}
		// Direct messages to this person go here, to the chat they opened,
		// rather than to a new room they would have to accept.
		if err := a.db.SetKV(ctx, kvNamespace, dmKey(inviter), string(room)); err != nil {
			log.Warn("cannot remember direct room", "err", err)
		}
	}
	err := a.withRetry(ctx, func(ctx context.Context) error {
		_, err := a.cli.JoinRoomByID(ctx, room)
		return err
	})
	if err != nil {
		log.Warn("cannot join room after invite", "err", err)
		return
	}
	log.Info("joined room after invite", "direct", direct)
}

// inviteAllowed applies matrix.allow_invites: user IDs, server names
// ("example.org", ":example.org" or "*.example.org" for subdomains too) or
// "*". With no list, people on the bot's own server may invite it.
func (a *Adapter) inviteAllowed(inviter id.UserID) bool {
	for _, o := range a.opts.Organisers {
		if strings.TrimSpace(o) == string(inviter) {
			return true
		}
	}
	_, server, err := inviter.Parse()
	if err != nil {
		return false
	}
	allow := a.opts.AllowInvites
	if len(allow) == 0 {
		_, own, _ := a.cli.UserID.Parse()
		allow = []string{own}
	}
	for _, rule := range allow {
		rule = strings.TrimSpace(rule)
		switch {
		case rule == "*":
			return true
		case strings.HasPrefix(rule, "@"):
			if rule == string(inviter) {
				return true
			}
		case strings.HasPrefix(rule, "*."):
			if strings.HasSuffix(server, rule[1:]) || server == rule[2:] {
				return true
			}
		default:
			if strings.TrimPrefix(rule, ":") == server {
				return true
			}
		}
	}
	return false
}

func (a *Adapter) onReaction(ctx context.Context, evt *event.Event) {
	if evt.Sender == a.cli.UserID || !a.fresh(evt) || !a.seen.add(evt.ID) {
		return
	}
	rel := evt.Content.AsReaction().RelatesTo
	if rel.Type != event.RelAnnotation || rel.EventID == "" || rel.Key == "" {
		return
	}
	r := bot.Reaction{
		Platform: Name, UserID: string(evt.Sender), UserName: a.memberName(ctx, evt.RoomID, evt.Sender),
		RoomID: string(evt.RoomID), MessageID: string(rel.EventID), Emoji: bot.NormaliseEmoji(rel.Key),
		Time: time.UnixMilli(evt.Timestamp),
	}
	a.reactions.put(evt.ID, r)
	a.deliver(ctx, r)
	if !a.opts.ButtonActions {
		return
	}
	if b, ok := a.buttonFor(ctx, rel.EventID, r.Emoji); ok {
		a.deliver(ctx, bot.Action{
			Platform: Name, UserID: r.UserID, UserName: r.UserName, RoomID: r.RoomID,
			MessageID: r.MessageID, ActionID: b.ActionID, Value: b.Value, Time: r.Time,
		})
	}
}

func (a *Adapter) onRedaction(ctx context.Context, evt *event.Event) {
	if evt.Sender == a.cli.UserID || !a.fresh(evt) {
		return
	}
	target := evt.Redacts
	if target == "" {
		target = evt.Content.AsRedaction().Redacts
	}
	a.redactAnswer(target)
	r, ok := a.reactions.take(target)
	if !ok {
		return
	}
	r.Removed, r.Time = true, time.UnixMilli(evt.Timestamp)
	a.deliver(ctx, r)
}

const noCryptoNotice = "I can't read encrypted messages: this Bothy was built without encryption support. " +
	"An admin can rebuild it with -tags goolm, or you can talk to me in an unencrypted room."

const undecryptableNotice = "I couldn't decrypt a message here, so I may have missed a question. " +
	"Please send it again; if this keeps happening, an admin should check my session's encryption keys."

// unverifiedNotice is for keys withheld with m.unverified: the sender's
// client shares keys only with verified sessions and does not count the
// bot's as one.
const unverifiedNotice = "I couldn't read a message here: your client only shares keys with verified sessions, " +
	"and it doesn't count my session as verified. An admin can set up cross-signing for me " +
	"(see the Matrix section of Bothy's README); until then, please turn off \"exclude insecure devices\" " +
	"or ask me in an unencrypted room."

func (a *Adapter) onEncryptedWithoutCrypto(ctx context.Context, evt *event.Event) {
	if evt.Sender == a.cli.UserID || !a.fresh(evt) {
		return
	}
	a.warnOnce(evt.RoomID, noCryptoNotice)
}

// onDecryptError is called by the crypto layer when a message stays
// unreadable; the room hears about it once rather than meeting silence.
func (a *Adapter) onDecryptError(evt *event.Event, err error) {
	if evt.Sender == a.cli.UserID || !a.fresh(evt) {
		return
	}
	a.log.Warn("cannot decrypt message", "room", evt.RoomID, "event", evt.ID, "err", err)
	a.warnOnce(evt.RoomID, decryptNotice(err))
}

// decryptNotice names the cause of a decryption failure where it is known:
// a room key withheld as m.unverified is the sender's client refusing
// unverified sessions, which resending would not fix.
func decryptNotice(err error) string {
	if err != nil && strings.Contains(err.Error(), string(event.RoomKeyWithheldUnverified)) {
		return unverifiedNotice
	}
	return undecryptableNotice
}

// warnOnce posts a notice once per room and text per run, off the sync
// goroutine.
func (a *Adapter) warnOnce(room id.RoomID, text string) {
	key := string(room) + "\x00" + text
	a.mu.Lock()
	done := a.warned[key]
	a.warned[key] = true
	ctx := a.runCtx
	a.mu.Unlock()
	if done || ctx == nil {
		return
	}
	go func() {
		content := &event.MessageEventContent{MsgType: event.MsgNotice, Body: text, Mentions: &event.Mentions{}}
		txn := txnID("warn", string(room), text)
		err := a.withRetry(ctx, func(ctx context.Context) error {
			_, err := a.cli.SendMessageEvent(ctx, room, event.EventMessage, content, mautrix.ReqSendEvent{TransactionID: txn})
			return err
		})
		if err != nil {
			a.log.Warn("cannot post notice", "room", room, "err", err)
		}
	}()
}

// reactionLog remembers recent reactions so a redaction (the reaction
// being taken back) can be reported as a removed reaction.
type reactionLog struct {
	mu   sync.Mutex
	m    map[id.EventID]bot.Reaction
	ring []id.EventID
	pos  int
}

func newReactionLog(n int) *reactionLog {
	return &reactionLog{m: make(map[id.EventID]bot.Reaction, n), ring: make([]id.EventID, n)}
}

func (l *reactionLog) put(e id.EventID, r bot.Reaction) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.ring[l.pos]; old != "" {
		delete(l.m, old)
	}
	l.ring[l.pos] = e
	l.pos = (l.pos + 1) % len(l.ring)
	l.m[e] = r
}

func (l *reactionLog) take(e id.EventID) (bot.Reaction, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.m[e]
	delete(l.m, e)
	return r, ok
}

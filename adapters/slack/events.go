package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/bothy-chat/bothy/bot"
)

// identity is who the bot is in the workspace, learnt from auth.test.
type identity struct {
	UserID string // U…, how mentions of the bot look
	BotID  string // B…, set on messages the bot posts
}

// decoder turns Slack payloads into bot events. It is shared by both
// transports and holds no connection, so fuzz tests can drive it alone.
type decoder struct {
	me      identity
	mention *regexp.Regexp // the bot's own mention, nil before auth.test
}

func newDecoder(me identity) decoder {
	d := decoder{me: me}
	if me.UserID != "" {
		d.mention = regexp.MustCompile(`<@` + regexp.QuoteMeta(me.UserID) + `(?:\|[^>]*)?>[:,]?`)
	}
	return d
}

// errIgnored marks a payload that was understood but is not for the bot.
var errIgnored = errors.New("slack: event not for the bot")

// innerEvent converts one Events API inner event. It returns errIgnored for
// bot messages, the bot's own posts, edits and other subtypes.
func (d decoder) innerEvent(ev slackevents.EventsAPIInnerEvent) (bot.Event, error) {
	switch e := ev.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == d.me.UserID || e.Edited != nil {
			return nil, errIgnored
		}
		return bot.Message{
			Platform: Name, ID: e.TimeStamp, UserID: e.User, RoomID: e.Channel,
			ThreadID: e.ThreadTimeStamp, Text: d.stripMention(e.Text),
			Mentioned: true, Time: tsTime(e.TimeStamp),
		}, nil
	case *slackevents.MessageEvent:
		return d.message(e)
	case *slackevents.ReactionAddedEvent:
		return d.reaction((*reactionFields)(e), false)
	case *slackevents.ReactionRemovedEvent:
		return d.reaction((*reactionFields)(e), true)
	}
	return nil, errIgnored
}

type reactionFields slackevents.ReactionAddedEvent

func (d decoder) reaction(e *reactionFields, removed bool) (bot.Event, error) {
	if e.User == "" || e.User == d.me.UserID || e.Item.Type != "message" {
		return nil, errIgnored
	}
	return bot.Reaction{
		Platform: Name, UserID: e.User, RoomID: e.Item.Channel, MessageID: e.Item.Timestamp,
		Emoji: reactionEmoji(e.Reaction), Removed: removed, Time: tsTime(e.EventTimestamp),
	}, nil
}

// humanSubtypes are message subtypes a person still wrote: a reply also
// sent to the channel, or a message with a file attached.
var humanSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

func (d decoder) message(e *slackevents.MessageEvent) (bot.Event, error) {
	if !humanSubtypes[e.SubType] || e.BotID != "" || e.User == "" || e.User == d.me.UserID {
		return nil, errIgnored
	}
	direct := e.ChannelType == "im"
	// A channel message naming the bot also arrives as app_mention; answer
	// that one only. Without a mention, channel chatter only matters for
	// the !command grammar (if the admin subscribed to channel messages).
	if !direct && d.me.UserID != "" && strings.Contains(e.Text, "<@"+d.me.UserID) {
		return nil, errIgnored
	}
	if e.ChannelType == "mpim" {
		direct = false
	}
	return bot.Message{
		Platform: Name, ID: e.TimeStamp, UserID: e.User, RoomID: e.Channel,
		ThreadID: e.ThreadTimeStamp, Text: d.stripMention(e.Text),
		Direct: direct, Time: tsTime(e.TimeStamp),
	}, nil
}

// stripMention removes the bot's own mention (<@UBOT> or <@UBOT|bothy>) and
// Slack's HTML escapes, leaving what the person asked.
func (d decoder) stripMention(text string) string {
	if d.mention != nil {
		text = d.mention.ReplaceAllString(text, "")
	}
	return strings.TrimSpace(unescape(text))
}

// slashCommand turns a /bothy invocation into a message handled like a
// direct message: "/bothy help" runs help, "/bothy what is purdah" asks.
// Its ID routes replies back through the command's response_url.
func (d decoder) slashCommand(c slack.SlashCommand, replyID string) (bot.Message, error) {
	if c.UserID == "" {
		return bot.Message{}, errors.New("slack: slash command without a user")
	}
	return bot.Message{
		Platform: Name, ID: replyID, UserID: c.UserID, UserName: c.UserName,
		RoomID: c.ChannelID, Text: strings.TrimSpace(unescape(c.Text)),
		Direct: true, Time: time.Now(),
	}, nil
}

// interaction turns a block_actions payload into one Action per button
// pressed. Other interaction types (views, shortcuts) are not used.
func (d decoder) interaction(cb slack.InteractionCallback) ([]bot.Event, error) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return nil, errIgnored
	}
	room := cb.Container.ChannelID
	if room == "" {
		room = cb.Channel.ID
	}
	msg := cb.Container.MessageTs
	if msg == "" {
		msg = cb.Message.Timestamp
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	var out []bot.Event
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || a.ActionID == "" {
			continue
		}
		out = append(out, bot.Action{
			Platform: Name, UserID: cb.User.ID, UserName: cb.User.Name, RoomID: room,
			ThreadID: thread, MessageID: msg, ActionID: actionID(a.BlockID, a.ActionID),
			Value: a.Value, Time: tsTime(a.ActionTs),
		})
	}
	if len(out) == 0 || cb.User.ID == "" {
		return nil, errIgnored
	}
	return out, nil
}

// eventsBody is what the Events API sent over HTTP.
type eventsBody struct {
	challenge string    // set for url_verification
	eventID   string    // set for event_callback
	event     bot.Event // nil when the event is not for the bot
}

// decodeEventsBody parses an Events API request body (already verified).
func (d decoder) decodeEventsBody(body []byte) (eventsBody, error) {
	outer, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		return eventsBody{}, fmt.Errorf("slack: decode event: %w", err)
	}
	switch outer.Type {
	case slackevents.URLVerification:
		v, ok := outer.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok || v.Challenge == "" {
			return eventsBody{}, errors.New("slack: url_verification without a challenge")
		}
		return eventsBody{challenge: v.Challenge}, nil
	case slackevents.CallbackEvent:
		cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent)
		if !ok || cb.EventID == "" {
			return eventsBody{}, errors.New("slack: event_callback without an event_id")
		}
		ev, err := d.innerEvent(outer.InnerEvent)
		if errors.Is(err, errIgnored) {
			return eventsBody{eventID: cb.EventID}, nil
		}
		return eventsBody{eventID: cb.EventID, event: ev}, err
	}
	return eventsBody{}, errIgnored
}

// tsTime reads a Slack timestamp ("1700000000.000100").
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Now()
	}
	var us int64
	if len(frac) > 0 {
		frac = (frac + "000000")[:6]
		us, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(s, us*1000)
}

package slacktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// EventCallback wraps an inner event in the outer event_callback envelope
// the Events API sends (over HTTP, or as a socket envelope's payload).
func EventCallback(eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"token":          "legacy-verification-token",
		"team_id":        TeamID,
		"api_app_id":     AppID,
		"event":          inner,
		"type":           "event_callback",
		"event_id":       eventID,
		"event_time":     time.Now().Unix(),
		"authorizations": []any{map[string]any{"team_id": TeamID, "user_id": BotUserID, "is_bot": true}},
	}
}

// EventBody is EventCallback as JSON bytes, ready to sign and post.
func EventBody(eventID string, inner map[string]any) []byte {
	b, err := json.Marshal(EventCallback(eventID, inner))
	if err != nil {
		panic(err)
	}
	return b
}

// AppMention is an app_mention event: someone wrote "<@BOT> text" in a
// channel. threadTS may be empty.
func AppMention(user, channel, ts, threadTS, text string) map[string]any {
	ev := map[string]any{
		"type": "app_mention", "user": user, "text": text, "ts": ts,
		"channel": channel, "event_ts": ts, "team": TeamID,
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

// DirectMessage is a message.im event.
func DirectMessage(user, channel, ts, text string) map[string]any {
	return map[string]any{
		"type": "message", "channel_type": "im", "user": user, "text": text,
		"ts": ts, "channel": channel, "event_ts": ts, "team": TeamID,
		"client_msg_id": "msg-" + ts,
	}
}

// BotMessage is a message event posted by a bot (the kind a client must
// ignore).
func BotMessage(botID, channel, ts, text string) map[string]any {
	return map[string]any{
		"type": "message", "subtype": "bot_message", "channel_type": "im", "bot_id": botID,
		"text": text, "ts": ts, "channel": channel, "event_ts": ts,
	}
}

// ReactionAdded is a reaction_added event on a message.
func ReactionAdded(user, channel, messageTS, emoji string) map[string]any {
	return map[string]any{
		"type": "reaction_added", "user": user, "reaction": emoji, "item_user": BotUserID,
		"item":     map[string]any{"type": "message", "channel": channel, "ts": messageTS},
		"event_ts": strconv.FormatInt(time.Now().Unix(), 10) + ".000100",
	}
}

// SlashCommand is the payload of a /bothy invocation as Socket Mode sends
// it (the same fields the HTTP form carries).
func SlashCommand(user, channel, text, responseURL, triggerID string) map[string]string {
	return map[string]string{
		"token": "legacy-verification-token", "team_id": TeamID, "team_domain": "bothy-test",
		"channel_id": channel, "channel_name": "general", "user_id": user, "user_name": strings.ToLower(user),
		"command": "/bothy", "text": text, "api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": responseURL, "trigger_id": triggerID,
	}
}

// SlashForm is SlashCommand as the form body posted over HTTP.
func SlashForm(user, channel, text, responseURL, triggerID string) []byte {
	v := url.Values{}
	for k, s := range SlashCommand(user, channel, text, responseURL, triggerID) {
		v.Set(k, s)
	}
	return []byte(v.Encode())
}

// BlockActions is a block_actions interaction: user pressed the button
// with actionID and value on the message at messageTS (in threadTS).
func BlockActions(user, channel, messageTS, threadTS, blockID, actionID, value, responseURL, triggerID string) map[string]any {
	container := map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false}
	msg := map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "ts": messageTS, "text": "answer"}
	if threadTS != "" {
		container["thread_ts"] = threadTS
		msg["thread_ts"] = threadTS
	}
	return map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": user, "username": strings.ToLower(user), "name": strings.ToLower(user), "team_id": TeamID},
		"api_app_id":   AppID,
		"token":        "legacy-verification-token",
		"container":    container,
		"trigger_id":   triggerID,
		"team":         map[string]any{"id": TeamID, "domain": "bothy-test"},
		"channel":      map[string]any{"id": channel, "name": "general"},
		"message":      msg,
		"response_url": responseURL,
		"actions": []any{map[string]any{
			"action_id": actionID, "block_id": blockID, "value": value, "type": "button",
			"text":      map[string]any{"type": "plain_text", "text": "Helpful", "emoji": true},
			"action_ts": strconv.FormatInt(time.Now().Unix(), 10) + ".000200",
		}},
	}
}

// InteractionForm is an interaction payload as the form body posted over
// HTTP (payload=<json>).
func InteractionForm(payload map[string]any) []byte {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// Sign computes Slack's v0 request signature for body sent at ts.
func Sign(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", ts.Unix())
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// SignHeaders returns the two headers Slack sets on a signed request.
func SignHeaders(secret string, ts time.Time, body []byte) map[string]string {
	return map[string]string{
		"X-Slack-Request-Timestamp": strconv.FormatInt(ts.Unix(), 10),
		"X-Slack-Signature":         Sign(secret, ts, body),
	}
}

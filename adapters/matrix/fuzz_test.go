package matrix

import (
	"encoding/json"
	"strings"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
)

// FuzzDecodeEvent feeds arbitrary event JSON through the path a room
// message takes on its way in (decode, reply-fallback removal, mention
// detection) and renders the text back out: none of it may panic on what a
// homeserver or a hostile client could send.
func FuzzDecodeEvent(f *testing.F) {
	seeds := []string{
		`{"type":"m.room.message","sender":"@mo:localhost","event_id":"$1","room_id":"!r:localhost","origin_server_ts":1,"content":{"msgtype":"m.text","body":"!help"}}`,
		`{"type":"m.room.message","content":{"msgtype":"m.text","body":"bothy: what is purdah","format":"org.matrix.custom.html","formatted_body":"<a href=\"https://matrix.to/#/@bothy:localhost\">bothy</a>: what is purdah","m.mentions":{"user_ids":["@bothy:localhost"]}}}`,
		`{"type":"m.room.message","content":{"msgtype":"m.text","body":"> <@a:b> quoted\n\nreply","m.relates_to":{"m.in_reply_to":{"event_id":"$x"}}}}`,
		`{"type":"m.room.message","content":{"msgtype":"m.text","body":"in a thread","m.relates_to":{"rel_type":"m.thread","event_id":"$root"}}}`,
		`{"type":"m.room.message","content":{"msgtype":"m.text","body":"* edited","m.new_content":{"body":"edited"},"m.relates_to":{"rel_type":"m.replace","event_id":"$old"}}}`,
		`{"type":"m.room.message","content":{"msgtype":"m.text","body":"@bothy:localhost","format":"org.matrix.custom.html","formatted_body":"<a href=\"https://matrix.to/#/%ZZ\">x</a>"}}`,
		`{"type":"m.room.message","content":{"msgtype":5,"body":null}}`,
		`{"type":"m.reaction","content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$a","key":"👍"}}}`,
		`not json`,
	}
	for _, s := range seeds {
		f.Add(s, "Bothy")
	}
	botID := id.UserID("@bothy:localhost")
	f.Fuzz(func(t *testing.T, raw, displayName string) {
		var evt event.Event
		if err := json.Unmarshal([]byte(raw), &evt); err != nil {
			return
		}
		if evt.Type.Type == "" {
			evt.Type = event.EventMessage
		}
		_ = evt.Content.ParseRaw(evt.Type)
		switch content := evt.Content.Parsed.(type) {
		case *event.MessageEventContent:
			content.RemoveReplyFallback()
			_ = content.RelatesTo.GetThreadParent()
			_ = content.RelatesTo.GetReplaceID()
			text := messageText(content, func(id.UserID) string { return displayName })
			mentioned, text := findMention(content, text, botID, displayName)
			if !mentioned && strings.Contains(text, string(botID)+" ") {
				t.Fatalf("bot ID left in text without counting as a mention: %q", text)
			}
			renderReply(bot.Reply{Text: text, Sources: []bot.Source{{Title: text, URL: text}}})
		case *event.ReactionEventContent:
			_ = content.RelatesTo.Key
		}
	})
}

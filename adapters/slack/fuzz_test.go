package slack

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/bothy-chat/bothy/bot"
)

// FuzzDecodeEvent feeds arbitrary bodies to the Events API decoder: it may
// refuse them, but must not panic, and anything it accepts must be
// well-formed. Seeds are in testdata/fuzz/FuzzDecodeEvent.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"type":"url_verification","challenge":"abc","token":"t"}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@UBOT> hi","ts":"1.1","channel":"C1"}}`))
	d := newDecoder(identity{UserID: "UBOT", BotID: "BBOT"})
	f.Fuzz(func(t *testing.T, body []byte) {
		eb, err := d.decodeEventsBody(body)
		if err != nil {
			return
		}
		if eb.event != nil && eb.eventID == "" {
			t.Fatalf("event without an event ID from %q", body)
		}
		if m, ok := eb.event.(bot.Message); ok && (m.UserID == "" || m.UserID == "UBOT") {
			t.Fatalf("message from %q accepted: %q", m.UserID, body)
		}
	})
}

// FuzzSocketEnvelope parses arbitrary websocket frames the way slack-go's
// Socket Mode client does and hands the result to the adapter, which must
// not panic whatever Slack (or a broken proxy) sends. Seeds are in
// testdata/fuzz/FuzzSocketEnvelope.
func FuzzSocketEnvelope(f *testing.F) {
	f.Add([]byte(`{"envelope_id":"e1","type":"events_api","payload":{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel_type":"im","user":"U1","text":"help","ts":"1.1","channel":"D1"}}}`))
	f.Add([]byte(`{"envelope_id":"e2","type":"slash_commands","payload":{"user_id":"U1","channel_id":"C1","text":"help","command":"/bothy","trigger_id":"t1","response_url":"https://hooks.slack.com/x"}}`))
	f.Add([]byte(`{"envelope_id":"e3","type":"interactive","payload":{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t2","actions":[{"action_id":"feedback#1","block_id":"bothy_buttons","value":"up"}]}}`))
	a, err := New(Options{BotToken: "xoxb-fuzz", AppToken: "xapp-fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	a.dec = newDecoder(identity{UserID: "UBOT", BotID: "BBOT"})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, frame []byte) {
		evt, ok := parseLikeSocketMode(frame)
		if !ok {
			return
		}
		_ = a.deliverSocket(ctx, evt)
		for {
			select {
			case ev := <-a.inbox:
				if ev == nil {
					t.Fatal("nil event queued")
				}
			default:
				return
			}
		}
	})
}

// parseLikeSocketMode mirrors socketmode.Client's frame parsing (which is
// not exported) using the same public types and parsers.
func parseLikeSocketMode(frame []byte) (socketmode.Event, bool) {
	var req socketmode.Request
	if json.Unmarshal(frame, &req) != nil {
		return socketmode.Event{}, false
	}
	switch req.Type {
	case socketmode.RequestTypeEventsAPI:
		ev, err := slackevents.ParseEvent(req.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			return socketmode.Event{}, false
		}
		return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev, Request: &req}, true
	case socketmode.RequestTypeSlashCommands:
		var cmd slack.SlashCommand
		if json.Unmarshal(req.Payload, &cmd) != nil {
			return socketmode.Event{}, false
		}
		return socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd, Request: &req}, true
	case socketmode.RequestTypeInteractive:
		var cb slack.InteractionCallback
		if json.Unmarshal(req.Payload, &cb) != nil {
			return socketmode.Event{}, false
		}
		return socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb, Request: &req}, true
	}
	return socketmode.Event{}, false
}

package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/adapters/slack"
	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
	"github.com/bothy-chat/bothy/bot"
)

// harness runs a real bot with the Slack adapter against the local
// Slack-protocol server.
type harness struct {
	t         *testing.T
	srv       *slacktest.Server
	ad        *slack.Adapter
	bot       *bot.Bot
	mu        sync.Mutex
	questions []string
	names     []string
	feedback  chan bot.Action
	reactions chan bot.Reaction
}

type setup struct {
	mode    string
	workers int
	opts    func(*slack.Options)
}

func answer() bot.Reply {
	return bot.Reply{
		Text: "**Purdah** is the pre-election period. Read the [guidance](https://example.gov.uk/purdah?a=1&b=2).",
		Sources: []bot.Source{
			{N: 1, Title: "Pre-election guidance", URL: "https://example.gov.uk/purdah", Kind: "guide", Updated: "2024-05-01"},
			{N: 2, Title: "Civil Service code", URL: "https://example.gov.uk/code"},
		},
		Buttons: []bot.Button{
			{ActionID: "feedback", Label: "Helpful", Value: "up:q1", Style: "primary"},
			{ActionID: "feedback", Label: "Not helpful", Value: "down:q1"},
		},
	}
}

func start(t *testing.T, s setup) *harness {
	t.Helper()
	srv := slacktest.New(slacktest.Options{PingInterval: 300 * time.Millisecond})
	t.Cleanup(srv.Close)
	if s.mode == "" {
		s.mode = slack.ModeSocket
	}
	o := slack.Options{
		BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, SigningSecret: testSecret,
		// No trailing slash: the adapter must add it.
		APIURL: strings.TrimSuffix(srv.APIURL, "/"),
		Mode:   s.mode, SendInterval: time.Millisecond, PingInterval: 5 * time.Second,
	}
	if s.opts != nil {
		s.opts(&o)
	}
	ad, err := slack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, ad: ad, feedback: make(chan bot.Action, 16), reactions: make(chan bot.Reaction, 16)}
	b := bot.New(bot.Options{Workers: s.workers, ShutdownTimeout: 2 * time.Second, DefaultCommand: "ask"})
	b.Register(&bot.Command{
		Name: "ask", Usage: "QUESTION", Summary: "answer a question from the knowledge base",
		Run: func(ctx context.Context, req *bot.Request) error {
			h.mu.Lock()
			h.questions = append(h.questions, req.Args)
			h.names = append(h.names, req.Msg.UserName)
			h.mu.Unlock()
			return req.Reply(ctx, answer())
		},
	})
	b.HandleAction("feedback", func(ctx context.Context, a bot.Action, _ bot.Adapter) error {
		h.feedback <- a
		return nil
	})
	b.OnReaction(func(ctx context.Context, r bot.Reaction, _ bot.Adapter) error {
		h.reactions <- r
		return nil
	})
	b.AddAdapter(ad)
	h.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot.Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("bot did not stop")
		}
	})
	if s.mode == slack.ModeSocket {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.WaitConnected(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *harness) Questions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.questions...)
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// must fails the test when sending an envelope failed.
func (h *harness) must(id string, err error) string {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// block is the part of a Block Kit block the tests look at.
type block struct {
	Type     string `json:"type"`
	BlockID  string `json:"block_id"`
	Text     *text  `json:"text"`
	Elements []struct {
		Type     string `json:"type"`
		Text     any    `json:"text"`
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		Style    string `json:"style"`
	} `json:"elements"`
}

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func blocksOf(t *testing.T, raw string) []block {
	t.Helper()
	var bs []block
	if err := json.Unmarshal([]byte(raw), &bs); err != nil {
		t.Fatalf("blocks are not JSON: %v\n%s", err, raw)
	}
	return bs
}

// checkAnswerBlocks asserts the Block Kit layout of answer().
func checkAnswerBlocks(t *testing.T, raw string) {
	t.Helper()
	bs := blocksOf(t, raw)
	if len(bs) != 3 {
		t.Fatalf("want section, context, actions; got %d blocks: %s", len(bs), raw)
	}
	if bs[0].Type != "section" || bs[0].Text == nil || bs[0].Text.Type != "mrkdwn" {
		t.Fatalf("first block is not an mrkdwn section: %s", raw)
	}
	wantText := "*Purdah* is the pre-election period. Read the guidance (<https://example.gov.uk/purdah?a=1&amp;b=2>)."
	if bs[0].Text.Text != wantText {
		t.Errorf("section text:\n got %q\nwant %q", bs[0].Text.Text, wantText)
	}
	if bs[1].Type != "context" || len(bs[1].Elements) != 2 {
		t.Fatalf("second block is not a context with two sources: %s", raw)
	}
	src, _ := bs[1].Elements[0].Text.(string)
	if src != "[1] <https://example.gov.uk/purdah|Pre-election guidance> · guide, updated 2024-05-01" {
		t.Errorf("first source: %q", src)
	}
	src2, _ := bs[1].Elements[1].Text.(string)
	if !strings.HasPrefix(src2, "[2] <https://example.gov.uk/code|Civil Service code>") {
		t.Errorf("second source: %q", src2)
	}
	if bs[2].Type != "actions" || len(bs[2].Elements) != 2 {
		t.Fatalf("third block is not two buttons: %s", raw)
	}
	b0, b1 := bs[2].Elements[0], bs[2].Elements[1]
	if b0.Type != "button" || b0.ActionID != "feedback" || b0.Value != "up:q1" || b0.Style != "primary" {
		t.Errorf("helpful button: %+v", b0)
	}
	if b1.ActionID == b0.ActionID || !strings.HasPrefix(b1.ActionID, "feedback") || b1.Value != "down:q1" {
		t.Errorf("not-helpful button: %+v", b1)
	}
}

func TestMentionGetsThreadedBlockKitAnswer(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	env := h.must(h.srv.SendEvent("Ev001", slacktest.AppMention("U111", "C100", "1710000000.000100", "", "<@"+slacktest.BotUserID+"> what is purdah?")))
	if err := h.srv.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	posts, err := h.srv.WaitCalls(ctx, "chat.postMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0].Params
	if p.Get("channel") != "C100" || p.Get("thread_ts") != "1710000000.000100" {
		t.Errorf("reply went to channel %q thread %q, want C100 thread 1710000000.000100", p.Get("channel"), p.Get("thread_ts"))
	}
	checkAnswerBlocks(t, p.Get("blocks"))
	fallback := p.Get("text")
	if !strings.Contains(fallback, "Sources:") || !strings.Contains(fallback, "[1] Pre-election guidance") {
		t.Errorf("fallback text lacks the sources: %q", fallback)
	}
	if q := h.Questions(); len(q) != 1 || q[0] != "what is purdah?" {
		t.Errorf("ask got %q, want the question without the mention", q)
	}
	// A mention inside a thread answers in that thread.
	h.must(h.srv.SendEvent("Ev002", slacktest.AppMention("U111", "C100", "1710000000.000300", "1710000000.000100", "<@"+slacktest.BotUserID+"|bothy> and after?")))
	posts, err = h.srv.WaitCalls(ctx, "chat.postMessage", 2)
	if err != nil {
		t.Fatal(err)
	}
	if th := posts[1].Params.Get("thread_ts"); th != "1710000000.000100" {
		t.Errorf("reply in thread went to %q", th)
	}
	if err := h.srv.WaitAllAcked(ctx); err != nil {
		t.Error(err)
	}
}

func TestDirectMessagesAndIgnoredEvents(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	// None of these may produce a reply: another bot, the bot itself, an edit.
	h.must(h.srv.SendEvent("EvB1", slacktest.BotMessage("BOTHER", "D200", "1710000001.000100", "help")))
	own := slacktest.DirectMessage(slacktest.BotUserID, "D200", "1710000001.000200", "help")
	h.must(h.srv.SendEvent("EvB2", own))
	edit := slacktest.DirectMessage("U111", "D200", "1710000001.000300", "help")
	edit["subtype"] = "message_changed"
	h.must(h.srv.SendEvent("EvB3", edit))
	// A real direct message: "help" is a command, answered outside a thread.
	env := h.must(h.srv.SendEvent("EvB4", slacktest.DirectMessage("U111", "D200", "1710000001.000400", "help")))
	if err := h.srv.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	posts, err := h.srv.WaitCalls(ctx, "chat.postMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0].Params
	if p.Get("channel") != "D200" || p.Get("thread_ts") != "" {
		t.Errorf("DM reply went to %q thread %q", p.Get("channel"), p.Get("thread_ts"))
	}
	if !strings.Contains(p.Get("text"), "ask") {
		t.Errorf("help reply does not list ask: %q", p.Get("text"))
	}
	// A question in a DM goes to ask, with Block Kit.
	h.must(h.srv.SendEvent("EvB5", slacktest.DirectMessage("U111", "D200", "1710000001.000500", "what is purdah")))
	posts, err = h.srv.WaitCalls(ctx, "chat.postMessage", 2)
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerBlocks(t, posts[1].Params.Get("blocks"))
	if n := len(h.srv.Successful("chat.postMessage")); n != 2 {
		t.Errorf("%d replies, want 2 (ignored events must not be answered)", n)
	}
}

func TestSocketRetryHandledOnce(t *testing.T) {
	// One worker handles events in order, so once the last reply is out,
	// any duplicate accepted before it would have been answered too.
	h := start(t, setup{workers: 1})
	ctx := waitCtx(t)
	ev := slacktest.AppMention("U111", "C100", "1710000002.000100", "", "<@"+slacktest.BotUserID+"> once please")
	h.must(h.srv.SendEvent("EvR1", ev))
	h.must(h.srv.SendEventRetry("EvR1", ev, 1))
	h.must(h.srv.SendEventRetry("EvR1", ev, 2))
	// A different event afterwards marks the end.
	h.must(h.srv.SendEvent("EvR2", slacktest.DirectMessage("U111", "D200", "1710000002.000200", "help")))
	if _, err := h.srv.WaitCalls(ctx, "chat.postMessage", 2); err != nil {
		t.Fatal(err)
	}
	if q := h.Questions(); len(q) != 1 {
		t.Errorf("retried event handled %d times", len(q))
	}
	if err := h.srv.WaitAllAcked(ctx); err != nil {
		t.Error(err)
	}
}

func TestSlashCommand(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	env := h.must(h.srv.SendSlashCommand(slacktest.SlashCommand("U111", "C100", "what is purdah", h.srv.ResponseURL("r1"), "trig1")))
	if err := h.srv.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	got, err := h.srv.WaitCalls(ctx, "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	p := got[0].Params
	if p.Get("response_id") != "r1" || p.Get("response_type") != "ephemeral" {
		t.Errorf("answer went to %q as %q", p.Get("response_id"), p.Get("response_type"))
	}
	checkAnswerBlocks(t, p.Get("blocks"))
	if q := h.Questions(); len(q) != 1 || q[0] != "what is purdah" {
		t.Errorf("ask got %q", q)
	}
	// "/bothy help" runs the help command.
	h.must(h.srv.SendSlashCommand(slacktest.SlashCommand("U111", "C100", "help", h.srv.ResponseURL("r2"), "trig2")))
	got, err = h.srv.WaitCalls(ctx, "response_url", 2)
	if err != nil {
		t.Fatal(err)
	}
	if p := got[1].Params; p.Get("response_id") != "r2" || !strings.Contains(p.Get("text"), "ask") {
		t.Errorf("help answer: %v", p)
	}
	if n := len(h.srv.Calls("chat.postMessage")); n != 0 {
		t.Errorf("slash command answers should use response_url, got %d posts", n)
	}
	// When the response_url fails (expired), the answer still arrives, by
	// direct message rather than in the channel.
	h.must(h.srv.SendSlashCommand(slacktest.SlashCommand("U111", "C100", "help", h.srv.URL+"/expired/r3", "trig4")))
	posts, err := h.srv.WaitCalls(ctx, "chat.postMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	if ch := posts[0].Params.Get("channel"); ch != "D111" {
		t.Errorf("fallback answer went to %q, want the DM D111", ch)
	}
}

func TestButtonPressArrivesAsAction(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	// The second button of a pair sharing an action ID carries a suffix on
	// the wire; the handler must still see "feedback".
	env := h.must(h.srv.SendInteractive(slacktest.BlockActions("U222", "C100", "1710000003.000200", "1710000003.000100",
		"bothy_buttons", "feedback#1", "down:q1", h.srv.ResponseURL("i1"), "trig3")))
	if err := h.srv.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-h.feedback:
		want := bot.Action{Platform: "slack", UserID: "U222", UserName: "u222", RoomID: "C100", ThreadID: "1710000003.000100",
			MessageID: "1710000003.000200", ActionID: "feedback", Value: "down:q1", Time: a.Time}
		if a != want {
			t.Errorf("action:\n got %+v\nwant %+v", a, want)
		}
	case <-ctx.Done():
		t.Fatal("button press never reached the action handler")
	}
}

func TestReactionsDelivered(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	h.must(h.srv.SendEvent("EvX1", slacktest.ReactionAdded("U333", "C100", "1710000004.000100", "white_check_mark")))
	select {
	case r := <-h.reactions:
		if r.UserID != "U333" || r.RoomID != "C100" || r.MessageID != "1710000004.000100" || r.Emoji != "✅" || r.Removed {
			t.Errorf("reaction: %+v", r)
		}
	case <-ctx.Done():
		t.Fatal("reaction never arrived")
	}
}

func TestRateLimitDelaysButKeepsReply(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	h.srv.RateLimit("chat.postMessage", 2, time.Second)
	h.must(h.srv.SendEvent("EvL1", slacktest.AppMention("U111", "C100", "1710000005.000100", "", "<@"+slacktest.BotUserID+"> limited?")))
	posts, err := h.srv.WaitCalls(ctx, "chat.postMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	all := h.srv.Calls("chat.postMessage")
	if len(all) != 3 || all[0].Status != http.StatusTooManyRequests || all[1].Status != http.StatusTooManyRequests {
		t.Fatalf("want two 429s then success, got %d calls", len(all))
	}
	// Retry-After was honoured: each retry came at least a second later.
	for i := 1; i < 3; i++ {
		if gap := all[i].At.Sub(all[i-1].At); gap < 900*time.Millisecond {
			t.Errorf("retry %d came %v after the 429, before Retry-After", i, gap)
		}
	}
	if posts[0].Params.Get("thread_ts") != "1710000005.000100" {
		t.Errorf("delayed reply lost its thread")
	}
	checkAnswerBlocks(t, posts[0].Params.Get("blocks"))
}

func TestDisconnectAndNetworkLossReconnect(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	if err := h.srv.SendDisconnect("refresh_requested"); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.WaitConnected(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if n := len(h.srv.Successful("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
	env := h.must(h.srv.SendEvent("EvD1", slacktest.AppMention("U111", "C100", "1710000006.000100", "", "<@"+slacktest.BotUserID+"> still there?")))
	if err := h.srv.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.WaitCalls(ctx, "chat.postMessage", 1); err != nil {
		t.Fatal(err)
	}
	// Now the network drops without a close frame.
	if err := h.srv.DropConnection(); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.WaitConnected(ctx, 3); err != nil {
		t.Fatal(err)
	}
	h.must(h.srv.SendEvent("EvD2", slacktest.AppMention("U111", "C100", "1710000006.000200", "", "<@"+slacktest.BotUserID+"> and now?")))
	if _, err := h.srv.WaitCalls(ctx, "chat.postMessage", 2); err != nil {
		t.Fatal(err)
	}
	if !h.ad.Connected() {
		t.Error("adapter reports disconnected after reconnecting")
	}
	if h.ad.Connections() != 3 {
		t.Errorf("adapter counted %d connections, want 3", h.ad.Connections())
	}
}

func TestWebAPIExtras(t *testing.T) {
	h := start(t, setup{})
	ctx := waitCtx(t)
	h.srv.AddUser(slacktest.User{ID: "U444", Name: "carol", RealName: "Carol Smith", DisplayName: "carol.s"})
	h.srv.AddChannel("C100", "comms-general")

	for _, tc := range []struct{ in, id, name string }{
		{"<@U444>", "U444", "carol.s"},
		{"<@U444|carol>", "U444", "carol.s"},
		{"U444", "U444", "carol.s"},
	} {
		u, err := h.ad.ResolveUser(ctx, tc.in)
		if err != nil || u.ID != tc.id || u.Name != tc.name {
			t.Errorf("ResolveUser(%q) = %+v, %v", tc.in, u, err)
		}
	}
	if n := len(h.srv.Calls("users.info")); n != 1 {
		t.Errorf("users.info called %d times; the cache should answer repeats", n)
	}
	if _, err := h.ad.ResolveUser(ctx, "<@U999>"); err == nil {
		t.Error("unknown user resolved")
	}
	if _, err := h.ad.ResolveUser(ctx, "@carol"); err == nil {
		t.Error("a plain name is not a stable mention and should be refused")
	}
	name, err := h.ad.ChannelName(ctx, "C100")
	if err != nil || name != "comms-general" {
		t.Errorf("ChannelName = %q, %v", name, err)
	}
	_, _ = h.ad.ChannelName(ctx, "C100")
	if n := len(h.srv.Calls("conversations.info")); n != 1 {
		t.Errorf("conversations.info called %d times", n)
	}

	ref, err := h.ad.SendDirect(ctx, "U444", bot.Reply{Text: "You received a shout-out!"})
	if err != nil || ref.RoomID != "D444" || ref.ID == "" {
		t.Fatalf("SendDirect = %+v, %v", ref, err)
	}
	if err := h.ad.Edit(ctx, ref, bot.Reply{Text: "You received **two** shout-outs!"}); err != nil {
		t.Fatal(err)
	}
	up := h.srv.Successful("chat.update")
	if len(up) != 1 || up[0].Params.Get("ts") != ref.ID || up[0].Params.Get("text") != "You received *two* shout-outs!" {
		t.Errorf("chat.update: %+v", up)
	}
	for i := 0; i < 2; i++ { // the second is already_reacted, which is fine
		if err := h.ad.React(ctx, ref, ":tada:"); err != nil {
			t.Errorf("React: %v", err)
		}
	}
	if r := h.srv.Successful("reactions.add"); len(r) != 1 || r[0].Params.Get("name") != "tada" {
		t.Errorf("reactions.add: %+v", r)
	}
	// A broadcast with a Target user only goes by direct message.
	if _, err := h.ad.Send(ctx, bot.Target{UserID: "<@U444>"}, bot.Reply{Text: "hi"}); err != nil {
		t.Error(err)
	}
	if n := len(h.srv.Successful("conversations.open")); n != 1 {
		t.Errorf("conversations.open called %d times; the DM channel should be cached", n)
	}
}

func TestBadTokenStopsRun(t *testing.T) {
	srv := slacktest.New(slacktest.Options{})
	defer srv.Close()
	ad, err := slack.New(slack.Options{BotToken: "xoxb-wrong", AppToken: slacktest.AppToken, APIURL: srv.APIURL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = ad.Run(ctx, make(chan bot.Event))
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("Run with a bad token: %v", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("Run retried a bad token until the deadline")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    slack.Options
	}{
		{"no bot token", slack.Options{AppToken: "xapp-1"}},
		{"user token", slack.Options{BotToken: "xoxp-1", AppToken: "xapp-1"}},
		{"socket without app token", slack.Options{BotToken: "xoxb-1"}},
		{"events without secret", slack.Options{BotToken: "xoxb-1", Mode: "events"}},
		{"bad mode", slack.Options{BotToken: "xoxb-1", AppToken: "xapp-1", Mode: "rtm"}},
		{"bad URL", slack.Options{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "slack-gov.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := slack.New(tc.o); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestNormaliseAPIURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "https://slack.com/api/",
		"https://slack-gov.com":          "https://slack-gov.com/api/",
		"https://slack-gov.com/api":      "https://slack-gov.com/api/",
		"https://slack-gov.com/api/":     "https://slack-gov.com/api/",
		"http://127.0.0.1:8080/api":      "http://127.0.0.1:8080/api/",
		" https://example.org/slack/api": "https://example.org/slack/api/",
	} {
		got, err := slack.NormaliseAPIURL(in)
		if err != nil || got != want {
			t.Errorf("NormaliseAPIURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestSenderDisplayName (issue 15.11): Slack's events carry the sender's
// ID only, so a shout-out's giver was shown and stored as "U0MEMBER01".
// The adapter looks up the display name (once; it is cached).
func TestSenderDisplayName(t *testing.T) {
	h := start(t, setup{})
	h.srv.AddUser(slacktest.User{ID: "U0MEMBER01", Name: "mo", RealName: "Mo Member", DisplayName: "Mo"})
	ctx := waitCtx(t)
	for i, ts := range []string{"1710000005.000100", "1710000005.000200"} {
		h.must(h.srv.SendEvent("EvN"+string(rune('1'+i)), slacktest.DirectMessage("U0MEMBER01", "D200", ts, "what is purdah")))
	}
	h.must(h.srv.SendSlashCommand(slacktest.SlashCommand("U0MEMBER01", "C100", "what is purdah", h.srv.ResponseURL("n3"), "trigN")))
	h.must(h.srv.SendEvent("EvN4", slacktest.DirectMessage("U0NOBODY01", "D201", "1710000005.000300", "what is purdah")))
	if err := h.srv.Wait(ctx, func([]slacktest.Call) bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.names) == 4
	}); err != nil {
		t.Fatalf("questions seen: %v", h.Questions())
	}
	h.mu.Lock()
	names := append([]string(nil), h.names...)
	h.mu.Unlock()
	sort.Strings(names)
	if got := strings.Join(names, ","); got != ",Mo,Mo,Mo" {
		t.Errorf("sender names = %q, want the display name Mo three times (and none for someone users.info does not know)", got)
	}
	if n := len(h.srv.Calls("users.info")); n > 2 {
		t.Errorf("users.info called %d times; the name should be cached", n)
	}
}

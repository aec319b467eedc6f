package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/internal/testenv"
)

func TestMrkdwn(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"bold", "**Purdah** starts", "*Purdah* starts"},
		{"underscore bold", "__Purdah__ starts", "*Purdah* starts"},
		{"italic", "an *important* rule", "an _important_ rule"},
		{"bold and italic", "**a** and *b*", "*a* and _b_"},
		// Reply text carries members' words: links show where they go.
		{"link", "see [the guide](https://gov.uk/x)", "see the guide (<https://gov.uk/x>)"},
		{"link with ampersand", "[q](https://a.org/?a=1&b=2)", "q (<https://a.org/?a=1&amp;b=2>)"},
		{"bold link label", "[**bold** label](https://a.org)", "*bold* label (<https://a.org>)"},
		{"pipe in label", "[a|b](https://a.org)", "a|b (<https://a.org>)"},
		{"pipe in address", "[login](https://evil.example/|Council)", "login (<https://evil.example/%7CCouncil>)"},
		{"label is the address", "[https://gov.uk/x](https://gov.uk/x)", "<https://gov.uk/x>"},
		{"label is the address without scheme", "[gov.uk/x](https://gov.uk/x)", "<https://gov.uk/x>"},
		{"lookalike label", "[https://login.gov.uk](https://evil.example/login)", "https://login.gov.uk (<https://evil.example/login>)"},
		{"mailto", "[write to us](mailto:comms@example.org)", "write to us (<mailto:comms@example.org>)"},
		{"slack link syntax typed", "<https://evil.example|login> <!channel>", "&lt;https://evil.example|login&gt; &lt;!channel&gt;"},
		{"userinfo trick", "[x](https://gov.uk@evil.example/)", "x (https://gov.uk@evil.example/)"},
		{"escapes", "1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"},
		{"no fake mention", "<@U123> hi", "&lt;@U123&gt; hi"},
		{"heading", "## Next steps", "*Next steps*"},
		{"bullets", "- one\n* two\n  + three", "• one\n• two\n  • three"},
		{"numbered list kept", "1. one\n2. two", "1. one\n2. two"},
		{"code span untouched", "run `**x** [a](b)` now", "run `**x** [a](b)` now"},
		{"fence untouched", "```\n**x**\n```\n**y**", "```\n**x**\n```\n*y*"},
		{"unmatched backtick", "a ` **b**", "a ` *b*"},
		{"strike", "~~old~~ new", "~old~ new"},
		{"star alone", "5 * 3 = 15", "5 * 3 = 15"},
		{"non-http link left", "[x](javascript:alert(1))", "[x](javascript:alert(1))"},
		{"unbalanced bold", "**oops", "**oops"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Mrkdwn(tc.in); got != tc.want {
				t.Errorf("Mrkdwn(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRenderPlainAndRich(t *testing.T) {
	plain := render(bot.Reply{Text: "Hello **there**\n"})
	if plain.text != "Hello *there*" || plain.blocks != nil {
		t.Errorf("plain reply: %+v", plain)
	}
	if empty := render(bot.Reply{}); empty.text == "" {
		t.Error("an empty reply must still carry text; Slack refuses a message without it")
	}
	r := bot.Reply{Text: strings.Repeat("word ", 2000), Sources: make([]bot.Source, 14)}
	for i := range r.Sources {
		r.Sources[i] = bot.Source{Title: "Doc | " + string(rune('A'+i)), URL: "https://a.org/" + string(rune('a'+i))}
	}
	for i := 0; i < 30; i++ {
		r.Buttons = append(r.Buttons, bot.Button{ActionID: "rsvp", Label: strings.Repeat("x", 100), Value: "v"})
	}
	got := render(r)
	js, _ := json.Marshal(got.blocks)
	var bs []map[string]any
	if err := json.Unmarshal(js, &bs); err != nil {
		t.Fatal(err)
	}
	var sections, ctxElems, buttons int
	ids := map[string]bool{}
	for _, b := range bs {
		switch b["type"] {
		case "section":
			sections++
			if n := len(b["text"].(map[string]any)["text"].(string)); n > maxSectionText {
				t.Errorf("section of %d bytes", n)
			}
		case "context":
			ctxElems = len(b["elements"].([]any))
		case "actions":
			for _, e := range b["elements"].([]any) {
				em := e.(map[string]any)
				buttons++
				id := em["action_id"].(string)
				if ids[id] {
					t.Errorf("action_id %q repeats", id)
				}
				ids[id] = true
				if got := actionID(actionsBlockID, id); got != "rsvp" {
					t.Errorf("actionID(%q) = %q", id, got)
				}
				if l := len([]rune(em["text"].(map[string]any)["text"].(string))); l > maxButtonText {
					t.Errorf("button label of %d runes", l)
				}
			}
		}
	}
	if sections < 4 {
		t.Errorf("10,000 bytes of text in %d sections", sections)
	}
	if ctxElems != maxContextElems {
		t.Errorf("14 sources in %d context elements, want %d", ctxElems, maxContextElems)
	}
	if !strings.Contains(string(js), "[14]") {
		t.Error("sources beyond ten were dropped")
	}
	if buttons != maxButtons {
		t.Errorf("%d buttons, want %d", buttons, maxButtons)
	}
	if !strings.Contains(got.text, "Sources:") {
		t.Error("fallback text lacks sources")
	}
	if strings.Contains(string(js), "Doc | A") {
		t.Error("a | in a source title would break the link")
	}
}

func TestActionIDOnlyStripsOwnBlocks(t *testing.T) {
	if got := actionID("other_app", "x#1"); got != "x#1" {
		t.Errorf("got %q", got)
	}
	if got := actionID(actionsBlockID, "feedback"); got != "feedback" {
		t.Errorf("got %q", got)
	}
}

func TestSplitText(t *testing.T) {
	s := strings.Repeat("é", 2000) // 4,000 bytes, no spaces
	parts := splitText(s, 3000)
	if strings.Join(parts, "") != s {
		t.Error("splitting lost text")
	}
	for _, p := range parts {
		if len(p) > 3000 || !strings.HasPrefix(p, "é") {
			t.Errorf("bad part of %d bytes", len(p))
		}
	}
	if got := truncate("héllo", 4); got != "…" && !strings.HasSuffix(got, "…") {
		t.Errorf("truncate: %q", got)
	}
}

// fakeTime is a clock that moves only when the queue sleeps.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return ctx.Err()
}

func TestSendQueuePacesAndHonoursRetryAfter(t *testing.T) {
	ft := &fakeTime{now: time.Unix(1700000000, 0)}
	q := newSendQueue(time.Second, ft.Now, ft.sleep)
	ctx := context.Background()
	var posted []string
	post := func(s string) func(context.Context) error {
		return func(context.Context) error { posted = append(posted, s); return nil }
	}
	if err := q.do(ctx, "C1", post("a")); err != nil {
		t.Fatal(err)
	}
	if err := q.do(ctx, "C1", post("b")); err != nil {
		t.Fatal(err)
	}
	if err := q.do(ctx, "C2", post("c")); err != nil {
		t.Fatal(err)
	}
	if len(ft.sleeps) != 1 || ft.sleeps[0] != time.Second {
		t.Fatalf("sleeps %v: the second post to C1 should wait 1s, C2 not at all", ft.sleeps)
	}
	// A 429 with Retry-After: 7s on C3, then success.
	calls := 0
	err := q.do(ctx, "C3", func(context.Context) error {
		calls++
		if calls == 1 {
			return &slack.RateLimitedError{RetryAfter: 7 * time.Second}
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("rate-limited post: err %v after %d calls", err, calls)
	}
	if last := ft.sleeps[len(ft.sleeps)-1]; last != 7*time.Second {
		t.Errorf("waited %v after a 429 with Retry-After 7s", last)
	}
	// Other errors are returned, not retried.
	boom := errors.New("channel_not_found")
	if err := q.do(ctx, "C4", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("got %v", err)
	}
	if strings.Join(posted, "") != "abc" {
		t.Errorf("posted %q", posted)
	}
}

func TestSendQueueKeepsOrder(t *testing.T) {
	q := newSendQueue(0, time.Now, nil)
	ctx := context.Background()
	release := make(chan struct{})
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	pending := func() int {
		q.mu.Lock()
		defer q.mu.Unlock()
		if l := q.lanes["C"]; l != nil {
			return l.pending
		}
		return 0
	}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = q.do(ctx, "C", func(context.Context) error {
				if i == 0 {
					<-release
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return nil
			})
		}()
		// Wait until job i has joined the lane before queueing the next.
		testenv.Eventually(t, 5*time.Second, fmt.Sprintf("job %d in the lane", i), func() bool { return pending() >= i+1 })
	}
	close(release)
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("posts out of order: %v", order)
		}
	}
	if q.size() != 0 {
		t.Errorf("%d idle lanes kept", q.size())
	}
}

func TestSendQueueCancelledWaiterKeepsChain(t *testing.T) {
	q := newSendQueue(0, time.Now, nil)
	release := make(chan struct{})
	var running sync.Mutex
	busy := 0
	job := func(context.Context) error {
		running.Lock()
		busy++
		if busy > 1 {
			t.Error("two posts to one channel at once")
		}
		running.Unlock()
		<-release
		running.Lock()
		busy--
		running.Unlock()
		return nil
	}
	pending := func() int {
		q.mu.Lock()
		defer q.mu.Unlock()
		if l := q.lanes["C"]; l != nil {
			return l.pending
		}
		return 0
	}
	started := func() bool { running.Lock(); defer running.Unlock(); return busy == 1 }
	done := make(chan struct{})
	go func() { _ = q.do(context.Background(), "C", job); close(done) }()
	testenv.Eventually(t, 5*time.Second, "the first post running", started)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.do(ctx, "C", job); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v", err)
	}
	third := make(chan struct{})
	go func() { _ = q.do(context.Background(), "C", job); close(third) }()
	testenv.Eventually(t, 5*time.Second, "the third post waiting in the lane", func() bool { return pending() == 2 })
	close(release)
	<-done
	<-third
}

func TestSeenSet(t *testing.T) {
	now := time.Unix(0, 0)
	s := newSeenSet(time.Minute, 3, func() time.Time { return now })
	if !s.add("a") || s.add("a") {
		t.Fatal("duplicate not detected")
	}
	s.add("b")
	s.add("c")
	s.add("d") // over the bound: "a" goes
	if !s.add("a") {
		t.Error("oldest entry should have been forgotten at the size bound")
	}
	now = now.Add(2 * time.Minute)
	if !s.add("d") {
		t.Error("expired entry still remembered")
	}
	if s.len() > 3 {
		t.Errorf("set grew to %d", s.len())
	}
	s.forget("d")
	if !s.add("d") {
		t.Error("forgotten key still remembered")
	}
}

func TestTTLCache(t *testing.T) {
	now := time.Unix(0, 0)
	c := newTTLCache[string](time.Minute, 2, func() time.Time { return now })
	c.put("a", "1")
	if v, ok := c.get("a"); !ok || v != "1" {
		t.Fatal("miss")
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.get("a"); ok {
		t.Error("expired entry returned")
	}
	c.put("b", "2")
	c.put("c", "3")
	c.put("d", "4")
	if len(c.data) > 2 {
		t.Errorf("cache grew to %d", len(c.data))
	}
}

func TestParseUserMention(t *testing.T) {
	for in, want := range map[string]string{
		"<@U123ABC>":        "U123ABC",
		"<@U123ABC|carol>":  "U123ABC",
		" <@W0ENT|x> ":      "W0ENT",
		"U123ABC":           "U123ABC",
		"@U123ABC":          "U123ABC",
		"@carol":            "",
		"<#C123|general>":   "",
		"<@U123":            "",
		"carol@example.org": "",
	} {
		if got, _ := parseUserMention(in); got != want {
			t.Errorf("parseUserMention(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecoder(t *testing.T) {
	d := newDecoder(identity{UserID: "UBOT", BotID: "BBOT"})
	inner := func(js string) slackevents.EventsAPIInnerEvent {
		t.Helper()
		body := `{"type":"event_callback","event_id":"Ev1","event":` + js + `}`
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatal(err)
		}
		return ev.InnerEvent
	}
	for _, tc := range []struct {
		name string
		js   string
		want bot.Event // nil: ignored
	}{
		{"mention", `{"type":"app_mention","user":"U1","text":"<@UBOT> what is &lt;purdah&gt;?","ts":"1.000100","channel":"C1"}`,
			bot.Message{Platform: Name, ID: "1.000100", UserID: "U1", RoomID: "C1", Text: "what is <purdah>?", Mentioned: true}},
		{"mention with label mid-text", `{"type":"app_mention","user":"U1","text":"hey <@UBOT|bothy>, help","ts":"1.1","channel":"C1","thread_ts":"0.9"}`,
			bot.Message{Platform: Name, ID: "1.1", UserID: "U1", RoomID: "C1", ThreadID: "0.9", Text: "hey  help", Mentioned: true}},
		{"mention by a bot", `{"type":"app_mention","user":"U1","bot_id":"B9","text":"<@UBOT> hi","ts":"1.1","channel":"C1"}`, nil},
		{"im", `{"type":"message","channel_type":"im","user":"U1","text":"help","ts":"2.1","channel":"D1"}`,
			bot.Message{Platform: Name, ID: "2.1", UserID: "U1", RoomID: "D1", Text: "help", Direct: true}},
		{"own message", `{"type":"message","channel_type":"im","user":"UBOT","text":"hi","ts":"2.1","channel":"D1"}`, nil},
		{"bot message", `{"type":"message","subtype":"bot_message","bot_id":"B2","text":"hi","ts":"2.1","channel":"D1"}`, nil},
		{"edit", `{"type":"message","subtype":"message_changed","channel_type":"im","channel":"D1","message":{"user":"U1","text":"x","ts":"1.1"}}`, nil},
		{"deleted", `{"type":"message","subtype":"message_deleted","channel_type":"im","channel":"D1","deleted_ts":"1.1"}`, nil},
		{"file share kept", `{"type":"message","subtype":"file_share","channel_type":"im","user":"U1","text":"is this ok?","ts":"2.2","channel":"D1"}`,
			bot.Message{Platform: Name, ID: "2.2", UserID: "U1", RoomID: "D1", Text: "is this ok?", Direct: true}},
		{"channel message mentioning bot (app_mention covers it)", `{"type":"message","channel_type":"channel","user":"U1","text":"<@UBOT> hi","ts":"3.1","channel":"C1"}`, nil},
		{"channel message", `{"type":"message","channel_type":"channel","user":"U1","text":"!help","ts":"3.1","channel":"C1"}`,
			bot.Message{Platform: Name, ID: "3.1", UserID: "U1", RoomID: "C1", Text: "!help"}},
		{"reaction", `{"type":"reaction_added","user":"U1","reaction":"tada","item":{"type":"message","channel":"C1","ts":"4.1"},"event_ts":"4.2"}`,
			bot.Reaction{Platform: Name, UserID: "U1", RoomID: "C1", MessageID: "4.1", Emoji: "🎉"}},
		{"reaction removed", `{"type":"reaction_removed","user":"U1","reaction":"tada","item":{"type":"message","channel":"C1","ts":"4.1"},"event_ts":"4.2"}`,
			bot.Reaction{Platform: Name, UserID: "U1", RoomID: "C1", MessageID: "4.1", Emoji: "🎉", Removed: true}},
		{"reaction with a skin tone", `{"type":"reaction_added","user":"U1","reaction":"+1::skin-tone-4","item":{"type":"message","channel":"C1","ts":"4.1"}}`,
			bot.Reaction{Platform: Name, UserID: "U1", RoomID: "C1", MessageID: "4.1", Emoji: "👍"}},
		{"custom emoji", `{"type":"reaction_added","user":"U1","reaction":"partyparrot","item":{"type":"message","channel":"C1","ts":"4.1"}}`,
			bot.Reaction{Platform: Name, UserID: "U1", RoomID: "C1", MessageID: "4.1", Emoji: ":partyparrot:"}},
		{"own reaction", `{"type":"reaction_added","user":"UBOT","reaction":"tada","item":{"type":"message","channel":"C1","ts":"4.1"}}`, nil},
		{"file reaction", `{"type":"reaction_added","user":"U1","reaction":"tada","item":{"type":"file","file":{"id":"F1"}}}`, nil},
		{"other event", `{"type":"channel_created","channel":{"id":"C9"}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.innerEvent(inner(tc.js))
			if tc.want == nil {
				if !errors.Is(err, errIgnored) {
					t.Errorf("want ignored, got %#v, %v", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch g := got.(type) {
			case bot.Message:
				g.Time = time.Time{}
				got = g
			case bot.Reaction:
				g.Time = time.Time{}
				got = g
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestTSTime(t *testing.T) {
	if got := tsTime("1700000000.000100"); !got.Equal(time.Unix(1700000000, 100_000)) {
		t.Errorf("got %v", got)
	}
	if got := tsTime("junk"); got.IsZero() {
		t.Error("junk timestamp gave zero time")
	}
}

func TestEmojiName(t *testing.T) {
	for in, want := range map[string]string{":tada:": "tada", "tada": "tada", "👍": "+1", " :white_check_mark: ": "white_check_mark"} {
		if got := emojiName(in); got != want {
			t.Errorf("emojiName(%q) = %q", in, got)
		}
	}
}

package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/config"
)

const botID = id.UserID("@bothy:example.org")

func TestFindMention(t *testing.T) {
	tests := []struct {
		name      string
		content   event.MessageEventContent
		display   string
		mentioned bool
		text      string
	}{
		{"plain chatter", event.MessageEventContent{Body: "echo hello"}, "Bothy", false, "echo hello"},
		{"m.mentions only", event.MessageEventContent{Body: "what is a bothy?", Mentions: &event.Mentions{UserIDs: []id.UserID{botID}}}, "Bothy", true, "what is a bothy?"},
		{"pill with display name", event.MessageEventContent{
			Body: "Bothy: help", Format: event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/@bothy:example.org">Bothy</a>: help`,
		}, "Bothy", true, "help"},
		{"percent-encoded pill", event.MessageEventContent{
			Body: "hey Bothy echo hi", Format: event.FormatHTML,
			FormattedBody: `hey <a href="https://matrix.to/#/%40bothy%3Aexample.org">Bothy</a> echo hi`,
		}, "Bothy", true, "hey  echo hi"},
		{"pill for someone else", event.MessageEventContent{
			Body: "carol: hi", Format: event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/@carol:example.org">carol</a>: hi`,
		}, "Bothy", false, "@carol:example.org: hi"},
		{"raw user ID", event.MessageEventContent{Body: "@bothy:example.org echo x"}, "", true, "echo x"},
		{"localpart typed", event.MessageEventContent{Body: "@bothy, echo x"}, "", true, "echo x"},
		{"longer name is not us", event.MessageEventContent{Body: "@bothy2 echo x"}, "", false, "@bothy2 echo x"},
		{"display name typed with colon", event.MessageEventContent{Body: "bothy: what now"}, "Bothy", true, "what now"},
		{"display name in a sentence", event.MessageEventContent{Body: "bothy is great"}, "Bothy", false, "bothy is great"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.content
			text := messageText(&c, func(id.UserID) string { return "" })
			mentioned, text := findMention(&c, text, botID, tt.display)
			if mentioned != tt.mentioned || text != tt.text {
				t.Errorf("findMention = %v, %q; want %v, %q", mentioned, text, tt.mentioned, tt.text)
			}
		})
	}
}

func TestRenderReply(t *testing.T) {
	r := bot.Reply{
		Text: "Use **the form** & <b>not</b> email.",
		Sources: []bot.Source{
			{N: 1, ID: "kb/a", Title: "Booking <guide>", Kind: "guide", URL: "https://example.org/a?x=1&y=2", Updated: "2026-01-02"},
			{N: 2, ID: "kb/b"},
		},
		Buttons: []bot.Button{{ActionID: "fb", Label: "Helpful", Value: "up"}, {ActionID: "fb", Label: "Not helpful", Value: "down"}},
	}
	c, emoji := renderReply(r)
	if c.MsgType != event.MsgNotice || c.Format != event.FormatHTML {
		t.Fatalf("content type = %s/%s", c.MsgType, c.Format)
	}
	for _, want := range []string{
		"<strong>the form</strong>", "&lt;b&gt;not&lt;/b&gt;", // Markdown rendered, raw HTML escaped
		"<ol>", `<a href="https://example.org/a?x=1&amp;y=2">Booking &lt;guide&gt;</a>`,
		"<li>kb/b</li>", "React 👍 helpful / 👎 not helpful",
	} {
		if !strings.Contains(c.FormattedBody, want) {
			t.Errorf("HTML lacks %q:\n%s", want, c.FormattedBody)
		}
	}
	for _, want := range []string{"Use **the form**", "Sources:\n[1] Booking <guide>", "[2] ", "React 👍 helpful / 👎 not helpful"} {
		if !strings.Contains(c.Body, want) {
			t.Errorf("plain body lacks %q:\n%s", want, c.Body)
		}
	}
	if strings.Join(emoji, " ") != "👍 👎" {
		t.Errorf("emoji = %v", emoji)
	}
	if c.Mentions == nil || len(c.Mentions.UserIDs) != 0 {
		t.Errorf("replies must not ping anyone: %+v", c.Mentions)
	}

	c, _ = renderReply(bot.Reply{Text: "plain words", Sources: []bot.Source{{N: 3, Title: "Third"}}})
	if !strings.Contains(c.FormattedBody, `<ol start="3">`) {
		t.Errorf("numbering should start at the first source's number:\n%s", c.FormattedBody)
	}
}

func TestButtonEmoji(t *testing.T) {
	tests := []struct {
		labels []string
		want   string
	}{
		{[]string{"Helpful", "Not helpful"}, "👍 👎"},
		{[]string{"Going", "Maybe", "Not going"}, "✅ 🤔 ❌"},
		{[]string{"Red", "Green", "Blue"}, "1️⃣ 2️⃣ 3️⃣"},
		{[]string{"Yes", "Yes please"}, "✅ 2️⃣"}, // never the same emoji twice
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.labels, ","), func(t *testing.T) {
			var bs []bot.Button
			for _, l := range tt.labels {
				bs = append(bs, bot.Button{Label: l})
			}
			if got := strings.Join(ButtonEmoji(bs), " "); got != tt.want {
				t.Errorf("ButtonEmoji = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestInviteAllowed(t *testing.T) {
	tests := []struct {
		allow   []string
		inviter id.UserID
		want    bool
	}{
		{nil, "@carol:example.org", true},               // own server by default
		{nil, "@mallory:elsewhere.net", false},          // other servers not
		{nil, "@olive:elsewhere.net", true},             // organisers always
		{[]string{"gov.scot"}, "@a:gov.scot", true},     // server name
		{[]string{":gov.scot"}, "@a:gov.scot", true},    // with colon
		{[]string{"gov.scot"}, "@a:example.org", false}, // list replaces the default
		{[]string{"*.gov.uk"}, "@a:digital.gov.uk", true},
		{[]string{"*.gov.uk"}, "@a:gov.uk", true},
		{[]string{"*.gov.uk"}, "@a:notgov.uk", false},
		{[]string{"@a:x.org"}, "@a:x.org", true},
		{[]string{"@a:x.org"}, "@b:x.org", false},
		{[]string{"*"}, "@anyone:any.where", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.allow, ",")+"/"+string(tt.inviter), func(t *testing.T) {
			a := &Adapter{opts: Options{AllowInvites: tt.allow, Organisers: []string{"@olive:elsewhere.net"}}, cli: &mautrix.Client{UserID: botID}}
			if got := a.inviteAllowed(tt.inviter); got != tt.want {
				t.Errorf("inviteAllowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseMention(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "@carol:example.org", want: "@carol:example.org"},
		{in: "@carol", want: "@carol:example.org"},
		{in: "@carol,", want: "@carol:example.org"},
		{in: "carol", bad: true}, // a display name, perhaps someone else's
		{in: "Olive", bad: true},
		{in: "https://matrix.to/#/%40dan%3Aother.net", want: "@dan:other.net"},
		{in: "https://matrix.to/#/@dan:other.net?via=x", want: "@dan:other.net"},
		{in: "", bad: true},
		{in: "@bad name:example.org", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseMention(tt.in, botID)
			if tt.bad {
				var ue *bot.UsageError
				if !errors.As(err, &ue) {
					t.Errorf("parseMention(%q) = %q, %v; want a usage error", tt.in, got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("parseMention(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNewNeedsSettings(t *testing.T) {
	db := bottest.OpenDB(t)
	for name, o := range map[string]Options{
		"no database":    {Homeserver: "http://x", Password: "p"},
		"no homeserver":  {DB: db, Password: "p"},
		"no credentials": {DB: db, Homeserver: "http://x"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(o); err == nil {
				t.Error("New accepted incomplete options")
			}
		})
	}
}

func TestSyncTokenPersists(t *testing.T) {
	db := bottest.OpenDB(t)
	ctx := context.Background()
	s := newKVSyncStore(db)
	if tok, err := s.LoadNextBatch(ctx, botID); err != nil || tok != "" {
		t.Fatalf("fresh store: %q, %v", tok, err)
	}
	if err := s.SaveNextBatch(ctx, botID, "s42_7"); err != nil {
		t.Fatal(err)
	}
	// A new store on the same database is what a restart sees.
	if tok, err := newKVSyncStore(db).LoadNextBatch(ctx, botID); err != nil || tok != "s42_7" {
		t.Errorf("after restart: %q, %v", tok, err)
	}
}

// fakeHS is a minimal homeserver for the request-level checks: it records
// requests and answers from a per-path script.
type fakeHS struct {
	mu      sync.Mutex
	reqs    []recorded
	respond func(r *http.Request, n int) (int, string)
}

type recorded struct {
	Method, Path, Body string
}

func (f *fakeHS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, string(body)})
	n := len(f.reqs)
	f.mu.Unlock()
	code, resp := f.respond(r, n)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, resp)
}

func (f *fakeHS) requests(prefix string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.reqs {
		if strings.Contains(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// readyAdapter is an adapter that believes it is logged in to srv.
func readyAdapter(t *testing.T, srv *httptest.Server, opts Options) *Adapter {
	t.Helper()
	opts.Homeserver, opts.User, opts.Password = srv.URL, "bothy", "not-used"
	if opts.DB == nil {
		opts.DB = bottest.OpenDB(t)
	}
	opts.MaxBackoff = 50 * time.Millisecond
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	a.cli.UserID, a.cli.AccessToken = botID, "token"
	a.cli.StateStore = mautrix.NewMemoryStateStore()
	close(a.ready)
	return a
}

func TestRateLimitIsRespectedAndTransactionKept(t *testing.T) {
	hs := &fakeHS{respond: func(r *http.Request, n int) (int, string) {
		if n == 1 {
			return http.StatusTooManyRequests, `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":20}`
		}
		return http.StatusOK, `{"event_id":"$sent"}`
	}}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a := readyAdapter(t, srv, Options{})
	ref, err := a.Send(context.Background(), bot.Target{RoomID: "!room:example.org", ReplyTo: "$q"}, bot.Reply{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if ref.ID != "$sent" || ref.RoomID != "!room:example.org" || ref.Platform != "matrix" {
		t.Errorf("ref = %+v", ref)
	}
	sends := hs.requests("/send/")
	if len(sends) != 2 || sends[0].Path != sends[1].Path {
		t.Fatalf("want the same transaction retried once, got %+v", sends)
	}
	var body map[string]any
	_ = json.Unmarshal([]byte(sends[1].Body), &body)
	rel, _ := body["m.relates_to"].(map[string]any)
	if irt, _ := rel["m.in_reply_to"].(map[string]any); irt["event_id"] != "$q" {
		t.Errorf("reply relation = %v", body["m.relates_to"])
	}
}

func TestRetryAfter(t *testing.T) {
	limited := mautrix.HTTPError{RespError: &mautrix.RespError{ErrCode: "M_LIMIT_EXCEEDED", ExtraData: map[string]any{"retry_after_ms": float64(1500)}}}
	if d, ok := retryAfter(limited); !ok || d != 1500*time.Millisecond {
		t.Errorf("retryAfter = %v, %v; want 1.5s", d, ok)
	}
	if !retryable(limited) {
		t.Error("rate limit should be retried")
	}
	forbidden := mautrix.HTTPError{RespError: &mautrix.RespError{ErrCode: "M_FORBIDDEN"}, Response: &http.Response{StatusCode: 403}}
	if retryable(forbidden) {
		t.Error("M_FORBIDDEN should not be retried")
	}
	down := mautrix.HTTPError{WrappedError: errors.New("connection refused")}
	if !retryable(down) {
		t.Error("network errors should be retried")
	}
	b := newBackoff(time.Second, 4*time.Second)
	var got []time.Duration
	for range 4 {
		got = append(got, b.next(down))
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}; !equalDurations(got, want) {
		t.Errorf("backoff = %v, want %v", got, want)
	}
	if d := b.next(limited); d != 1500*time.Millisecond {
		t.Errorf("backoff ignores retry_after_ms: %v", d)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTransactionIDs(t *testing.T) {
	hs := &fakeHS{respond: func(*http.Request, int) (int, string) { return 200, `{"event_id":"$e"}` }}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a := readyAdapter(t, srv, Options{})
	ctx := context.Background()
	room := bot.Target{RoomID: "!r:example.org"}
	send := func(to bot.Target, r bot.Reply) string {
		t.Helper()
		if _, err := a.Send(ctx, to, r); err != nil {
			t.Fatal(err)
		}
		s := hs.requests("/send/")
		return s[len(s)-1].Path
	}
	k1 := send(room, bot.Reply{Text: "Meetup Friday", Key: "meetup-7"})
	k2 := send(room, bot.Reply{Text: "Meetup Friday (edited text)", Key: "meetup-7"})
	if k1 != k2 {
		t.Errorf("the same Key gave different transactions: %s %s", k1, k2)
	}
	u1 := send(room, bot.Reply{Text: "hi"})
	u2 := send(room, bot.Reply{Text: "hi"})
	if u1 == u2 {
		t.Errorf("two sends without a key shared a transaction")
	}
	reply := bot.Target{RoomID: "!r:example.org", ReplyTo: "$q1"}
	r1 := send(reply, bot.Reply{Text: "answer"})
	r2 := send(reply, bot.Reply{Text: "answer"})
	r3 := send(bot.Target{RoomID: "!r:example.org", ReplyTo: "$q2"}, bot.Reply{Text: "answer"})
	if r1 != r2 || r1 == r3 {
		t.Errorf("reply transactions should follow the question: %s %s %s", r1, r2, r3)
	}
}

func TestThreadedReplyRelation(t *testing.T) {
	hs := &fakeHS{respond: func(*http.Request, int) (int, string) { return 200, `{"event_id":"$e"}` }}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a := readyAdapter(t, srv, Options{})
	if _, err := a.Send(context.Background(), bot.Target{RoomID: "!r:example.org", ThreadID: "$root", ReplyTo: "$q"}, bot.Reply{Text: "in thread"}); err != nil {
		t.Fatal(err)
	}
	var body struct {
		RelatesTo map[string]any `json:"m.relates_to"`
	}
	sent := hs.requests("/send/")[0].Body
	_ = json.Unmarshal([]byte(sent), &body)
	// A real reply to the question in its thread: is_falling_back is
	// written out as false (issue 16.5), so thread-aware clients show it
	// as answering the question.
	rel := body.RelatesTo
	inReplyTo, _ := rel["m.in_reply_to"].(map[string]any)
	fallingBack, written := rel["is_falling_back"]
	if rel["rel_type"] != "m.thread" || rel["event_id"] != "$root" || inReplyTo["event_id"] != "$q" || !written || fallingBack != false {
		t.Errorf("relation = %s", sent)
	}
	if !strings.Contains(sent, `"chat.bothy.txn"`) {
		t.Errorf("the transaction field is missing: %s", sent)
	}
}

func TestDeclineSaysWhy(t *testing.T) {
	hs := &fakeHS{respond: func(*http.Request, int) (int, string) { return 200, `{}` }}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a := readyAdapter(t, srv, Options{AllowInvites: []string{"example.org"}})
	a.handleInvite(context.Background(), "!spam:bad.example", "@spammer:bad.example", false)
	leaves := hs.requests("/leave")
	if len(leaves) != 1 {
		t.Fatalf("want one leave (decline), got %+v", hs.reqs)
	}
	if !strings.Contains(leaves[0].Body, "ask an organiser") {
		t.Errorf("decline reason = %s", leaves[0].Body)
	}
	if len(hs.requests("/join")) != 0 {
		t.Error("joined a room from a disallowed inviter")
	}
}

func TestSessionIsReused(t *testing.T) {
	var logins int
	var mu sync.Mutex
	hs := &fakeHS{respond: func(r *http.Request, _ int) (int, string) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/login"):
			mu.Lock()
			logins++
			mu.Unlock()
			return 200, `{"user_id":"@bothy:example.org","access_token":"tok-1","device_id":"DEV1"}`
		case strings.HasSuffix(r.URL.Path, "/whoami"):
			if r.Header.Get("Authorization") == "Bearer tok-1" {
				return 200, `{"user_id":"@bothy:example.org","device_id":"DEV1"}`
			}
			return 401, `{"errcode":"M_UNKNOWN_TOKEN","error":"bad token"}`
		}
		return 404, `{"errcode":"M_UNRECOGNIZED"}`
	}}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	db := bottest.OpenDB(t)
	for i := range 2 {
		a, err := New(Options{Homeserver: srv.URL, User: "bothy", Password: "secret-pw", DB: db})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.login(context.Background()); err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
		if a.DeviceID() != "DEV1" {
			t.Errorf("login %d: device %q", i, a.DeviceID())
		}
	}
	if logins != 1 {
		t.Errorf("password login ran %d times; the second start should reuse the stored session", logins)
	}
	// A refused password is reported, not retried forever.
	bad := &fakeHS{respond: func(*http.Request, int) (int, string) {
		return 403, `{"errcode":"M_FORBIDDEN","error":"Invalid password"}`
	}}
	srv2 := httptest.NewServer(bad)
	defer srv2.Close()
	a, _ := New(Options{Homeserver: srv2.URL, User: "bothy", Password: "wrong", DB: bottest.OpenDB(t)})
	if err := a.login(context.Background()); !errors.Is(err, errAuth) {
		t.Errorf("wrong password: err = %v, want errAuth", err)
	}
}

// TestInterruptedSendIsNotRepeated: the homeserver stores the event but
// the connection breaks before the reply, and it has forgotten the
// transaction by the retry (as Dendrite does across a restart). The bot
// finds its event among the room's latest and does not post it again,
// also when the event only shows up after a moment (Dendrite stores a
// queued event when it replays its queue) or the history cannot be read
// at first (the homeserver is still starting).
func TestInterruptedSendIsNotRepeated(t *testing.T) {
	defer func(gap time.Duration) { findSentGap = gap }(findSentGap)
	findSentGap = 10 * time.Millisecond
	tests := []struct {
		name string
		// hiddenFor is how many reads of the history miss the event;
		// failFor is how many fail outright before that.
		hiddenFor, failFor int
	}{
		{"visible at once", 0, 0},
		{"visible after a moment", findSentTries - 1, 0},
		{"history unreadable at first", 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var stored string // the content the homeserver kept
			reads := 0
			hs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/send/"):
					body, _ := io.ReadAll(r.Body)
					if stored != "" {
						t.Errorf("sent again after the interrupted send: %s", body)
						w.WriteHeader(http.StatusOK)
						_, _ = io.WriteString(w, `{"event_id":"$second"}`)
						return
					}
					stored = string(body)
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close() // stored, but the reply never comes
					}
				case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/messages"):
					reads++
					if reads <= tc.failFor {
						w.WriteHeader(http.StatusBadGateway)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					chunk := "[]"
					if stored != "" && reads > tc.failFor+tc.hiddenFor {
						chunk = `[{"type":"m.room.message","event_id":"$first","sender":"` + string(botID) + `","room_id":"!room:example.org","origin_server_ts":1,"content":` + stored + `}]`
					}
					_, _ = io.WriteString(w, `{"start":"s","end":"e","chunk":`+chunk+`}`)
				default:
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"errcode":"M_NOT_FOUND"}`)
				}
			})
			srv := httptest.NewServer(hs)
			defer srv.Close()
			a := readyAdapter(t, srv, Options{})
			ref, err := a.Send(context.Background(), bot.Target{RoomID: "!room:example.org", ReplyTo: "$q"}, bot.Reply{Text: "the answer"})
			if err != nil {
				t.Fatal(err)
			}
			if ref.ID != "$first" {
				t.Fatalf("ref = %+v, want the event that arrived the first time", ref)
			}
			if !strings.Contains(stored, txnField) {
				t.Errorf("content has no %s: %s", txnField, stored)
			}
		})
	}
}

// TestAnsweredQuestionIsNotAnsweredAgain: a question the last run answered
// comes back when the bot stopped after answering but before saving its
// sync token; the restarted bot, whose memory of events is empty, must
// not answer it again, while an unanswered one is still delivered.
func TestAnsweredQuestionIsNotAnsweredAgain(t *testing.T) {
	hs := &fakeHS{respond: func(r *http.Request, n int) (int, string) { return http.StatusNotFound, `{"errcode":"M_NOT_FOUND"}` }}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	db := bottest.OpenDB(t)
	ctx := context.Background()
	room := id.RoomID("!room:example.org")
	readyAdapter(t, srv, Options{DB: db}).recordReply(ctx, "$answered", room, "$reply")

	a := readyAdapter(t, srv, Options{DB: db, Catchup: time.Hour}) // the restarted bot
	events := make(chan bot.Event, 4)
	a.mu.Lock()
	a.events, a.runCtx = events, ctx
	a.mu.Unlock()
	for _, q := range []id.EventID{"$answered", "$new"} {
		a.onMessage(ctx, &event.Event{
			ID: q, RoomID: room, Sender: "@member:example.org", Type: event.EventMessage, Timestamp: time.Now().UnixMilli(),
			Content: event.Content{Parsed: &event.MessageEventContent{MsgType: event.MsgText, Body: "!ask how long is purdah"}},
		})
	}
	close(events)
	var got []string
	for ev := range events {
		got = append(got, ev.(bot.Message).ID)
	}
	if len(got) != 1 || got[0] != "$new" {
		t.Errorf("delivered %q, want only $new", got)
	}
}

// TestRefusedConnectionIsNotAmbiguous: a send that could not connect
// cannot have arrived, so it is simply retried.
func TestRefusedConnectionIsNotAmbiguous(t *testing.T) {
	refused := mautrix.HTTPError{WrappedError: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	if mayHaveArrived(refused) {
		t.Error("a refused connection was treated as maybe delivered")
	}
	broken := mautrix.HTTPError{WrappedError: io.ErrUnexpectedEOF}
	if !mayHaveArrived(broken) {
		t.Error("a connection broken mid-request was treated as surely not delivered")
	}
	if mayHaveArrived(mautrix.HTTPError{Response: &http.Response{StatusCode: http.StatusInternalServerError}}) {
		t.Error("a 500 reply was treated as maybe delivered")
	}
}

// TestMessageTextWritesPeopleAsIDs: Element puts a person's display name in
// body and their ID only in the pill link and m.mentions; commands must
// get the ID, never a display name that might be someone else's (issue
// 16.1), and a message with only formatted_body is still read (16.7).
func TestMessageTextWritesPeopleAsIDs(t *testing.T) {
	names := map[id.UserID]string{"@olive:example.org": "Olive Oyl", "@ann:example.org": "Ann"}
	nameOf := func(u id.UserID) string { return names[u] }
	mentions := func(us ...id.UserID) *event.Mentions { return &event.Mentions{UserIDs: us} }
	tests := []struct {
		name    string
		content event.MessageEventContent
		want    string
	}{
		{"pill with a two-word display name", event.MessageEventContent{
			Body: "!shoutout Olive Oyl for the rota", Format: event.FormatHTML,
			FormattedBody: `!shoutout <a href="https://matrix.to/#/@olive:example.org">Olive Oyl</a> for the rota`,
			Mentions:      mentions("@olive:example.org"),
		}, "!shoutout @olive:example.org for the rota"},
		{"pill whose label is another person's name", event.MessageEventContent{
			Body: "!shoutout carol for the rota", Format: event.FormatHTML,
			FormattedBody: `!shoutout <a href="https://matrix.to/#/%40olive%3Aexample.org">carol</a> for the rota`,
		}, "!shoutout @olive:example.org for the rota"},
		{"matrix: URI pill", event.MessageEventContent{
			Body: "nominate Olive Oyl for #care because kind", Format: event.FormatHTML,
			FormattedBody: `nominate <a href="matrix:u/olive:example.org">Olive Oyl</a> for #care because kind`,
		}, "nominate @olive:example.org for #care because kind"},
		{"m.mentions and the display name in body, no HTML", event.MessageEventContent{
			Body: "!shoutouts for Olive Oyl", Mentions: mentions("@olive:example.org"),
		}, "!shoutouts for @olive:example.org"},
		{"m.mentions with @name typed", event.MessageEventContent{
			Body: "!shoutout @Ann for tea, Anna too", Mentions: mentions("@ann:example.org"),
		}, "!shoutout @ann:example.org for tea, Anna too"},
		{"a name inside a longer word is left alone", event.MessageEventContent{
			Body: "thanks Joanne and Anna", Mentions: mentions("@ann:example.org"),
		}, "thanks Joanne and Anna"},
		{"a name nobody mentioned stays a name", event.MessageEventContent{
			Body: "!shoutout Olive Oyl for the rota",
		}, "!shoutout Olive Oyl for the rota"},
		{"formatted_body only", event.MessageEventContent{
			Body: "", Format: event.FormatHTML, FormattedBody: "<p><strong>!echo</strong> from HTML</p>",
		}, "!echo from HTML"},
		{"ordinary HTML keeps body", event.MessageEventContent{
			Body: "what is **purdah**?", Format: event.FormatHTML, FormattedBody: "what is <strong>purdah</strong>?",
		}, "what is **purdah**?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.content
			if got := messageText(&c, nameOf); got != tt.want {
				t.Errorf("messageText = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMessagesMeantForPeopleNotify: Element's default push rules silence
// m.notice, so answers stay notices while direct messages, announcements
// and anything naming someone are m.text, with m.mentions naming exactly
// the people meant (issue 16.4).
func TestMessagesMeantForPeopleNotify(t *testing.T) {
	const olive = "@olive:example.org"
	hs := &fakeHS{respond: func(*http.Request, int) (int, string) { return 200, `{"event_id":"$e"}` }}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a := readyAdapter(t, srv, Options{})
	ctx := context.Background()
	// The direct chat with olive already exists.
	dm := id.RoomID("!dm:example.org")
	if err := a.db.SetKV(ctx, kvNamespace, dmKey(olive), string(dm)); err != nil {
		t.Fatal(err)
	}
	for _, u := range []id.UserID{botID, olive} {
		if err := a.cli.StateStore.SetMembership(ctx, dm, u, event.MembershipJoin); err != nil {
			t.Fatal(err)
		}
	}
	type sent struct {
		MsgType       string         `json:"msgtype"`
		FormattedBody string         `json:"formatted_body"`
		Mentions      event.Mentions `json:"m.mentions"`
	}
	send := func(f func() error) sent {
		t.Helper()
		before := len(hs.requests("/send/m.room.message/"))
		if err := f(); err != nil {
			t.Fatal(err)
		}
		reqs := hs.requests("/send/m.room.message/")
		if len(reqs) != before+1 {
			t.Fatalf("%d sends, want 1", len(reqs)-before)
		}
		var s sent
		if err := json.Unmarshal([]byte(reqs[len(reqs)-1].Body), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	room := "!room:example.org"
	tests := []struct {
		name     string
		do       func() error
		msgtype  string
		mentions []id.UserID
	}{
		{"an answer", func() error {
			_, err := a.Send(ctx, bot.Target{RoomID: room, ReplyTo: "$q"}, bot.Reply{Text: "The answer, from " + olive})
			return err
		}, "m.notice", nil},
		{"an announcement", func() error {
			_, err := a.Send(ctx, bot.Target{RoomID: room}, bot.Reply{Text: "New meetup"})
			return err
		}, "m.text", nil},
		{"a mention in a room", func() error {
			_, err := a.Send(ctx, bot.Target{RoomID: room}, bot.Reply{Text: olive + ", you received a shout-out", Mentions: []string{olive}})
			return err
		}, "m.text", []id.UserID{olive}},
		{"a direct message", func() error {
			_, err := a.SendDirect(ctx, olive, bot.Reply{Text: "🎉 You received a shout-out"})
			return err
		}, "m.text", []id.UserID{olive}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := send(tt.do)
			if s.MsgType != tt.msgtype {
				t.Errorf("msgtype = %s, want %s", s.MsgType, tt.msgtype)
			}
			if !slices.Equal(s.Mentions.UserIDs, tt.mentions) {
				t.Errorf("m.mentions = %v, want %v", s.Mentions.UserIDs, tt.mentions)
			}
			if len(tt.mentions) > 0 && strings.Contains(s.FormattedBody, olive) && !strings.Contains(s.FormattedBody, `<a href="https://matrix.to/#/`+olive+`">`) {
				t.Errorf("the mentioned ID is not a pill: %s", s.FormattedBody)
			}
			if len(tt.mentions) == 0 && strings.Contains(s.FormattedBody, "matrix.to") {
				t.Errorf("an ID nobody meant to ping became a pill: %s", s.FormattedBody)
			}
		})
	}
}

// TestDecryptNoticeNamesWithheldKeys: keys withheld as m.unverified mean
// the sender's client shares only with verified sessions; the notice says
// so instead of asking for a resend that would fail the same way.
func TestDecryptNoticeNamesWithheldKeys(t *testing.T) {
	withheld := fmt.Errorf("failed to decrypt: %w", errors.New("group session withheld (m.unverified)"))
	if got := decryptNotice(withheld); !strings.Contains(got, "only shares keys with verified sessions") {
		t.Errorf("withheld m.unverified: notice %q", got)
	}
	if got := decryptNotice(errors.New("no session with given ID found")); got != undecryptableNotice {
		t.Errorf("unknown session: notice %q", got)
	}
}

// TestSealedSecrets: the cross-signing private keys are stored sealed with
// the pickle key; another key cannot open them.
func TestSealedSecrets(t *testing.T) {
	secret := []byte(`{"m.cross_signing.master":"c2VjcmV0"}`)
	sealed, err := seal([]byte("pickle one"), secret)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "c2VjcmV0") || strings.Contains(sealed, "cross_signing") {
		t.Fatalf("sealed value shows the secret: %s", sealed)
	}
	got, err := unseal([]byte("pickle one"), sealed)
	if err != nil || string(got) != string(secret) {
		t.Fatalf("unseal = %q, %v", got, err)
	}
	if _, err := unseal([]byte("pickle two"), sealed); err == nil {
		t.Error("a different pickle key opened the sealed keys")
	}
}

// matrix.threads and matrix.button_actions reach the adapter: they were
// options nothing could set.
func TestOptionsFromConfigThreadsAndButtons(t *testing.T) {
	cfg := config.Default()
	cfg.Matrix.Threads, cfg.Matrix.ButtonActions = true, true
	o := OptionsFromConfig(&cfg, nil, nil)
	if !o.Threads || !o.ButtonActions {
		t.Fatalf("options = threads %v, button actions %v", o.Threads, o.ButtonActions)
	}
	if o := OptionsFromConfig(&config.Config{}, nil, nil); o.Threads || o.ButtonActions {
		t.Fatal("threads or button actions on without the keys")
	}
}

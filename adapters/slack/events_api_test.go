package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/adapters/slack"
	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// eventsHarness runs the bot in Events API mode behind an HTTP server.
type eventsHarness struct {
	*harness
	web *httptest.Server
}

func startEvents(t *testing.T, s setup) *eventsHarness {
	t.Helper()
	s.mode = slack.ModeEvents
	h := start(t, s)
	web := httptest.NewServer(h.ad.Handler())
	t.Cleanup(web.Close)
	return &eventsHarness{harness: h, web: web}
}

type delivery struct {
	body        []byte
	contentType string
	secret      string
	at          time.Time
	retry       int
	headers     map[string]string // overrides
}

func (h *eventsHarness) post(t testing.TB, client *http.Client, d delivery) (int, []byte) {
	if d.secret == "" {
		d.secret = testSecret
	}
	if d.at.IsZero() {
		d.at = time.Now()
	}
	if d.contentType == "" {
		d.contentType = "application/json"
	}
	req, err := http.NewRequest(http.MethodPost, h.web.URL+"/slack/events", bytes.NewReader(d.body))
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	req.Header.Set("Content-Type", d.contentType)
	for k, v := range slacktest.SignHeaders(d.secret, d.at, d.body) {
		req.Header.Set(k, v)
	}
	if d.retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(d.retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	for k, v := range d.headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := client.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestEventsAPISignatures(t *testing.T) {
	h := startEvents(t, setup{})
	ctx := waitCtx(t)
	c := http.DefaultClient
	mention := slacktest.EventBody("EvH1", slacktest.AppMention("U111", "C100", "1710000010.000100", "", "<@"+slacktest.BotUserID+"> what is purdah?"))

	t.Run("url_verification", func(t *testing.T) {
		body := []byte(`{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
		code, out := h.post(t, c, delivery{body: body})
		var got struct{ Challenge string }
		if code != http.StatusOK || json.Unmarshal(out, &got) != nil || got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
			t.Errorf("challenge: %d %s", code, out)
		}
		// An unsigned challenge is refused like anything else.
		code, _ = h.post(t, c, delivery{body: body, secret: "wrong"})
		if code != http.StatusUnauthorized {
			t.Errorf("badly signed challenge: %d", code)
		}
	})
	for _, tc := range []struct {
		name string
		d    delivery
	}{
		{"bad secret", delivery{body: mention, secret: "not-the-secret"}},
		{"stale timestamp", delivery{body: mention, at: time.Now().Add(-6 * time.Minute)}},
		{"future timestamp", delivery{body: mention, at: time.Now().Add(6 * time.Minute)}},
		{"no signature", delivery{body: mention, headers: map[string]string{"X-Slack-Signature": ""}}},
		{"no timestamp", delivery{body: mention, headers: map[string]string{"X-Slack-Request-Timestamp": ""}}},
		{"wrong version", delivery{body: mention, headers: map[string]string{"X-Slack-Signature": "v1=" + slacktest.Sign(testSecret, time.Now(), mention)[3:]}}},
		{"timestamp swapped", delivery{body: mention, headers: map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(time.Now().Unix()-1, 10)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := h.post(t, c, tc.d); code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", code)
			}
		})
	}
	if n := len(h.srv.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("a rejected request was answered (%d posts)", n)
	}
	t.Run("good request", func(t *testing.T) {
		start := time.Now()
		code, _ := h.post(t, c, delivery{body: mention})
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		// The ack does not wait for the answer (Slack allows 3 seconds).
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("ack took %v", d)
		}
		posts, err := h.srv.WaitCalls(ctx, "chat.postMessage", 1)
		if err != nil {
			t.Fatal(err)
		}
		if posts[0].Params.Get("thread_ts") != "1710000010.000100" {
			t.Errorf("reply not threaded: %v", posts[0].Params)
		}
		checkAnswerBlocks(t, posts[0].Params.Get("blocks"))
	})
	t.Run("malformed body", func(t *testing.T) {
		code, _ := h.post(t, c, delivery{body: []byte(`{"type":"event_callback","event":`)})
		if code != http.StatusBadRequest {
			t.Errorf("status %d, want 400", code)
		}
	})
	t.Run("GET refused", func(t *testing.T) {
		res, err := http.Get(h.web.URL + "/slack/events")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("status %d", res.StatusCode)
		}
	})
}

func TestEventsAPIForgeriesAllRejected(t *testing.T) {
	h := startEvents(t, setup{})
	c := &http.Client{}
	body := slacktest.EventBody("EvF", slacktest.AppMention("U111", "C100", "1710000011.000100", "", "<@"+slacktest.BotUserID+"> forged"))
	good := slacktest.Sign(testSecret, time.Now(), body)
	var forged []delivery
	for i := 0; i < 64; i++ {
		// Another secret, a tampered body, and a flipped signature bit.
		forged = append(forged, delivery{body: body, secret: fmt.Sprintf("guess-%d", i)})
		tampered := bytes.Replace(body, []byte("forged"), []byte(fmt.Sprintf("forgex%d", i)), 1)
		forged = append(forged, delivery{body: tampered, headers: map[string]string{"X-Slack-Signature": good}})
		sig := []byte(good)
		pos := 3 + i%64
		if sig[pos] == '0' {
			sig[pos] = '1'
		} else {
			sig[pos] = '0'
		}
		forged = append(forged, delivery{body: body, headers: map[string]string{"X-Slack-Signature": string(sig)}})
	}
	forged = append(forged,
		delivery{body: body, headers: map[string]string{"X-Slack-Signature": "v0=zz"}},
		delivery{body: body, headers: map[string]string{"X-Slack-Signature": "v0="}},
		delivery{body: body, headers: map[string]string{"X-Slack-Signature": good[:20]}},
		delivery{body: body, headers: map[string]string{"X-Slack-Request-Timestamp": "soon"}},
		delivery{body: slacktest.SlashForm("U111", "C100", "help", h.srv.ResponseURL("f"), "tf"), contentType: "application/x-www-form-urlencoded", secret: "nope"},
		delivery{body: slacktest.InteractionForm(slacktest.BlockActions("U1", "C1", "1.1", "", "bothy_buttons", "feedback", "up", "", "tf2")), contentType: "application/x-www-form-urlencoded", secret: "nope"},
	)
	for i, d := range forged {
		if code, _ := h.post(t, c, d); code != http.StatusUnauthorized {
			t.Errorf("forgery %d accepted with status %d", i, code)
		}
	}
	if n := len(h.srv.Calls("")); n > 1 { // auth.test only
		t.Errorf("forged requests caused %d Web API calls", n-1)
	}
	if len(h.Questions()) != 0 {
		t.Error("a forged event reached the bot")
	}
}

func TestEventsAPISlashAndInteractivity(t *testing.T) {
	h := startEvents(t, setup{})
	ctx := waitCtx(t)
	c := http.DefaultClient
	code, out := h.post(t, c, delivery{body: slacktest.SlashForm("U111", "C100", "what is purdah", h.srv.ResponseURL("s1"), "trigS1"), contentType: "application/x-www-form-urlencoded"})
	if code != http.StatusOK || len(out) != 0 {
		t.Errorf("slash ack: %d %q", code, out)
	}
	got, err := h.srv.WaitCalls(ctx, "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerBlocks(t, got[0].Params.Get("blocks"))

	code, _ = h.post(t, c, delivery{body: slacktest.InteractionForm(slacktest.BlockActions("U222", "C100", "1710000012.000200", "", "bothy_buttons", "feedback", "up:q1", h.srv.ResponseURL("i1"), "trigI1")), contentType: "application/x-www-form-urlencoded"})
	if code != http.StatusOK {
		t.Errorf("interaction ack: %d", code)
	}
	select {
	case a := <-h.feedback:
		if a.ActionID != "feedback" || a.Value != "up:q1" || a.UserID != "U222" || a.MessageID != "1710000012.000200" {
			t.Errorf("action: %+v", a)
		}
	case <-ctx.Done():
		t.Fatal("button press over HTTP never arrived")
	}
	code, _ = h.post(t, c, delivery{body: []byte("foo=bar"), contentType: "application/x-www-form-urlencoded"})
	if code != http.StatusBadRequest {
		t.Errorf("unknown form: %d", code)
	}
}

// TestEventsAPIRetriedDeliveries sends 1,000 events, each delivered four
// times at once (the original and retries 1 to 3, as Slack does when an ack
// is slow), and checks that each gets exactly one reply.
func TestEventsAPIRetriedDeliveries(t *testing.T) {
	const events, attempts = 1000, 4
	db := bottest.OpenDB(t)
	// One worker: handling is in delivery order, so once the sentinel's
	// reply is out, every event accepted before it has been answered.
	h := startEvents(t, setup{workers: 1, opts: func(o *slack.Options) { o.DB = db }})
	// Generous: the race detector on a busy two-core machine is slow.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

	type job struct {
		body  []byte
		retry int
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				code, _ := h.post(t, client, delivery{body: j.body, retry: j.retry})
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < events; i++ {
		ts := fmt.Sprintf("1710001000.%06d", i)
		body := slacktest.EventBody(fmt.Sprintf("Ev%05d", i), slacktest.AppMention("U111", fmt.Sprintf("C%03d", i%10), ts, "", "<@"+slacktest.BotUserID+"> question "+strconv.Itoa(i)))
		for r := 0; r < attempts; r++ {
			jobs <- job{body: body, retry: r}
		}
	}
	close(jobs)
	wg.Wait()
	if codes[http.StatusOK] != events*attempts {
		t.Fatalf("status codes: %v", codes)
	}
	sentinel := slacktest.EventBody("EvSentinel", slacktest.DirectMessage("U111", "D999", "1710002000.000100", "help"))
	if code, _ := h.post(t, client, delivery{body: sentinel}); code != http.StatusOK {
		t.Fatalf("sentinel: %d", code)
	}
	// The condition runs on every recorded call, so it resumes where it
	// stopped rather than rescanning thousands of calls.
	scanned := 0
	if err := h.srv.Wait(ctx, func(calls []slacktest.Call) bool {
		for ; scanned < len(calls); scanned++ {
			if c := calls[scanned]; c.Method == "chat.postMessage" && c.Params.Get("channel") == "D999" {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	perThread := map[string]int{}
	for _, c := range h.srv.Successful("chat.postMessage") {
		if th := c.Params.Get("thread_ts"); th != "" {
			perThread[th]++
		}
	}
	if len(perThread) != events {
		t.Errorf("%d events answered, want %d", len(perThread), events)
	}
	for th, n := range perThread {
		if n != 1 {
			t.Errorf("event in thread %s answered %d times", th, n)
		}
	}
	if q := len(h.Questions()); q != events {
		t.Errorf("ask ran %d times, want %d", q, events)
	}

	// After a restart (a new adapter on the same database) a late retry is
	// still recognised.
	ad2, err := slack.New(slack.Options{BotToken: slacktest.BotToken, SigningSecret: testSecret, Mode: slack.ModeEvents, APIURL: h.srv.APIURL, DB: db})
	if err != nil {
		t.Fatal(err)
	}
	web2 := httptest.NewServer(ad2.Handler())
	defer web2.Close()
	evs := make(chan bot.Event, 4)
	rctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- ad2.Run(rctx, evs) }()
	old := slacktest.EventBody("Ev00007", slacktest.AppMention("U111", "C007", "1710001000.000007", "", "<@"+slacktest.BotUserID+"> question 7"))
	fresh := slacktest.EventBody("EvNew", slacktest.AppMention("U111", "C007", "1710003000.000001", "", "<@"+slacktest.BotUserID+"> new"))
	h2 := &eventsHarness{harness: h.harness, web: web2}
	for _, b := range [][]byte{old, fresh} {
		if code, _ := h2.post(t, client, delivery{body: b, retry: 3}); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	select {
	case ev := <-evs:
		if m, ok := ev.(bot.Message); !ok || m.Text != "new" {
			t.Errorf("after restart got %#v, want only the new event", ev)
		}
	case <-ctx.Done():
		t.Fatal("new event not delivered after restart")
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Error(err)
	}
	select {
	case ev := <-evs:
		t.Errorf("old event delivered again after restart: %#v", ev)
	default:
	}
}

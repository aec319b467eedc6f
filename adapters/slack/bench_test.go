package slack

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
	"github.com/bothy-chat/bothy/bot"
)

func benchReply() bot.Reply {
	return bot.Reply{
		Text: strings.Repeat("**Purdah** is the pre-election period; see [the guidance](https://example.gov.uk/purdah) and *check* `dates`.\n\n", 8),
		Sources: []bot.Source{
			{N: 1, Title: "Pre-election guidance", URL: "https://example.gov.uk/purdah", Kind: "guide", Updated: "2024-05-01"},
			{N: 2, Title: "Civil Service code", URL: "https://example.gov.uk/code"},
			{N: 3, Title: "Local authority publicity code", URL: "https://example.gov.uk/lapc"},
		},
		Buttons: []bot.Button{
			{ActionID: "feedback", Label: "Helpful", Value: "up:q1", Style: "primary"},
			{ActionID: "feedback", Label: "Not helpful", Value: "down:q1"},
		},
	}
}

// BenchmarkRender measures turning an answer into Block Kit.
func BenchmarkRender(b *testing.B) {
	r := benchReply()
	b.ReportAllocs()
	for b.Loop() {
		_ = render(r).options()
	}
}

// BenchmarkEventsHandler measures one signed Events API delivery through
// the HTTP handler: signature check, decoding, dedupe and queueing.
func BenchmarkEventsHandler(b *testing.B) {
	a, err := New(Options{BotToken: "xoxb-bench", SigningSecret: "secret", Mode: ModeEvents})
	if err != nil {
		b.Fatal(err)
	}
	a.dec = newDecoder(identity{UserID: "UBOT", BotID: "BBOT"})
	h := a.Handler()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			select {
			case <-a.inbox:
			case <-ctx.Done():
				return
			}
		}
	}()
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := slacktest.EventBody(fmt.Sprintf("Ev%d", i), slacktest.AppMention("U1", "C1", "1710000000.000100", "", "<@UBOT> what is purdah?"))
		req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range slacktest.SignHeaders("secret", now, body) {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

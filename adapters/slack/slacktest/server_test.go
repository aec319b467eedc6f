package slacktest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// The fake must refuse what Slack refuses, or the adapter tests prove
// nothing.
func TestServerBehavesLikeSlack(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	ctx := context.Background()
	api := slack.New(BotToken, slack.OptionAPIURL(s.APIURL))

	if _, err := slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL)).AuthTestContext(ctx); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("wrong token: %v", err)
	}
	if _, _, err := slack.New(BotToken, slack.OptionAPIURL(s.APIURL)).StartSocketModeContext(ctx); err == nil {
		t.Error("apps.connections.open accepted a bot token")
	}
	res, err := api.AuthTestContext(ctx)
	if err != nil || res.UserID != BotUserID || res.BotID != BotID {
		t.Fatalf("auth.test: %+v %v", res, err)
	}

	dup := slack.NewActionBlock("b",
		slack.NewButtonBlockElement("same", "1", slack.NewTextBlockObject(slack.PlainTextType, "One", false, false)),
		slack.NewButtonBlockElement("same", "2", slack.NewTextBlockObject(slack.PlainTextType, "Two", false, false)))
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(dup)); err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("repeated action_id: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1"); err == nil || err.Error() != "no_text" {
		t.Errorf("empty message: %v", err)
	}
	_, ts1, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hello", false), slack.MsgOptionTS("1.1"))
	if err != nil || ts1 == "" {
		t.Fatalf("post: %q %v", ts1, err)
	}
	calls := s.Successful("chat.postMessage")
	if len(calls) != 1 || calls[0].Params.Get("text") != "hello" || calls[0].Params.Get("thread_ts") != "1.1" {
		t.Errorf("recorded: %+v", calls)
	}

	s.RateLimit("chat.postMessage", 1, 1500*time.Millisecond)
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("again", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("want a 429 with Retry-After 2s (rounded up), got %v", err)
	}
	if c := s.Calls("chat.postMessage"); c[len(c)-1].Status != http.StatusTooManyRequests {
		t.Error("429 not recorded")
	}
	if _, ts2, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("again", false)); err != nil || ts2 <= ts1 {
		t.Errorf("after the limit: %q %v", ts2, err)
	}
	if _, err := api.GetUserInfoContext(ctx, "U404"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
}

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
)

// TestRunWithSlack runs `bothy run` configured only by environment
// variables against the local Slack-protocol server: the adapter is enabled
// by the two tokens, follows BOTHY_SLACK_API_URL, and answers a direct
// message.
func TestRunWithSlack(t *testing.T) {
	srv := slacktest.New(slacktest.Options{PingInterval: 300 * time.Millisecond})
	defer srv.Close()
	vars := map[string]string{
		"SLACK_APP_TOKEN":     slacktest.AppToken,
		"SLACK_BOT_TOKEN":     slacktest.BotToken,
		"BOTHY_SLACK_API_URL": strings.TrimSuffix(srv.APIURL, "/"),
		"BOTHY_DB":            filepath.Join(t.TempDir(), "bothy.db"),
	}
	var stdout, stderr bytes.Buffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer wcancel()
	code := make(chan int, 1)
	go func() {
		code <- execute(ctx, env, []string{"run"})
		wcancel() // stop waiting if bothy exits early
	}()

	if err := srv.WaitConnected(wctx, 1); err != nil {
		cancel()
		t.Fatalf("%v\nstderr: %s", err, stderr.String())
	}
	if _, err := srv.SendEvent("EvRun1", slacktest.DirectMessage("U111", "D111", "1710000000.000100", "help")); err != nil {
		t.Fatal(err)
	}
	posts, err := srv.WaitCalls(wctx, "chat.postMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	if posts[0].Params.Get("channel") != "D111" || !strings.Contains(posts[0].Params.Get("text"), "help") {
		t.Errorf("reply: %v", posts[0].Params)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d; stderr: %s", c, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("bothy run did not stop")
	}
	if strings.Contains(stderr.String(), slacktest.BotToken) || strings.Contains(stdout.String(), slacktest.BotToken) {
		t.Error("the bot token appeared in the output")
	}
}

func TestSlackManifestCommand(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) (string, bool) { return "", false }}
	if code := execute(context.Background(), env, []string{"slack-manifest"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "socket_mode_enabled: true") || !strings.Contains(out.String(), "command: /bothy") {
		t.Errorf("manifest output:\n%s", out.String())
	}
	if code := execute(context.Background(), env, []string{"slack-manifest", "extra"}); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/adapters/console"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
)

// On the interactive console, the web server's request lines stay out of
// the chat unless the level is debug; warnings still show, other
// components log as before, and without an interactive console nothing
// changes.
func TestConsoleKeepsRequestLogsOut(t *testing.T) {
	for _, tc := range []struct {
		name                string
		level               string
		interactive         bool
		wantRequest, wantWn bool
	}{
		{"interactive console, info", "info", true, false, true},
		{"interactive console, debug", "debug", true, true, true},
		{"piped console, info", "info", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr, stdout bytes.Buffer
			cfg := config.Default()
			cfg.Log.Level = tc.level
			app := &App{Config: cfg, Env: &Env{Stderr: &stderr, Stdout: &stdout}}
			logs, err := newConsoleLogs(app)
			if err != nil {
				t.Fatal(err)
			}
			web := app.Log.With("component", "web")
			b := bot.New(bot.Options{Logger: app.Log})
			b.AddAdapter(console.New(console.Options{Out: &stdout, Interactive: tc.interactive}))
			logs.attach(b, tc.interactive)
			web.Info("request", "path", "/")
			web.Warn("slow request", "path", "/search")
			app.Log.With("component", "meetups").Info("reminder sent")
			got := stderr.String()
			if strings.Contains(got, "msg=request") != tc.wantRequest {
				t.Errorf("request line shown = %v, want %v:\n%s", !tc.wantRequest, tc.wantRequest, got)
			}
			if !strings.Contains(got, "slow request") || !strings.Contains(got, "reminder sent") {
				t.Errorf("warnings or other components were dropped:\n%s", got)
			}
		})
	}
}

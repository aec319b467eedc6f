package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/bothy-chat/bothy/adapters/console"
	"github.com/bothy-chat/bothy/bot"
)

// consoleLogs keeps the interactive console readable: log lines go through
// the console so they never land in the middle of the "you>" prompt, and
// the web server's per-request lines stay out unless the log level is
// debug (warnings and errors from it still show). Both apply only once
// attach is called, i.e. when the console runs in a terminal; otherwise
// logging is exactly as configured.
type consoleLogs struct {
	out   *switchWriter
	quiet atomic.Bool
	debug bool
}

// newConsoleLogs replaces app.Log with a logger consoleLogs can redirect.
// Call it before anything takes app.Log.
func newConsoleLogs(app *App) (*consoleLogs, error) {
	cl := &consoleLogs{out: &switchWriter{w: app.Env.Stderr}, debug: app.Config.Log.Level == "debug"}
	inner, err := newLogger(cl.out, app.Config.Log.Format, app.Config.Log.Level)
	if err != nil {
		return nil, err
	}
	app.Log = slog.New(&quietWeb{Handler: inner.Handler(), logs: cl})
	return cl, nil
}

// attach routes log lines through the interactive console, if b has one.
func (cl *consoleLogs) attach(b *bot.Bot, interactive bool) {
	ad, err := b.Adapter(console.Name)
	con, ok := ad.(*console.Adapter)
	if err != nil || !ok || !interactive {
		return
	}
	cl.out.set(con.LogWriter(cl.out.get()))
	cl.quiet.Store(!cl.debug)
}

// switchWriter is a writer whose destination can change after loggers
// were built on it.
type switchWriter struct {
	mu sync.RWMutex
	w  io.Writer
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.RLock()
	w := s.w
	s.mu.RUnlock()
	return w.Write(p)
}

func (s *switchWriter) get() io.Writer { s.mu.RLock(); defer s.mu.RUnlock(); return s.w }

func (s *switchWriter) set(w io.Writer) { s.mu.Lock(); s.w = w; s.mu.Unlock() }

// quietWeb drops the web component's records below warning while the
// interactive console is attached and the level is not debug.
type quietWeb struct {
	slog.Handler
	logs *consoleLogs
	web  bool // this logger was made With("component", "web")
}

func (q *quietWeb) Enabled(ctx context.Context, l slog.Level) bool {
	if q.web && l < slog.LevelWarn && q.logs.quiet.Load() {
		return false
	}
	return q.Handler.Enabled(ctx, l)
}

func (q *quietWeb) Handle(ctx context.Context, r slog.Record) error {
	if q.web && r.Level < slog.LevelWarn && q.logs.quiet.Load() {
		return nil
	}
	return q.Handler.Handle(ctx, r)
}

func (q *quietWeb) WithAttrs(as []slog.Attr) slog.Handler {
	web := q.web
	for _, a := range as {
		if a.Key == "component" && a.Value.String() == "web" {
			web = true
		}
	}
	return &quietWeb{Handler: q.Handler.WithAttrs(as), logs: q.logs, web: web}
}

func (q *quietWeb) WithGroup(name string) slog.Handler {
	return &quietWeb{Handler: q.Handler.WithGroup(name), logs: q.logs, web: q.web}
}

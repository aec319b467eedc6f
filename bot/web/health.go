package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type checkResult struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

type readiness struct {
	Status string        `json:"status"`
	Down   []string      `json:"down,omitempty"`
	Checks []checkResult `json:"checks"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz runs every check at once and answers 200 when all pass, else 503
// naming what is down. Error details go to the log, not the public body.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	results := make([]checkResult, len(s.opts.Checks))
	var wg sync.WaitGroup
	for i, c := range s.opts.Checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), s.opts.CheckTimeout)
			defer cancel()
			err := runCheck(ctx, c)
			results[i] = checkResult{Name: c.Name, Status: "ok"}
			if err != nil {
				results[i].Status = "down"
				s.log.Warn("readiness check failed", "check", c.Name, "request_id", RequestID(r.Context()), "err", err)
			}
		}()
	}
	wg.Wait()
	body := readiness{Status: "ok", Checks: results}
	for _, res := range results {
		if res.Status != "ok" {
			body.Down = append(body.Down, res.Name)
		}
	}
	code := http.StatusOK
	if len(body.Down) > 0 {
		body.Status = "down"
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// runCheck turns a check that outlives its deadline or panics into a
// failure instead of a hung or crashed probe.
func runCheck(ctx context.Context, c Check) (err error) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- errPanic
			}
		}()
		done <- c.Check(ctx)
	}()
	select {
	case err = <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

type panicError struct{}

func (panicError) Error() string { return "check panicked" }

var errPanic error = panicError{}

// metricsHandler serves the bot's metrics registry.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.opts.Metrics.Registry, promhttp.HandlerOpts{
		ErrorLog: slogPrinter{s},
	})
}

// slogPrinter adapts promhttp's error log to slog.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Warn("metrics", "err", v) }

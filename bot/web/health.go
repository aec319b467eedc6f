package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/metrics"
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

// metricsHandler refreshes the adapter connected gauges from each
// adapter's own report, then serves the shared registry.
func (s *Server) metricsHandler() http.Handler {
	prom := promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{
		ErrorLog: slogPrinter{s},
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		UpdateConnected(s.opts.Adapters)
		prom.ServeHTTP(w, r)
	})
}

// UpdateConnected sets bothy_adapter_connected for every adapter that
// reports its connection.
func UpdateConnected(adapters []bot.Adapter) {
	for _, a := range adapters {
		if hr, ok := a.(bot.HealthReporter); ok {
			v := 0.0
			if hr.Connected() {
				v = 1
			}
			metrics.AdapterConnected.WithLabelValues(a.Name()).Set(v)
		}
	}
}

// slogPrinter adapts promhttp's error log to slog.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Warn("metrics", "err", v) }

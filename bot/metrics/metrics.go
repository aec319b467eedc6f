// Package metrics holds Bothy's Prometheus metrics in one place, so every
// feature counts the same way and /metrics shows them all. Metrics live in
// a private registry (not the global default) so tests can read them and
// several bots in one test process do not collide.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry is what /metrics serves.
var Registry = prometheus.NewRegistry()

var (
	// EventsIn counts events (messages, reactions, button presses) per adapter.
	EventsIn = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bothy_events_in_total", Help: "Events received, per adapter.",
	}, []string{"adapter"})
	// RepliesOut counts messages sent per adapter and result (ok, error).
	RepliesOut = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bothy_replies_out_total", Help: "Messages sent, per adapter and result.",
	}, []string{"adapter", "result"})
	// CommandDuration times command handlers.
	CommandDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "bothy_command_duration_seconds", Help: "Time to handle a command, per command.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"command"})
	// AnswerDuration times answering a question end to end.
	AnswerDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "bothy_answer_duration_seconds", Help: "Time to answer a question.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
	// Answers counts questions by outcome: answered or abstained.
	Answers = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bothy_answers_total", Help: "Questions by outcome (answered, abstained).",
	}, []string{"outcome"})
	// LLMCalls counts calls to the language model endpoint by kind (chat,
	// embeddings) and result (ok, error, timeout).
	LLMCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bothy_llm_calls_total", Help: "Calls to the LLM endpoint, by kind and result.",
	}, []string{"kind", "result"})
	// RemindersSent counts meetup reminders and announcements delivered.
	RemindersSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bothy_reminders_sent_total", Help: "Meetup announcements and reminders delivered, by kind.",
	}, []string{"kind"})
	// Errors counts errors per component.
	Errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bothy_errors_total", Help: "Errors, per component.",
	}, []string{"component"})
	// AdapterConnected is 1 while an adapter is connected.
	AdapterConnected = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "bothy_adapter_connected", Help: "1 when the adapter is connected, 0 when not.",
	}, []string{"adapter"})
)

func init() {
	Registry.MustRegister(EventsIn, RepliesOut, CommandDuration, AnswerDuration, Answers,
		LLMCalls, RemindersSent, Errors, AdapterConnected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Observer feeds the bot core's counts into the metrics above.
type Observer struct{}

// EventIn counts an incoming event.
func (Observer) EventIn(platform string) { EventsIn.WithLabelValues(platform).Inc() }

// ReplyOut counts a sent message.
func (Observer) ReplyOut(platform string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
		Errors.WithLabelValues("adapter:" + platform).Inc()
	}
	RepliesOut.WithLabelValues(platform, result).Inc()
}

// Handled times a command.
func (Observer) Handled(command string, d time.Duration, err error) {
	CommandDuration.WithLabelValues(command).Observe(d.Seconds())
	if err != nil {
		Errors.WithLabelValues("command").Inc()
	}
}

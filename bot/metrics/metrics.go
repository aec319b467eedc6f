// Package metrics holds Bothy's Prometheus metrics in one place, so every
// feature counts the same way and /metrics shows them all. Each bot gets
// its own Metrics value with its own registry (never the global default),
// passed to the features that count: two bots in one process, as in
// tests, keep separate counts.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/bothy-chat/bothy/bot"
)

// ReminderKinds are the kind labels of bothy_reminders_sent_total. Each
// starts at zero, so a dashboard sees the series before the first send.
var ReminderKinds = []string{"announce", "edit", "cancel", "reminder"}

// Metrics is one bot's collectors and the registry /metrics serves. It
// is the bot core's Observer, and the knowledge base, the LLM client and
// meetups count into it through their own small interfaces.
type Metrics struct {
	// Registry is what /metrics serves.
	Registry *prometheus.Registry

	eventsIn        *prometheus.CounterVec
	repliesOut      *prometheus.CounterVec
	commandDuration *prometheus.HistogramVec
	answerDuration  prometheus.Histogram
	answers         *prometheus.CounterVec
	llmCalls        *prometheus.CounterVec
	remindersSent   *prometheus.CounterVec
	errors          *prometheus.CounterVec
}

var _ bot.Observer = (*Metrics)(nil)

var buckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New returns a Metrics with every collector registered, plus the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		eventsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bothy_events_in_total", Help: "Events received, per adapter.",
		}, []string{"adapter"}),
		repliesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bothy_replies_out_total", Help: "Messages sent, per adapter and result.",
		}, []string{"adapter", "result"}),
		commandDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bothy_command_duration_seconds", Help: "Time to handle a command, per command.", Buckets: buckets,
		}, []string{"command"}),
		answerDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bothy_answer_duration_seconds", Help: "Time to answer a question.", Buckets: buckets,
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bothy_answers_total", Help: "Questions by outcome (answered, abstained).",
		}, []string{"outcome"}),
		llmCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bothy_llm_calls_total", Help: "Calls to the LLM endpoint, by kind and result.",
		}, []string{"kind", "result"}),
		remindersSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bothy_reminders_sent_total", Help: "Meetup announcements and reminders delivered, by kind.",
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bothy_errors_total", Help: "Errors, per component.",
		}, []string{"component"}),
	}
	for _, k := range ReminderKinds {
		m.remindersSent.WithLabelValues(k)
	}
	m.Registry.MustRegister(m.eventsIn, m.repliesOut, m.commandDuration, m.answerDuration, m.answers,
		m.llmCalls, m.remindersSent, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchAdapters reports bothy_adapter_connected for each adapter from the
// first scrape: 1 or 0 as an adapter that reports its connection says,
// and 1 for one that has no connection to lose (the console).
func (m *Metrics) WatchAdapters(adapters []bot.Adapter) {
	m.Registry.MustRegister(connectedCollector(adapters))
}

// EventIn counts an incoming event.
func (m *Metrics) EventIn(platform string) { m.eventsIn.WithLabelValues(platform).Inc() }

// ReplyOut counts a sent message.
func (m *Metrics) ReplyOut(platform string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
		m.errors.WithLabelValues("adapter:" + platform).Inc()
	}
	m.repliesOut.WithLabelValues(platform, result).Inc()
}

// Handled times a command.
func (m *Metrics) Handled(command string, d time.Duration, err error) {
	m.commandDuration.WithLabelValues(command).Observe(d.Seconds())
	if err != nil {
		m.errors.WithLabelValues("command").Inc()
	}
}

// Answered counts a question by outcome and times it.
func (m *Metrics) Answered(answered bool, took time.Duration) {
	outcome := "abstained"
	if answered {
		outcome = "answered"
	}
	m.answers.WithLabelValues(outcome).Inc()
	m.answerDuration.Observe(took.Seconds())
}

// LLMCall counts a call to the language model endpoint by kind (chat,
// embeddings) and result (ok, error, timeout, not_covered: the model
// found the sources do not answer).
func (m *Metrics) LLMCall(kind, result string) { m.llmCalls.WithLabelValues(kind, result).Inc() }

// Delivered counts a meetup announcement or reminder sent; kind is one of
// ReminderKinds.
func (m *Metrics) Delivered(kind string) { m.remindersSent.WithLabelValues(kind).Inc() }

// Failed counts an error in a component.
func (m *Metrics) Failed(component string) { m.errors.WithLabelValues(component).Inc() }

var connectedDesc = prometheus.NewDesc("bothy_adapter_connected",
	"1 when the adapter is connected, 0 when not.", []string{"adapter"}, nil)

// connectedCollector reads each adapter's connection when scraped.
type connectedCollector []bot.Adapter

func (c connectedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- connectedDesc }

func (c connectedCollector) Collect(ch chan<- prometheus.Metric) {
	for _, a := range c {
		v := 1.0
		if hr, ok := a.(bot.HealthReporter); ok && !hr.Connected() {
			v = 0
		}
		ch <- prometheus.MustNewConstMetric(connectedDesc, prometheus.GaugeValue, v, a.Name())
	}
}

// Value reads one series from the registry (a counter's or gauge's value,
// a histogram's count), for tests and diagnostics; labels must match the
// series' labels exactly. ok is false when no such series exists.
func (m *Metrics) Value(name string, labels map[string]string) (v float64, ok bool) {
	families, err := m.Registry.Gather()
	if err != nil {
		return 0, false
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			if len(s.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range s.GetLabel() {
				if want, has := labels[l.GetName()]; !has || want != l.GetValue() {
					continue series
				}
			}
			switch {
			case s.Counter != nil:
				return s.Counter.GetValue(), true
			case s.Gauge != nil:
				return s.Gauge.GetValue(), true
			case s.Histogram != nil:
				return float64(s.Histogram.GetSampleCount()), true
			}
		}
	}
	return 0, false
}

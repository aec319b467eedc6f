package metrics

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

func value(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := m.Value(name, labels)
	if !ok {
		t.Fatalf("%s %v is not in the registry", name, labels)
	}
	return v
}

// Two bots in one process (as in tests) keep their own counts.
func TestTwoMetricsDoNotShare(t *testing.T) {
	a, b := New(), New()
	a.EventIn("console")
	a.ReplyOut("console", errors.New("gone"))
	a.Answered(true, time.Millisecond)
	a.Delivered("announce")
	a.LLMCall("chat", "ok")
	if v := value(t, a, "bothy_events_in_total", map[string]string{"adapter": "console"}); v != 1 {
		t.Errorf("a events = %v, want 1", v)
	}
	if v := value(t, a, "bothy_errors_total", map[string]string{"component": "adapter:console"}); v != 1 {
		t.Errorf("a errors = %v, want 1", v)
	}
	if _, ok := b.Value("bothy_events_in_total", map[string]string{"adapter": "console"}); ok {
		t.Error("b saw a's event")
	}
	if v := value(t, b, "bothy_reminders_sent_total", map[string]string{"kind": "announce"}); v != 0 {
		t.Errorf("b announcements = %v, want 0", v)
	}
	if v := value(t, a, "bothy_answer_duration_seconds", nil); v != 1 {
		t.Errorf("a answer timings = %v, want 1", v)
	}
}

// Dashboards and alerts see the reminder counts from start-up, before
// anything has been sent.
func TestReminderKindsStartAtZero(t *testing.T) {
	m := New()
	for _, k := range ReminderKinds {
		if v := value(t, m, "bothy_reminders_sent_total", map[string]string{"kind": k}); v != 0 {
			t.Errorf("%s = %v, want 0", k, v)
		}
	}
}

type reporting struct {
	*bottest.Adapter
	up atomic.Bool
}

func (r *reporting) Connected() bool { return r.up.Load() }

var _ bot.HealthReporter = (*reporting)(nil)

// Every adapter has a connected gauge from the first scrape: its own
// report where it has one, 1 where there is no connection to lose.
func TestAdapterConnectedFromStart(t *testing.T) {
	m := New()
	slack := &reporting{Adapter: bottest.New("slack")}
	m.WatchAdapters([]bot.Adapter{bottest.New("console"), slack})
	if v := value(t, m, "bothy_adapter_connected", map[string]string{"adapter": "slack"}); v != 0 {
		t.Errorf("slack before connecting = %v, want 0", v)
	}
	if v := value(t, m, "bothy_adapter_connected", map[string]string{"adapter": "console"}); v != 1 {
		t.Errorf("console = %v, want 1", v)
	}
	slack.up.Store(true)
	if v := value(t, m, "bothy_adapter_connected", map[string]string{"adapter": "slack"}); v != 1 {
		t.Errorf("slack once connected = %v, want 1", v)
	}
}

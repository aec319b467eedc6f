package bottest

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// Flood is an adapter for throughput benchmarks: Push stamps each message
// as it is handed to the bot, Send records the delay to its reply, and
// Wait returns once every expected reply is out.
type Flood struct {
	in   chan bot.Event
	mu   sync.Mutex
	sent map[string]time.Time
	lat  []time.Duration
	all  chan struct{}
	got  chan struct{} // one per reply, for PushWait
	want int
	// The clocks: wall and CPU time at Start and at the end of Wait.
	t0, t1     time.Time
	cpu0, cpu1 time.Duration
}

var _ bot.Adapter = (*Flood)(nil)

// NewFlood expects want replies.
func NewFlood(want int) *Flood {
	return &Flood{in: make(chan bot.Event, 1024), sent: make(map[string]time.Time, want), all: make(chan struct{}), got: make(chan struct{}, want), want: want}
}

func (f *Flood) Name() string { return "bench" }

func (f *Flood) Run(ctx context.Context, events chan<- bot.Event) error {
	for ev := range f.in {
		events <- ev
	}
	return nil
}

// Push hands the bot a direct message numbered i from user, stamped now.
func (f *Flood) Push(i int, user, text string) {
	id := "m" + strconv.Itoa(i)
	f.mu.Lock()
	f.sent[id] = time.Now()
	f.mu.Unlock()
	f.in <- bot.Message{Platform: "bench", ID: id, UserID: user, RoomID: "dm", Text: text, Direct: true}
}

// PushWait is Push, then waits for the reply: with one message in flight
// at a time, the delays are what one message takes, not queueing.
func (f *Flood) PushWait(i int, user, text string) {
	f.Push(i, user, text)
	<-f.got
}

func (f *Flood) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	now := time.Now()
	f.mu.Lock()
	f.lat = append(f.lat, now.Sub(f.sent[to.ReplyTo]))
	if len(f.lat) == f.want {
		close(f.all)
	}
	f.mu.Unlock()
	f.got <- struct{}{}
	return bot.MessageRef{Platform: "bench", ID: to.ReplyTo}, nil
}

// Start starts the clocks that Report reads.
func (f *Flood) Start() { f.t0, f.cpu0 = time.Now(), CPUTime() }

// Wait blocks until every expected reply has been sent, and stops the
// clocks.
func (f *Flood) Wait() {
	<-f.all
	f.t1, f.cpu1 = time.Now(), CPUTime()
}

// End closes the input, so Bot.Run returns once the adapter is drained.
func (f *Flood) End() { close(f.in) }

// Percentile returns the reply delay below which a share p of replies fell.
func (f *Flood) Percentile(p float64) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lat) == 0 {
		return 0
	}
	sort.Slice(f.lat, func(i, j int) bool { return f.lat[i] < f.lat[j] })
	return f.lat[min(len(f.lat)-1, int(p*float64(len(f.lat))))]
}

// Report adds to a benchmark's figures messages per second from Start to
// the end of Wait, the CPU time per message over the same span (all
// threads: the steadier figure on a shared machine, where neighbours
// stretch wall time but not work) and the p50/p99 reply delays.
func (f *Flood) Report(b *testing.B) {
	elapsed := f.t1.Sub(f.t0)
	b.ReportMetric(float64(f.want)/elapsed.Seconds(), "msgs/s")
	if cpu := f.cpu1 - f.cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(f.want), "cpu-µs/msg")
	}
	b.ReportMetric(float64(f.Percentile(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(f.Percentile(0.99).Microseconds()), "p99-µs")
}

package slack

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// sendQueue paces posts per channel. Slack allows roughly one message per
// second per channel and answers bursts with HTTP 429 and Retry-After; the
// queue keeps each channel's messages in order, spaces them by interval, and
// on a 429 waits as told and tries the same message again, so nothing is
// dropped while the caller's context lives.
type sendQueue struct {
	interval time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	// onLimited is told about each 429, for logs and metrics.
	onLimited func(channel string, wait time.Duration)

	mu    sync.Mutex
	lanes map[string]*lane
}

// lane is one channel's queue: a chain of tickets, each job waiting for the
// one before it, so order is first come, first served.
type lane struct {
	tail    chan struct{}
	next    time.Time // earliest time the next post may go
	pending int
}

func newSendQueue(interval time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *sendQueue {
	if sleep == nil {
		sleep = sleepCtx
	}
	return &sendQueue{interval: interval, now: now, sleep: sleep, lanes: map[string]*lane{}}
}

// do runs fn in channel's lane: after the jobs queued before it, no sooner
// than interval after the previous post, and again after each 429.
func (q *sendQueue) do(ctx context.Context, channel string, fn func(context.Context) error) error {
	q.mu.Lock()
	l := q.lanes[channel]
	if l == nil {
		l = &lane{}
		q.lanes[channel] = l
	}
	prev := l.tail
	mine := make(chan struct{})
	l.tail = mine
	l.pending++
	q.mu.Unlock()

	release := func() {
		q.mu.Lock()
		l.pending--
		// An idle lane whose pacing window has passed holds nothing worth
		// keeping.
		if l.pending == 0 && !q.now().Before(l.next) {
			delete(q.lanes, channel)
		}
		q.mu.Unlock()
		close(mine)
	}
	if prev != nil {
		select {
		case <-prev:
		case <-ctx.Done():
			// Keep the chain intact: the next job must still wait for prev.
			go func() { <-prev; release() }()
			return ctx.Err()
		}
	}
	defer release()
	for {
		q.mu.Lock()
		wait := l.next.Sub(q.now())
		q.mu.Unlock()
		if wait > 0 {
			if err := q.sleep(ctx, wait); err != nil {
				return err
			}
		}
		err := fn(ctx)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			retry := max(rl.RetryAfter, time.Second)
			if q.onLimited != nil {
				q.onLimited(channel, retry)
			}
			q.mu.Lock()
			l.next = q.now().Add(retry)
			q.mu.Unlock()
			continue
		}
		q.mu.Lock()
		l.next = q.now().Add(q.interval)
		q.mu.Unlock()
		return err
	}
}

// size reports how many channels have a lane, for tests.
func (q *sendQueue) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.lanes)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryLimited calls fn, waiting out 429s (up to a few times) for methods
// outside the per-channel queue: reactions, users.info and the like.
func retryLimited(ctx context.Context, sleep func(context.Context, time.Duration) error, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= 5 {
			return err
		}
		if err := sleep(ctx, max(rl.RetryAfter, time.Second)); err != nil {
			return err
		}
	}
}

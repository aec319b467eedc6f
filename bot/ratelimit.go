package bot

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter allows each key (a member, an address) a number of actions
// a minute: a burst of that many, then one every minute/N. Keys that
// have been idle long enough to be full again are forgotten, so memory
// stays bounded however many keys there are.
type RateLimiter struct {
	perMinute int
	clock     Clock

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// maxIdleKeys is how many keys are kept before full ones are forgotten.
const maxIdleKeys = 10000

// NewRateLimiter allows perMinute actions a minute per key; perMinute <= 0
// returns nil, which allows everything.
func NewRateLimiter(perMinute int, clock Clock) *RateLimiter {
	if perMinute <= 0 {
		return nil
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &RateLimiter{perMinute: perMinute, clock: clock, keys: map[string]*rate.Limiter{}}
}

// PerMinute is the configured rate (0 for a nil limiter: no limit).
func (l *RateLimiter) PerMinute() int {
	if l == nil {
		return 0
	}
	return l.perMinute
}

// Allow takes one action for key if its allowance has one; otherwise it
// returns false and how long until it will.
func (l *RateLimiter) Allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= maxIdleKeys {
			l.forgetFull(now)
		}
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.perMinute)
		l.keys[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (l *RateLimiter) forgetFull(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.perMinute) {
			delete(l.keys, k)
		}
	}
}

// Wait says a wait in words for people: "1 second", "12 seconds",
// "2 minutes", rounded up so trying again then works.
func Wait(d time.Duration) string {
	s := int(math.Ceil(d.Seconds()))
	switch {
	case s <= 1:
		return "1 second"
	case s < 90:
		return fmt.Sprintf("%d seconds", s)
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(float64(s)/60)))
}

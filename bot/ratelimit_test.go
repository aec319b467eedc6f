package bot

import (
	"fmt"
	"testing"
	"time"
)

type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

func TestRateLimiter(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	l := NewRateLimiter(20, clock)
	for i := 0; i < 20; i++ {
		if ok, _ := l.Allow("slack:U1"); !ok {
			t.Fatalf("action %d of the first 20 refused", i+1)
		}
	}
	ok, wait := l.Allow("slack:U1")
	if ok || wait <= 0 || wait > 3*time.Second {
		t.Fatalf("21st action: ok %v, wait %v; want refused with a wait of up to 3s", ok, wait)
	}
	// Someone else is not held up by U1.
	if ok, _ := l.Allow("slack:U2"); !ok {
		t.Error("another member was refused")
	}
	// A refusal takes nothing: after the wait, one more is allowed.
	clock.t = clock.t.Add(wait)
	if ok, _ := l.Allow("slack:U1"); !ok {
		t.Error("refused after waiting as told")
	}
	if ok, _ := l.Allow("slack:U1"); ok {
		t.Error("a second action allowed straight after the wait")
	}
	// A minute on, the allowance is whole again.
	clock.t = clock.t.Add(time.Minute)
	for i := 0; i < 20; i++ {
		if ok, _ := l.Allow("slack:U1"); !ok {
			t.Fatalf("after a minute, action %d refused", i+1)
		}
	}
	if NewRateLimiter(0, clock) != nil {
		t.Error("a rate of 0 should mean no limiter")
	}
	var none *RateLimiter
	if ok, _ := none.Allow("x"); !ok {
		t.Error("a nil limiter refused")
	}
}

func TestRateLimiterForgetsIdleKeys(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	l := NewRateLimiter(5, clock)
	for i := 0; i < maxIdleKeys; i++ {
		l.Allow(fmt.Sprint("addr", i))
	}
	clock.t = clock.t.Add(time.Hour)
	l.Allow("one more")
	if n := len(l.keys); n != 1 {
		t.Errorf("%d keys kept, want the idle ones forgotten", n)
	}
}

func TestWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		200 * time.Millisecond: "1 second", 2100 * time.Millisecond: "3 seconds", 45 * time.Second: "45 seconds",
		100 * time.Second: "2 minutes",
	} {
		if got := Wait(d); got != want {
			t.Errorf("Wait(%v) = %q, want %q", d, got, want)
		}
	}
}

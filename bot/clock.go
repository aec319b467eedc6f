package bot

import "time"

// Clock tells the time. Schedulers take one so tests can move time,
// including across daylight-saving changes.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

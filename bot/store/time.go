package store

import (
	"fmt"
	"time"
)

// TimeLayout is how every table stores an instant: UTC to the
// millisecond, fixed width, the text SQLite's
// strftime('%Y-%m-%dT%H:%M:%fZ','now') writes for column defaults. Text
// order is time order, so SQL compares and sorts times as strings, and Go
// and SQL write the same thing.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time encodes t for storage.
func Time(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime decodes a stored time; "" is the zero time. Any RFC 3339 form
// is read, so rows written before the encoding was settled still load.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: time %q: %w", s, err)
	}
	return t, nil
}

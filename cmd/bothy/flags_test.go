package main

import (
	"testing"
	"time"
)

func TestParseDateFlag(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2026-01-02", time.Date(2026, 1, 2, 0, 0, 0, 0, loc), false},
		{" 2026-07-02 ", time.Date(2026, 7, 2, 0, 0, 0, 0, loc), false}, // midnight BST
		{"2026-01-02T09:00:00Z", time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), false},
		{"2026-01-01T23:00:00-01:00", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), false},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
		{"02/01/2026", time.Time{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDateFlag(tc.in, loc)
			if (err != nil) != tc.err || !got.Equal(tc.want) {
				t.Fatalf("parseDateFlag(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

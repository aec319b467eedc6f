package testenv

import "time"

// WaitTB is the part of testing.TB that Eventually uses.
type WaitTB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Eventually waits until cond holds, asking every few milliseconds, and
// fails the test naming what it waited for when within passes first. A
// test waits on the condition it needs, never on a guess at how long
// something takes.
func Eventually(t WaitTB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
			return
		}
		<-tick.C
	}
}

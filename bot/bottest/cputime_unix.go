//go:build unix

package bottest

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time (user and system, every thread) this process has
// used so far. Benchmarks report CPU per operation beside wall time: on a
// shared machine, neighbours stretch the wall clock but not the work.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

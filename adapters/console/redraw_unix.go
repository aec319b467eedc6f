//go:build unix

package console

import "syscall"

// redrawPrompt asks the line editor (peterh/liner) to draw the prompt and
// the line being typed again. Liner redraws on SIGWINCH, the signal a
// terminal sends when its window changes size, and offers no other way in
// while it waits for a key; the signal goes only to this process.
func redrawPrompt() { _ = syscall.Kill(syscall.Getpid(), syscall.SIGWINCH) }

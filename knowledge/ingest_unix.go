//go:build unix

package knowledge

import "syscall"

// openNonBlock makes opening a FIFO return at once instead of waiting for
// a writer; regular files read the same with or without it.
const openNonBlock = syscall.O_NONBLOCK

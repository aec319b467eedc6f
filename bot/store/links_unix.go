//go:build unix

package store

import (
	"os"
	"syscall"
)

// linkCount is how many names (hard links) the file has.
func linkCount(st os.FileInfo) uint64 {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Nlink)
	}
	return 1
}

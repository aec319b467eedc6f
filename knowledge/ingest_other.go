//go:build !unix

package knowledge

// openNonBlock is not needed where there are no FIFOs to open.
const openNonBlock = 0

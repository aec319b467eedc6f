//go:build goolm

package main

// A goolm test build also builds the bothy binary with goolm, so the
// end-to-end tests run the binary that can join encrypted Matrix rooms.
func init() { binaryTags = append(binaryTags, "goolm") }

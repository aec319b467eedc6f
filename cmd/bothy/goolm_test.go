//go:build goolm

package main

// binaryTags are the build tags bothyBin is built with. A goolm test build
// also builds the bothy binary with goolm, so the end-to-end tests run the
// binary that can join encrypted Matrix rooms.
var binaryTags = []string{"goolm"}

//go:build !goolm

package main

// binaryTags are the build tags bothyBin is built with (see goolm_test.go).
var binaryTags []string

//go:build integration && !goolm

package main

import (
	"testing"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
)

// e2eEncryption: without goolm the binary cannot encrypt, so the
// end-to-end test announces to two plain rooms and leaves the encrypted
// room to the goolm build (the project's test command uses it).
const e2eEncryption = false

func personCrypto(*testing.T, *dendritetest.Person) {}

//go:build integration && goolm

package main

import (
	"testing"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
)

// e2eEncryption: this build's bothy binary has goolm, so the end-to-end
// test uses the encrypted room too.
const e2eEncryption = true

// personCrypto gives a person's client end-to-end encryption.
func personCrypto(t *testing.T, p *dendritetest.Person) { p.EnableEncryption(t) }

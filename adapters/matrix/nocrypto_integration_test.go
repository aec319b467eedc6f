//go:build integration && !goolm

package matrix_test

import (
	"testing"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
)

// maybeCrypto does nothing without goolm: the bot makes plain direct chats.
func maybeCrypto(*testing.T, *dendritetest.Person) {}

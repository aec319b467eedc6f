//go:build integration && goolm

package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/crypto/cryptohelper"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/bot/store"
)

// e2eEncryption: this build's bothy binary has goolm, so the end-to-end
// test uses the encrypted room too.
const e2eEncryption = true

// personCrypto gives a person's client end-to-end encryption (goolm), with
// its keys in a SQLite file of its own.
func personCrypto(t *testing.T, p *dendritetest.Person) {
	t.Helper()
	raw, err := sql.Open("sqlite", store.DSN(filepath.Join(t.TempDir(), "person.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	db, err := dbutil.NewWithDB(raw, "sqlite3")
	if err != nil {
		t.Fatal(err)
	}
	helper, err := cryptohelper.NewCryptoHelper(p.Client, []byte("e2e person pickle key"), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Init(context.Background()); err != nil {
		t.Fatalf("person crypto: %v", err)
	}
	p.Client.Crypto = helper
}

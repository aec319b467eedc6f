//go:build goolm

package dendritetest

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/crypto/cryptohelper"

	"github.com/bothy-chat/bothy/bot/store"
)

// EnableEncryption gives the person's client end-to-end encryption with
// goolm, its keys in a SQLite file of its own (modernc, as the bot uses).
// Call it before Start.
func (p *Person) EnableEncryption(tb testing.TB) {
	tb.Helper()
	raw, err := sql.Open("sqlite", store.DSN(filepath.Join(tb.TempDir(), "person.db"), false))
	if err != nil {
		tb.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	tb.Cleanup(func() { raw.Close() })
	db, err := dbutil.NewWithDB(raw, "sqlite3")
	if err != nil {
		tb.Fatal(err)
	}
	helper, err := cryptohelper.NewCryptoHelper(p.Client, []byte("dendritetest person pickle key"), db)
	if err != nil {
		tb.Fatal(err)
	}
	if err := helper.Init(context.Background()); err != nil {
		tb.Fatalf("dendritetest: person crypto: %v", err)
	}
	p.Client.Crypto = helper
}

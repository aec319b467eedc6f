//go:build goolm

package matrix

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/crypto/cryptohelper"
)

type goolmBackend struct{ helper *cryptohelper.CryptoHelper }

// close leaves the database open: it is the app's, shared with Bothy.
func (goolmBackend) close() error { return nil }

// setupCrypto starts end-to-end encryption with mautrix's pure-Go olm. The
// crypto store's tables live in the app database; the account is keyed by
// user and device so a new device never trips over an old one's keys.
func setupCrypto(ctx context.Context, a *Adapter) (cryptoBackend, error) {
	key, err := a.pickleKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("pickle key: %w", err)
	}
	helper, err := cryptohelper.NewCryptoHelper(a.cli, key, a.dbutil)
	if err != nil {
		return nil, err
	}
	helper.DBAccountID = string(a.cli.UserID) + "|" + string(a.cli.DeviceID)
	helper.DecryptErrorCallback = a.onDecryptError
	if err := helper.Init(ctx); err != nil {
		return nil, err
	}
	a.cli.Crypto = helper
	return goolmBackend{helper}, nil
}

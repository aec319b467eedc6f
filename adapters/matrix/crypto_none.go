//go:build !goolm

package matrix

import "context"

// setupCrypto without the goolm tag: mautrix's other olm backend needs cgo
// and libolm, which Bothy does not use, so encryption is simply absent and
// unencrypted rooms keep working.
func setupCrypto(context.Context, *Adapter) (cryptoBackend, error) {
	return nil, errNoCrypto
}

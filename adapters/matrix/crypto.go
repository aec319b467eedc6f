package matrix

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
)

// errNoCrypto explains why encrypted rooms do not work in this build.
var errNoCrypto = errors.New("encryption needs a build with -tags goolm")

// cryptoBackend is the running end-to-end encryption, if any.
type cryptoBackend interface{ close() error }

// pickleKey is the key the crypto store encrypts its secrets with. A
// configured key (BOTHY_MATRIX_PICKLE_KEY) keeps it out of the database;
// otherwise one is made once and stored next to the keys it protects.
func (a *Adapter) pickleKey(ctx context.Context) ([]byte, error) {
	if a.opts.PickleKey != "" {
		return []byte(a.opts.PickleKey), nil
	}
	v, ok, err := a.db.GetKV(ctx, kvNamespace, "pickle_key")
	if err != nil {
		return nil, err
	}
	if !ok {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		v = hex.EncodeToString(b[:])
		if err := a.db.SetKV(ctx, kvNamespace, "pickle_key", v); err != nil {
			return nil, err
		}
	}
	return []byte(v), nil
}

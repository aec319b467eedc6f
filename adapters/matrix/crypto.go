package matrix

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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

// sealInfo names what the pickle key is stretched for, so the same key
// used elsewhere yields a different AES key.
const sealInfo = "bothy matrix cross-signing seeds"

// seal encrypts a secret (the cross-signing private keys) with a key
// derived from the pickle key, so the database alone does not give them
// away when the pickle key is kept outside it (BOTHY_MATRIX_PICKLE_KEY).
// AES-256-GCM with a random nonce; the output is base64.
func seal(pickleKey, plaintext []byte) (string, error) {
	gcm, err := sealCipher(pickleKey)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, plaintext, []byte(sealInfo))), nil
}

// unseal reverses seal; a wrong pickle key is an error, not garbage.
func unseal(pickleKey []byte, sealed string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, err
	}
	gcm, err := sealCipher(pickleKey)
	if err != nil {
		return nil, err
	}
	if len(raw) < gcm.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	out, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte(sealInfo))
	if err != nil {
		return nil, errors.New("cannot decrypt with this pickle key (was BOTHY_MATRIX_PICKLE_KEY changed?)")
	}
	return out, nil
}

func sealCipher(pickleKey []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, pickleKey, nil, sealInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

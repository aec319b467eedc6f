//go:build goolm

package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/id"
)

type goolmBackend struct{ helper *cryptohelper.CryptoHelper }

// close leaves the database open: it is the app's, shared with Bothy.
func (goolmBackend) close() error { return nil }

// setupCrypto starts end-to-end encryption with mautrix's pure-Go olm. The
// crypto store's tables live in the app database; the account is keyed by
// user and device so a new device never trips over an old one's keys.
// Then the bot's own account is cross-signed (see crossSign).
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
	if !a.opts.NoCrossSigning {
		if err := a.crossSign(ctx, helper.Machine(), key); err != nil {
			// Unverified is still better than no encryption: carry on.
			a.log.Warn("cross-signing not set up; clients that only share keys with verified sessions will not talk to the bot", "err", err)
		}
	}
	return goolmBackend{helper}, nil
}

func crossSigningKey(user id.UserID) string { return "cross_signing|" + string(user) }

// crossSign makes the bot's device one its owner has verified, which
// Element's "exclude insecure devices" (MSC4153) requires before it
// shares room keys with it or shows its messages. On first login the bot
// makes cross-signing keys for its account, publishes them, keeps the
// private keys in the database sealed with the pickle key, and prints the
// recovery key once; later starts (and new devices, with the same
// database) sign the device with the stored keys. An account whose keys
// were made elsewhere is used through its recovery key
// (BOTHY_MATRIX_RECOVERY_KEY).
func (a *Adapter) crossSign(ctx context.Context, mach *crypto.OlmMachine, pickle []byte) error {
	user := a.cli.UserID
	if sealed, ok, err := a.db.GetKV(ctx, kvNamespace, crossSigningKey(user)); err != nil {
		return err
	} else if ok {
		plain, err := unseal(pickle, sealed)
		if err != nil {
			return fmt.Errorf("stored cross-signing keys: %w", err)
		}
		var seeds crypto.CrossSigningSeeds
		if err := json.Unmarshal(plain, &seeds); err != nil {
			return fmt.Errorf("stored cross-signing keys: %w", err)
		}
		if err := mach.ImportCrossSigningKeys(seeds); err != nil {
			return fmt.Errorf("stored cross-signing keys: %w", err)
		}
	}
	published, err := a.publishedMasterKey(ctx)
	if err != nil {
		return err
	}
	switch {
	case published == "":
		if err := a.makeCrossSigningKeys(ctx, mach, pickle); err != nil {
			return err
		}
	case mach.CrossSigningKeys != nil && mach.CrossSigningKeys.MasterKey.PublicKey() == published:
		// Ours: only the device may need signing.
	case a.opts.RecoveryKey != "":
		if err := mach.VerifyWithRecoveryKey(ctx, a.opts.RecoveryKey); err != nil {
			return fmt.Errorf("the recovery key (BOTHY_MATRIX_RECOVERY_KEY) did not unlock the account's cross-signing keys: %w", err)
		}
		if err := a.storeCrossSigningKeys(ctx, mach, pickle); err != nil {
			return err
		}
		a.log.Info("cross-signing keys restored with the recovery key")
	default:
		return errors.New("the bot's account has cross-signing keys that this database does not hold " +
			"(made by another client, or the database was replaced); set BOTHY_MATRIX_RECOVERY_KEY to the recovery key to use them")
	}
	return a.signOwnDevice(ctx, mach)
}

// publishedMasterKey asks the homeserver for the account's master key
// ("" when it has none), bypassing the local cache, which an identity reset
// elsewhere would leave stale.
func (a *Adapter) publishedMasterKey(ctx context.Context) (id.Ed25519, error) {
	var resp *mautrix.RespQueryKeys
	err := a.withRetry(ctx, func(ctx context.Context) error {
		var err error
		resp, err = a.cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: mautrix.DeviceKeysRequest{a.cli.UserID: mautrix.DeviceIDList{}}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("query own keys: %w", err)
	}
	mk, ok := resp.MasterKeys[a.cli.UserID]
	if !ok {
		return "", nil
	}
	return mk.FirstKey(), nil
}

func (a *Adapter) makeCrossSigningKeys(ctx context.Context, mach *crypto.OlmMachine, pickle []byte) error {
	recoveryKey, _, err := mach.GenerateAndUploadCrossSigningKeys(ctx, a.passwordAuth, "")
	if err != nil {
		if a.opts.Password == "" {
			return fmt.Errorf("publishing cross-signing keys needs the account password once (BOTHY_MATRIX_PASSWORD): %w", err)
		}
		return fmt.Errorf("publish cross-signing keys: %w", err)
	}
	if err := a.storeCrossSigningKeys(ctx, mach, pickle); err != nil {
		return err
	}
	// Shown once, outside the log: it unlocks the bot's identity.
	fmt.Fprintf(a.opts.AdminOut, "\n"+
		"Bothy set up cross-signing for %s, so Element and other clients can\n"+
		"trust its sessions. Its recovery key, shown only this once:\n\n"+
		"    %s\n\n"+
		"Keep it with the bot's other secrets (a password manager). It restores the\n"+
		"bot's identity if the database is lost: start Bothy with\n"+
		"BOTHY_MATRIX_RECOVERY_KEY set to it, and the new session is signed with the\n"+
		"same keys, so people who verified the bot need not do it again.\n\n",
		a.cli.UserID, recoveryKey)
	a.log.Info("cross-signing keys published; the recovery key was printed once on standard error", "master_key", mach.CrossSigningKeys.MasterKey.PublicKey())
	return nil
}

func (a *Adapter) storeCrossSigningKeys(ctx context.Context, mach *crypto.OlmMachine, pickle []byte) error {
	plain, err := json.Marshal(mach.ExportCrossSigningKeys())
	if err != nil {
		return err
	}
	sealed, err := seal(pickle, plain)
	if err != nil {
		return err
	}
	if err := a.db.SetKV(ctx, kvNamespace, crossSigningKey(a.cli.UserID), sealed); err != nil {
		return fmt.Errorf("store cross-signing keys: %w", err)
	}
	return nil
}

// signOwnDevice signs this device with the self-signing key, once.
func (a *Adapter) signOwnDevice(ctx context.Context, mach *crypto.OlmMachine) error {
	own := mach.OwnIdentity()
	self := mach.CrossSigningKeys.SelfSigningKey.PublicKey()
	if signed, err := mach.CryptoStore.IsKeySignedBy(ctx, own.UserID, own.SigningKey, own.UserID, self); err == nil && signed {
		return nil
	}
	if err := mach.SignOwnDevice(ctx, own); err != nil {
		return fmt.Errorf("sign own device: %w", err)
	}
	if err := mach.SignOwnMasterKey(ctx); err != nil {
		return fmt.Errorf("sign own master key: %w", err)
	}
	a.log.Info("device cross-signed", "device", own.DeviceID)
	return nil
}

// passwordAuth answers the homeserver's user-interactive auth for the
// cross-signing upload with the account password.
func (a *Adapter) passwordAuth(resp *mautrix.RespUserInteractive) any {
	if a.opts.Password == "" {
		return nil
	}
	return map[string]any{
		"type":       mautrix.AuthTypePassword,
		"session":    resp.Session,
		"identifier": map[string]any{"type": mautrix.IdentifierTypeUser, "user": string(a.cli.UserID)},
		"user":       string(a.cli.UserID),
		"password":   a.opts.Password,
	}
}

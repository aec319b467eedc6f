package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// session is what a restart needs to come back as the same device. It lives
// in the kv table; the access token in it is a secret, so the database is.
type session struct {
	UserID      id.UserID   `json:"user_id"`
	DeviceID    id.DeviceID `json:"device_id"`
	AccessToken string      `json:"access_token"`
}

func (a *Adapter) sessionKey() string {
	return "session|" + strings.TrimRight(a.opts.Homeserver, "/") + "|" + a.opts.User
}

func (a *Adapter) loadSession(ctx context.Context) (session, bool, error) {
	raw, ok, err := a.db.GetKV(ctx, kvNamespace, a.sessionKey())
	if err != nil || !ok {
		return session{}, false, err
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		// A damaged row is not worth failing for: log in afresh.
		a.log.Warn("stored Matrix session unreadable, logging in again", "err", err)
		return session{}, false, nil
	}
	return s, s.AccessToken != "", nil
}

func (a *Adapter) saveSession(ctx context.Context) error {
	b, err := json.Marshal(session{UserID: a.cli.UserID, DeviceID: a.cli.DeviceID, AccessToken: a.cli.AccessToken})
	if err != nil {
		return err
	}
	return a.db.SetKV(ctx, kvNamespace, a.sessionKey(), string(b))
}

// errAuth marks login failures that retrying will not fix.
var errAuth = errors.New("matrix: login refused")

// login sets the client's credentials: the configured token, else the stored
// session, else a password login that reuses the stored device ID so the
// bot keeps one device (and its encryption keys) across restarts.
func (a *Adapter) login(ctx context.Context) error {
	if a.opts.Token != "" {
		a.cli.AccessToken = a.opts.Token
		who, err := a.cli.Whoami(ctx)
		if err != nil {
			return classifyLogin(err, "the access token (BOTHY_MATRIX_TOKEN)")
		}
		if a.opts.User != "" && !sameUser(who.UserID, a.opts.User) {
			return fmt.Errorf("%w: the access token belongs to %s, not %s", errAuth, who.UserID, a.opts.User)
		}
		a.cli.UserID, a.cli.DeviceID = who.UserID, who.DeviceID
		return a.saveSession(ctx)
	}
	stored, ok, err := a.loadSession(ctx)
	if err != nil {
		return err
	}
	if ok {
		a.cli.AccessToken = stored.AccessToken
		who, err := a.cli.Whoami(ctx)
		switch {
		case err == nil && who.UserID == stored.UserID:
			a.cli.UserID, a.cli.DeviceID = who.UserID, who.DeviceID
			if a.cli.DeviceID == "" {
				a.cli.DeviceID = stored.DeviceID
			}
			a.log.Info("reusing stored Matrix session", "user", a.cli.UserID, "device", a.cli.DeviceID)
			return nil
		case err == nil, errors.Is(err, mautrix.MUnknownToken):
			a.log.Info("stored Matrix session no longer valid, logging in again", "device", stored.DeviceID)
		default:
			return err
		}
		a.cli.AccessToken = ""
	}
	return a.passwordLogin(ctx, stored.DeviceID)
}

func (a *Adapter) passwordLogin(ctx context.Context, device id.DeviceID) error {
	if a.opts.Password == "" {
		return fmt.Errorf("%w: the stored session is invalid and no password is set (BOTHY_MATRIX_PASSWORD)", errAuth)
	}
	resp, err := a.cli.Login(ctx, &mautrix.ReqLogin{
		Type:                     mautrix.AuthTypePassword,
		Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: a.opts.User},
		Password:                 a.opts.Password,
		DeviceID:                 device,
		InitialDeviceDisplayName: a.opts.DeviceName,
		StoreCredentials:         true,
	})
	if err != nil {
		return classifyLogin(err, "user "+a.opts.User+" with the password (BOTHY_MATRIX_PASSWORD)")
	}
	a.log.Info("logged in to Matrix", "user", resp.UserID, "device", resp.DeviceID)
	return a.saveSession(ctx)
}

// classifyLogin turns refusals into errAuth so Run stops instead of
// retrying a wrong password forever; network trouble stays retryable.
func classifyLogin(err error, what string) error {
	var he mautrix.HTTPError
	if errors.As(err, &he) && he.RespError != nil {
		switch he.RespError.ErrCode {
		case "M_FORBIDDEN", "M_UNKNOWN_TOKEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME", "M_MISSING_TOKEN":
			return fmt.Errorf("%w: the homeserver refused %s: %s", errAuth, what, he.RespError.Err)
		}
	}
	return err
}

// sameUser compares a full user ID with a configured full ID or localpart.
func sameUser(full id.UserID, configured string) bool {
	configured = strings.TrimSpace(configured)
	if strings.HasPrefix(configured, "@") {
		return string(full) == configured
	}
	local, _, err := full.Parse()
	return err == nil && local == configured
}

//go:build integration && goolm

package matrix_test

import (
	"context"
	"strings"
	"testing"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/adapters/matrix/jsclient"
	"github.com/bothy-chat/bothy/internal/testenv"
)

// jsReplyTo matches the bot's messages that answer q, as the js client
// saw them.
func jsReplyTo(botID id.UserID, q id.EventID) func(jsclient.Event) bool {
	return func(e jsclient.Event) bool {
		m := e.Message()
		return e.Sender == botID && m != nil && m.RelatesTo.GetReplyTo() == q
	}
}

// recoveryKey reads the key from the one-time message on AdminOut.
func recoveryKey(msg string) string {
	_, after, ok := strings.Cut(msg, "shown only this once:")
	if !ok {
		return ""
	}
	for _, line := range strings.Split(after, "\n") {
		if k := strings.TrimSpace(line); k != "" {
			return k
		}
	}
	return ""
}

// TestElementStrictModeNeedsCrossSigning drives the bot from matrix-js-sdk
// with Rust crypto in Element's "exclude insecure devices" mode
// (OnlySignedDevicesIsolationMode, MSC4153). Without cross-signing the
// client withholds room keys from the bot (m.unverified) and refuses the
// bot's messages; the bot's notice names that cause. Once the bot has
// bootstrapped cross-signing for its account (on the next start, same
// database), the same client talks to it; the recovery key is shown once,
// outside the log (issue 16.2).
func TestElementStrictModeNeedsCrossSigning(t *testing.T) {
	jsclient.Require(t)
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{})
	logs, admin := &testenv.Buffer{}, &testenv.Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	path := dbPath(t)
	c := &calls{n: map[string]int{}}
	b := startBot(t, f, botConfig{dbPath: path, encryption: true, log: logs, admin: admin, noCrossSigning: true}, c)
	member := f.Server.NewPerson(t, f.Member)
	member.EnableEncryption(t)
	member.Start()
	botID := f.Bot.ID

	ellie := f.Server.Register(t, "ellie")
	if _, err := f.Server.Client(t, f.Organiser).InviteUser(context.Background(), f.Encrypted, &mautrix.ReqInviteUser{UserID: ellie.ID}); err != nil {
		t.Fatal(err)
	}
	js := jsclient.Start(t, jsclient.Options{
		BaseURL: f.Server.URL, UserID: ellie.ID, AccessToken: ellie.Token, DeviceID: ellie.DeviceID,
		Password: ellie.Password, Strict: true,
	})
	js.Join(t, f.Encrypted)
	waitUntil(t, "the bot joined the encrypted room", func() bool { return joined(t, f, f.Encrypted) })
	waitUntil(t, "the bot is connected", b.Adapter.Connected)

	t.Run("an unverified bot gets no keys and says why", func(t *testing.T) {
		q := js.Say(t, f.Encrypted, "!echo can you read me?")
		member.WaitFor(t, wait, "the notice naming the cause", and(hasText("only shares keys with verified sessions"), inRoom(f.Encrypted)))
		if n := c.get(string(q)); n != 0 {
			t.Errorf("the bot answered a message it was given no key for (%d)", n)
		}
		// And Element cannot read the bot either.
		e := js.WaitFor(t, wait, "the bot's notice, refused", func(e jsclient.Event) bool {
			return e.Sender == botID && e.DecryptionFailure != ""
		})
		if e.DecryptionFailure != "UNSIGNED_SENDER_DEVICE" {
			t.Errorf("decryption failure = %s, want UNSIGNED_SENDER_DEVICE", e.DecryptionFailure)
		}
		if admin.String() != "" {
			t.Errorf("a recovery key was shown with cross-signing off:\n%s", admin.String())
		}
	})

	var device id.DeviceID
	var key string
	t.Run("after cross-signing, strict Element talks to the bot", func(t *testing.T) {
		b.Stop()
		b = startBot(t, f, botConfig{dbPath: path, encryption: true, log: logs, admin: admin}, c)
		waitUntil(t, "the bot is connected", b.Adapter.Connected)
		key = recoveryKey(admin.String())
		if key == "" {
			t.Fatalf("no recovery key shown:\n%s", admin.String())
		}
		device = id.DeviceID(b.Adapter.DeviceID())
		if st := js.DeviceStatus(t, botID, device); !st.SignedByOwner || !st.UserHasCrossSigning {
			t.Fatalf("Element's view of the bot's device: %+v, want it signed by its owner", st)
		}
		q := js.Say(t, f.Encrypted, "!echo now you can")
		e := js.WaitFor(t, wait, "the answer", jsReplyTo(botID, q))
		if e.DecryptionFailure != "" || e.Body() != "echo: now you can" {
			t.Errorf("answer = %q (failure %q)", e.Body(), e.DecryptionFailure)
		}
		if strings.Contains(logs.String(), key) {
			t.Error("the recovery key is in the log")
		}
	})

	t.Run("restart: same keys, recovery key not shown again", func(t *testing.T) {
		admin2 := &testenv.Buffer{}
		b.Stop()
		b = startBot(t, f, botConfig{dbPath: path, encryption: true, log: logs, admin: admin2}, c)
		waitUntil(t, "the bot is connected", b.Adapter.Connected)
		q := js.Say(t, f.Encrypted, "!echo still verified")
		e := js.WaitFor(t, wait, "the answer", jsReplyTo(botID, q))
		if e.DecryptionFailure != "" || e.Body() != "echo: still verified" {
			t.Errorf("answer = %q (failure %q)", e.Body(), e.DecryptionFailure)
		}
		if admin2.String() != "" {
			t.Errorf("the recovery key was shown again:\n%s", admin2.String())
		}
		if st := js.DeviceStatus(t, botID, device); !st.SignedByOwner {
			t.Errorf("after a restart the bot's device is %+v", st)
		}
	})
}

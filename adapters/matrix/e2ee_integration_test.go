//go:build integration && goolm

package matrix_test

import (
	"context"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/adapters/matrix/dendritetest"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/internal/testenv"
)

func decrypted(e *event.Event) bool { return e.Mautrix.EventSource&event.SourceDecrypted != 0 }

func inRoom(r id.RoomID) func(*event.Event) bool {
	return func(e *event.Event) bool { return e.RoomID == r }
}

// TestEncryptedRoomAgainstDendrite checks the encrypted room round trip,
// announcements into an encrypted room, the one-time notice for messages
// the bot cannot decrypt, and that the crypto store in the bot's database
// survives a restart.
func TestEncryptedRoomAgainstDendrite(t *testing.T) {
	f := dendritetest.NewFixture(t, dendritetest.FixtureOptions{})
	logs := &testenv.Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	path := dbPath(t)
	c := &calls{n: map[string]int{}}
	b := startBot(t, f, botConfig{dbPath: path, encryption: true, log: logs}, c)
	member := f.Server.NewPerson(t, f.Member)
	member.EnableEncryption(t)
	member.Start()
	botID := f.Bot.ID

	waitUntil(t, "the bot joined the encrypted room", func() bool { return joined(t, f, f.Encrypted) })
	waitUntil(t, "the bot is connected", b.Adapter.Connected)
	if !b.Adapter.Encrypted() {
		t.Fatal("the goolm build did not start encryption")
	}

	t.Run("encrypted question, encrypted answer", func(t *testing.T) {
		q := member.Say(t, f.Encrypted, "!echo secret plans")
		e := member.WaitFor(t, wait, "the encrypted reply", replyTo(botID, q))
		if body := dendritetest.Body(e); body != "echo: secret plans" {
			t.Errorf("reply = %q", body)
		}
		if !decrypted(e) {
			t.Error("the bot's reply in an encrypted room was not encrypted")
		}
	})

	t.Run("announce to an encrypted and a plain room", func(t *testing.T) {
		for _, r := range []id.RoomID{f.Encrypted, f.Plain} {
			if _, err := b.Bot.Send(context.Background(), "matrix", bot.Target{RoomID: string(r)}, bot.Reply{Text: "Meetup on **Friday**"}); err != nil {
				t.Fatalf("announce to %s: %v", r, err)
			}
		}
		e := member.WaitFor(t, wait, "encrypted announcement", and(hasText("Meetup on"), inRoom(f.Encrypted)))
		if !decrypted(e) {
			t.Error("announcement in the encrypted room was sent in the clear")
		}
		member.WaitFor(t, wait, "plain announcement", and(hasText("Meetup on"), inRoom(f.Plain)))
	})

	t.Run("undecryptable messages get one notice", func(t *testing.T) {
		for range 2 {
			sendGarbledEncrypted(t, member, f.Encrypted)
		}
		member.WaitFor(t, wait, "the notice", and(hasText("couldn't decrypt"), inRoom(f.Encrypted)))
		q := member.Say(t, f.Encrypted, "!echo sync point")
		member.WaitFor(t, wait, "sync point", replyTo(botID, q))
		if n := len(member.Events(hasText("couldn't decrypt"))); n != 1 {
			t.Errorf("notice posted %d times, want once", n)
		}
	})

	t.Run("restart keeps the device and its keys", func(t *testing.T) {
		device := b.Adapter.DeviceID()
		b.Stop()
		b = startBot(t, f, botConfig{dbPath: path, encryption: true, log: logs}, c)
		q := member.Say(t, f.Encrypted, "!echo still secret")
		e := member.WaitFor(t, wait, "reply after restart", replyTo(botID, q))
		if body := dendritetest.Body(e); body != "echo: still secret" || !decrypted(e) {
			t.Errorf("reply after restart = %q (decrypted %v)", body, decrypted(e))
		}
		if got := b.Adapter.DeviceID(); got != device {
			t.Errorf("device after restart = %s, want %s", got, device)
		}
		for msg, n := range c.all() {
			if n != 1 {
				t.Errorf("message %s handled %d times", msg, n)
			}
		}
	})
}

// maybeCrypto gives a person encryption in goolm builds, where the bot
// opens encrypted direct chats.
func maybeCrypto(t *testing.T, p *dendritetest.Person) { p.EnableEncryption(t) }

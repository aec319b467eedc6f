package dendritetest

import (
	"strings"
	"testing"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Fixture is a homeserver with the three users and three rooms the Bothy
// integration tests share.
type Fixture struct {
	Server *Server
	// Bot is the account Bothy logs in as; Organiser created the group
	// rooms (power level 100); Member is an ordinary person.
	Bot, Organiser, Member *User
	// Plain and Encrypted are group rooms with all three invited (the
	// member joined); Direct is a direct chat the member opened with the
	// bot (is_direct).
	Plain, Encrypted, Direct id.RoomID
}

// FixtureOptions tune NewFixture.
type FixtureOptions struct {
	// JoinBot joins the bot to the rooms with its registration session,
	// for tests that start the whole app and do not test invites.
	JoinBot bool
}

// NewFixture starts a homeserver, registers bot, organiser and member,
// and creates the rooms. The bot only holds invites unless JoinBot is set.
func NewFixture(tb testing.TB, opts FixtureOptions) *Fixture {
	tb.Helper()
	s := Start(tb)
	f := &Fixture{Server: s, Bot: s.Register(tb, "bothy"), Organiser: s.Register(tb, "olive"), Member: s.Register(tb, "mo")}
	org, mem := s.Client(tb, f.Organiser), s.Client(tb, f.Member)
	create := func(cli *mautrix.Client, req *mautrix.ReqCreateRoom) id.RoomID {
		resp, err := cli.CreateRoom(ctx(tb), req)
		if err != nil {
			tb.Fatalf("dendritetest: create room %q: %v", req.Name, err)
		}
		return resp.RoomID
	}
	f.Plain = create(org, &mautrix.ReqCreateRoom{
		Name: "Plain", Preset: "private_chat", Invite: []id.UserID{f.Bot.ID, f.Member.ID},
	})
	f.Encrypted = create(org, &mautrix.ReqCreateRoom{
		Name: "Encrypted", Preset: "private_chat", Invite: []id.UserID{f.Bot.ID, f.Member.ID},
		InitialState: []*event.Event{{
			Type: event.StateEncryption, StateKey: new(string),
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	f.Direct = create(mem, &mautrix.ReqCreateRoom{
		Preset: "trusted_private_chat", IsDirect: true, Invite: []id.UserID{f.Bot.ID},
	})
	for _, r := range []id.RoomID{f.Plain, f.Encrypted} {
		if _, err := mem.JoinRoomByID(ctx(tb), r); err != nil {
			tb.Fatalf("dendritetest: member join: %v", err)
		}
	}
	if opts.JoinBot {
		bot := s.Client(tb, f.Bot)
		for _, r := range []id.RoomID{f.Plain, f.Encrypted, f.Direct} {
			if _, err := bot.JoinRoomByID(ctx(tb), r); err != nil {
				tb.Fatalf("dendritetest: bot join: %v", err)
			}
		}
	}
	return f
}

// Env is the environment that points a Bothy process at this homeserver
// as the bot, announcing to the plain and encrypted rooms.
func (f *Fixture) Env() map[string]string {
	return map[string]string{
		"BOTHY_MATRIX_HOMESERVER": f.Server.URL,
		"BOTHY_MATRIX_USER":       string(f.Bot.ID),
		"BOTHY_MATRIX_PASSWORD":   f.Bot.Password,
		"BOTHY_MATRIX_ANNOUNCE":   strings.Join([]string{string(f.Plain), string(f.Encrypted)}, ","),
		"BOTHY_ORGANISERS":        string(f.Organiser.ID),
	}
}

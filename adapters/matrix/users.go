package matrix

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
)

// ResolveUser turns "@carol:example.org", "@carol", "carol" or a
// matrix.to link into a user ID, with the display name from the profile.
// A bare name is taken to be on the bot's own server.
func (a *Adapter) ResolveUser(ctx context.Context, mention string) (bot.User, error) {
	if err := a.waitReady(ctx); err != nil {
		return bot.User{}, err
	}
	user, err := parseMention(mention, a.cli.UserID)
	if err != nil {
		return bot.User{}, err
	}
	local, _, _ := user.Parse()
	profile, err := a.cli.GetProfile(ctx, user)
	switch {
	case err == nil && profile.DisplayName != "":
		return bot.User{ID: string(user), Name: profile.DisplayName}, nil
	case err == nil, !isErrCode(err, "M_NOT_FOUND"):
		// Profiles of other servers may be out of reach; the ID is still good.
		return bot.User{ID: string(user), Name: local}, nil
	}
	return bot.User{}, bot.Usagef("I can't find a Matrix user %s. Mention them, or write their full ID like @name:example.org.", user)
}

func parseMention(mention string, self id.UserID) (id.UserID, error) {
	m := strings.TrimSpace(mention)
	if rest, ok := strings.CutPrefix(m, "https://matrix.to/#/"); ok {
		m, _, _ = strings.Cut(rest, "?")
		if un, err := url.PathUnescape(m); err == nil {
			m = un
		}
	}
	m = strings.TrimRight(strings.TrimPrefix(m, "@"), ":,.")
	if m == "" {
		return "", bot.Usagef("Who do you mean? Write their Matrix ID like @name:example.org.")
	}
	if !strings.Contains(m, ":") {
		_, server, err := self.Parse()
		if err != nil {
			return "", fmt.Errorf("matrix: own user ID %q: %w", self, err)
		}
		m += ":" + server
	}
	user := id.UserID("@" + m)
	if _, _, err := user.ParseAndValidateRelaxed(); err != nil || strings.ContainsAny(m, " \t\n") {
		return "", bot.Usagef("%q doesn't look like a Matrix user ID (try @name:example.org).", mention)
	}
	return user, nil
}

// IsOrganiser grants the organiser role to members whose power level in
// the room reaches matrix.organiser_power (moderators, by default).
func (a *Adapter) IsOrganiser(ctx context.Context, userID, roomID string) bool {
	if a.opts.OrganiserPower <= 0 || roomID == "" {
		return false
	}
	select {
	case <-a.ready:
	default:
		return false
	}
	room := id.RoomID(roomID)
	pl, err := a.cli.StateStore.GetPowerLevels(ctx, room)
	if err != nil || pl == nil {
		pl = &event.PowerLevelsEventContent{}
		if err := a.cli.StateEvent(ctx, room, event.StatePowerLevels, "", pl); err != nil {
			a.log.Warn("cannot read power levels", "room", room, "err", err)
			return false
		}
		_ = a.cli.StateStore.SetPowerLevels(ctx, room, pl)
	}
	return pl.GetUserLevel(id.UserID(userID)) >= a.opts.OrganiserPower
}

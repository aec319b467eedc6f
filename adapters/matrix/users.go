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

// ResolveUser turns "@carol:example.org", "@carol" or a matrix.to link
// into a user ID, with the display name from the profile. "@carol" is
// taken to be on the bot's own server. A word without "@" is refused:
// on Matrix it is most likely someone's display name, and turning it into
// @word:server could name a different person. (Pills and m.mentions
// arrive here already written as IDs; see messageText.)
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
	if m != "" && !strings.HasPrefix(m, "@") {
		return "", bot.Usagef("I can't tell who %q is from a name. Mention them (type @ and pick them from the list), or write their Matrix ID like @name:example.org.", mention)
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

// IsOrganiser grants the organiser role to members whose power level
// reaches matrix.organiser_power in one of the organiser rooms, as read in
// that room. roomID, where the command was typed, plays no part: a member
// is room admin of any room or direct chat they create, so trusting it
// would make everyone an organiser.
func (a *Adapter) IsOrganiser(ctx context.Context, userID, _ string) bool {
	if a.opts.OrganiserPower <= 0 {
		return false
	}
	select {
	case <-a.ready:
	default:
		return false
	}
	user := id.UserID(userID)
	for _, r := range a.organiserRooms() {
		room, err := a.resolveRoom(ctx, r)
		if err != nil {
			a.log.Warn("cannot resolve organiser room", "room", r, "err", err)
			continue
		}
		pl, err := a.powerLevels(ctx, room)
		if err != nil {
			a.log.Warn("cannot read power levels of organiser room", "room", room, "err", err)
			continue
		}
		if pl.GetUserLevel(user) >= a.opts.OrganiserPower {
			return true
		}
	}
	return false
}

// organiserRooms is matrix.organiser_rooms, or the announcement rooms.
func (a *Adapter) organiserRooms() []string {
	if len(a.opts.OrganiserRooms) > 0 {
		return a.opts.OrganiserRooms
	}
	return a.opts.Announce
}

// powerLevels reads a room's power levels from the state store (kept up
// to date by sync), fetching them once if the store has none.
func (a *Adapter) powerLevels(ctx context.Context, room id.RoomID) (*event.PowerLevelsEventContent, error) {
	if pl, err := a.cli.StateStore.GetPowerLevels(ctx, room); err == nil && pl != nil {
		return pl, nil
	}
	pl := &event.PowerLevelsEventContent{}
	if err := a.cli.StateEvent(ctx, room, event.StatePowerLevels, "", pl); err != nil {
		return nil, err
	}
	_ = a.cli.StateStore.SetPowerLevels(ctx, room, pl)
	return pl, nil
}

package matrix

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestOrganiserComesOnlyFromOrganiserRooms: power level counts only in
// the configured organiser rooms (by default the announcement rooms),
// never in the room the command was typed in, which a member may have
// created themselves (issue 15.1).
func TestOrganiserComesOnlyFromOrganiserRooms(t *testing.T) {
	const (
		announce = id.RoomID("!announce:example.org")
		extra    = id.RoomID("!mods:example.org")
		ownRoom  = id.RoomID("!made-by-mallory:example.org")
		mod      = id.UserID("@mod:example.org")
		mallory  = id.UserID("@mallory:example.org")
	)
	// A homeserver that refuses every state read, so only the state store
	// the sync fills can answer.
	hs := &fakeHS{respond: func(*http.Request, int) (int, string) {
		return http.StatusForbidden, `{"errcode":"M_FORBIDDEN","error":"not in room"}`
	}}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	levels := map[id.RoomID]map[id.UserID]int{
		announce: {mod: 50, mallory: 0},
		extra:    {mallory: 49},
		ownRoom:  {mallory: 100},
	}
	tests := []struct {
		name  string
		rooms []string
		user  id.UserID
		typed id.RoomID
		want  bool
	}{
		{"moderator of the announcement room, typing there", nil, mod, announce, true},
		{"moderator of the announcement room, typing in a DM", nil, mod, ownRoom, true},
		{"admin of a room they made, typing there", nil, mallory, ownRoom, false},
		{"admin of a room they made, typing in the announcement room", nil, mallory, announce, false},
		{"organiser_rooms replaces the default", []string{string(extra)}, mod, announce, false},
		{"below the level in an organiser room", []string{string(extra)}, mallory, extra, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := readyAdapter(t, srv, Options{OrganiserPower: 50, Announce: []string{string(announce)}, OrganiserRooms: tt.rooms})
			ctx := context.Background()
			for room, users := range levels {
				pl := &event.PowerLevelsEventContent{Users: map[id.UserID]int{}}
				for u, l := range users {
					pl.Users[u] = l
				}
				if err := a.cli.StateStore.SetPowerLevels(ctx, room, pl); err != nil {
					t.Fatal(err)
				}
			}
			if got := a.IsOrganiser(ctx, string(tt.user), string(tt.typed)); got != tt.want {
				t.Errorf("IsOrganiser(%s typing in %s) = %v, want %v", tt.user, tt.typed, got, tt.want)
			}
		})
	}
}

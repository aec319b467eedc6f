package matrix

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

// Privacy is the Matrix adapter's share of a member's data: what mautrix
// caches about them in Bothy's database (their profile in each room, the
// devices and keys the crypto store tracks, room state that names them).
// It works on the tables directly, so `bothy privacy` needs no homeserver.
// A member who is still in a room with the bot is cached again as soon as
// the bot syncs that room; erasure removes what is stored now.
type Privacy struct{ db *store.DB }

var (
	_ privacy.Provider   = Privacy{}
	_ privacy.Identifier = Privacy{}
)

// PrivacyProvider returns the provider for db.
func PrivacyProvider(db *store.DB) Privacy { return Privacy{db} }

// Name labels the export section.
func (Privacy) Name() string { return "matrix" }

// userTables are the mautrix tables keyed by a user ID column.
var userTables = []struct{ table, column string }{
	{"mx_user_profile", "user_id"},
	{"mx_registrations", "user_id"},
	{"crypto_tracked_user", "user_id"},
	{"crypto_device", "user_id"},
	{"crypto_cross_signing_keys", "user_id"},
	{"crypto_cross_signing_signatures", "signed_user_id"},
	{"crypto_cross_signing_signatures", "signer_user_id"},
	{"crypto_megolm_outbound_session_shared", "user_id"},
}

// stateColumns are mx_room_state's cached state events; any that names
// the member is dropped, and mautrix fetches it again when it needs it.
var stateColumns = []string{"power_levels", "create_event", "join_rules", "history_visibility", "encryption"}

func (p Privacy) hasTable(ctx context.Context, q store.Querier, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n)
	return n > 0, err
}

// Identify adds the display names the member has in the bot's rooms.
func (p Privacy) Identify(ctx context.Context, s *privacy.Subject) error {
	ok, err := p.hasTable(ctx, p.db.Read, "mx_user_profile")
	if err != nil || !ok {
		return err
	}
	names, err := store.List(ctx, p.db.Read, store.Column[string], "SELECT displayname FROM mx_user_profile WHERE user_id = ?", s.UserID)
	if err != nil {
		return fmt.Errorf("matrix: identify: %w", err)
	}
	for _, name := range names {
		s.AddName(name)
	}
	return nil
}

// profile is one room's cached membership of the member.
type profile struct {
	Room        string `json:"room_id"`
	Membership  string `json:"membership"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

type device struct {
	ID   string `json:"device_id"`
	Name string `json:"name"`
}

type matrixExport struct {
	Profiles []profile `json:"room_profiles"`
	Tracked  bool      `json:"devices_tracked"`
	Devices  []device  `json:"devices"`
	// Rows counts every cached row keyed by their ID, per table.
	Rows map[string]int `json:"cached_rows"`
	// RoomState lists rooms whose cached state (power levels, creator)
	// names them.
	RoomState []string `json:"room_state_naming_you"`
}

// ExportUser lists what the caches hold about the member.
func (p Privacy) ExportUser(ctx context.Context, s *privacy.Subject) (any, error) {
	out := matrixExport{Profiles: []profile{}, Devices: []device{}, Rows: map[string]int{}, RoomState: []string{}}
	if ok, err := p.hasTable(ctx, p.db.Read, "mx_user_profile"); err != nil || !ok {
		return out, err
	}
	profiles, err := store.List(ctx, p.db.Read, func(sc store.Scanner) (profile, error) {
		var pr profile
		err := sc.Scan(&pr.Room, &pr.Membership, &pr.DisplayName, &pr.AvatarURL)
		return pr, err
	}, "SELECT room_id, membership, displayname, avatar_url FROM mx_user_profile WHERE user_id = ? ORDER BY room_id", s.UserID)
	if err != nil {
		return nil, fmt.Errorf("matrix: export: %w", err)
	}
	out.Profiles = append(out.Profiles, profiles...)
	for _, t := range userTables {
		if ok, err := p.hasTable(ctx, p.db.Read, t.table); err != nil || !ok {
			continue
		}
		var n int
		if err := p.db.Read.QueryRowContext(ctx, "SELECT count(*) FROM "+t.table+" WHERE "+t.column+" = ?", s.UserID).Scan(&n); err != nil {
			return nil, fmt.Errorf("matrix: export: %w", err)
		}
		if n > 0 {
			out.Rows[t.table+"."+t.column] = n
		}
	}
	out.Tracked = out.Rows["crypto_tracked_user.user_id"] > 0
	if ok, _ := p.hasTable(ctx, p.db.Read, "crypto_device"); ok {
		devices, err := store.List(ctx, p.db.Read, func(sc store.Scanner) (device, error) {
			var d device
			err := sc.Scan(&d.ID, &d.Name)
			return d, err
		}, "SELECT device_id, name FROM crypto_device WHERE user_id = ? ORDER BY device_id", s.UserID)
		if err != nil {
			return nil, fmt.Errorf("matrix: export: %w", err)
		}
		out.Devices = append(out.Devices, devices...)
	}
	if out.RoomState, err = p.statesNaming(ctx, p.db.Read, s); err != nil {
		return nil, err
	}
	return out, nil
}

// statesNaming lists rooms with a cached state event naming the member.
func (p Privacy) statesNaming(ctx context.Context, q store.Querier, s *privacy.Subject) ([]string, error) {
	out := []string{}
	if ok, err := p.hasTable(ctx, q, "mx_room_state"); err != nil || !ok {
		return out, err
	}
	conds := make([]string, len(stateColumns))
	for i, c := range stateColumns {
		conds[i] = "instr(coalesce(CAST(" + c + " AS TEXT), ''), ?1) > 0"
	}
	rooms, err := store.List(ctx, q, store.Column[string], "SELECT room_id FROM mx_room_state WHERE "+strings.Join(conds, " OR ")+" ORDER BY room_id", s.UserID)
	if err != nil {
		return nil, fmt.Errorf("matrix: room state: %w", err)
	}
	return append(out, rooms...), nil
}

// EraseUser deletes the cached rows keyed by the member's ID, drops cached
// room state that names them, and marks the rooms they were in for a fresh
// member list (so encryption keeps sharing keys with whoever is there).
func (p Privacy) EraseUser(ctx context.Context, s *privacy.Subject) (int64, error) {
	if ok, err := p.hasTable(ctx, p.db.Read, "mx_user_profile"); err != nil || !ok {
		return 0, err
	}
	tx, err := p.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("matrix: erase: %w", err)
	}
	defer tx.Rollback()
	var n int64
	if _, err := tx.ExecContext(ctx, `UPDATE mx_room_state SET members_fetched = false
		WHERE room_id IN (SELECT room_id FROM mx_user_profile WHERE user_id = ?)`, s.UserID); err != nil {
		return 0, fmt.Errorf("matrix: erase: %w", err)
	}
	for _, t := range userTables {
		if ok, err := p.hasTable(ctx, tx, t.table); err != nil || !ok {
			continue
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM "+t.table+" WHERE "+t.column+" = ?", s.UserID)
		if err != nil {
			return 0, fmt.Errorf("matrix: erase %s: %w", t.table, err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	if ok, _ := p.hasTable(ctx, tx, "crypto_megolm_inbound_session"); ok {
		res, err := tx.ExecContext(ctx, "UPDATE crypto_megolm_inbound_session SET source_user = '' WHERE source_user = ?", s.UserID)
		if err != nil {
			return 0, fmt.Errorf("matrix: erase: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	rooms, err := p.statesNaming(ctx, tx, s)
	if err != nil {
		return 0, err
	}
	for _, room := range rooms {
		for _, c := range stateColumns {
			if _, err := tx.ExecContext(ctx, "UPDATE mx_room_state SET "+c+" = NULL WHERE room_id = ? AND instr(coalesce(CAST("+c+" AS TEXT), ''), ?) > 0", room, s.UserID); err != nil {
				return 0, fmt.Errorf("matrix: erase room state: %w", err)
			}
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("matrix: erase: %w", err)
	}
	return n, nil
}

// Prune has nothing to do: the caches follow the rooms.
func (Privacy) Prune(context.Context, time.Time) (int64, error) { return 0, nil }

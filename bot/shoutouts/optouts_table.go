package shoutouts

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for the shoutout_optouts table.

// SetNotifications records whether a member wants to hear about shout-outs
// they receive.
func (s *Service) SetNotifications(ctx context.Context, platform, userID string, on bool) error {
	var err error
	if on {
		_, err = s.db.Write.ExecContext(ctx, "DELETE FROM shoutout_optouts WHERE platform = ? AND user_id = ?", platform, userID)
	} else {
		_, err = s.db.Write.ExecContext(ctx, `INSERT INTO shoutout_optouts(platform, user_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT(platform, user_id) DO NOTHING`, platform, userID, store.Time(s.now()))
	}
	if err != nil {
		return fmt.Errorf("shoutouts: notifications for %s: %w", userID, err)
	}
	return nil
}

// OptedOut reports whether a member turned notifications off.
func (s *Service) OptedOut(ctx context.Context, platform, userID string) (bool, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, "SELECT count(*) FROM shoutout_optouts WHERE platform = ? AND user_id = ?", platform, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("shoutouts: opt-out of %s: %w", userID, err)
	}
	return n > 0, nil
}

// optoutsOf lists the platforms where the user opted out.
func optoutsOf(ctx context.Context, q querier, userID string) ([]string, error) {
	out, err := store.List(ctx, q, store.Column[string], "SELECT platform FROM shoutout_optouts WHERE user_id = ? ORDER BY platform", userID)
	if out == nil {
		out = []string{}
	}
	return out, err
}

// eraseOptouts removes the user's preference rows (a preference is no use
// once the ID is gone).
func eraseOptouts(ctx context.Context, q querier, userID string) (int64, error) {
	res, err := q.ExecContext(ctx, "DELETE FROM shoutout_optouts WHERE user_id = ?", userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

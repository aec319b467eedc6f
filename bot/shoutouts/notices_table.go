package shoutouts

import (
	"context"
	"fmt"
	"strings"

	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for the shoutout_notices table: notices owed to recipients.

// owedNotice is a notice still to send, with what it needs to say.
type owedNotice struct {
	Shoutout
	retracted                    bool
	fallbackRoom, fallbackThread string
	started                      bool
	attempts                     int
}

func insertNotice(ctx context.Context, q querier, shoutoutID int64, room, thread string) error {
	_, err := q.ExecContext(ctx, "INSERT INTO shoutout_notices(shoutout_id, fallback_room, fallback_thread) VALUES (?, ?, ?)",
		shoutoutID, room, thread)
	return err
}

// owedNotices lists owed notices oldest first; with ids, only those.
func owedNotices(ctx context.Context, q querier, ids []int64) ([]owedNotice, error) {
	query := `SELECT s.id, s.platform, s.giver_name, s.recipient_id, s.recipient_name, s.reason, s.category, s.retracted_at,
		n.fallback_room, n.fallback_thread, n.started, n.attempts
		FROM shoutout_notices n JOIN shoutouts s ON s.id = n.shoutout_id`
	var args []any
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		query += " WHERE n.shoutout_id IN (?" + strings.Repeat(",?", len(ids)-1) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	out, err := store.List(ctx, q, func(sc store.Scanner) (owedNotice, error) {
		var n owedNotice
		var retracted string
		err := sc.Scan(&n.ID, &n.Platform, &n.GiverName, &n.RecipientID, &n.RecipientName, &n.Reason, &n.Category, &retracted,
			&n.fallbackRoom, &n.fallbackThread, &n.started, &n.attempts)
		n.retracted = retracted != ""
		return n, err
	}, query+" ORDER BY n.shoutout_id", args...)
	if err != nil {
		return nil, fmt.Errorf("owed notices: %w", err)
	}
	return out, nil
}

func markNoticeStarted(ctx context.Context, q querier, id int64) error {
	_, err := q.ExecContext(ctx, "UPDATE shoutout_notices SET started = 1, attempts = attempts + 1 WHERE shoutout_id = ?", id)
	return err
}

func deleteNotice(ctx context.Context, q querier, id int64) error {
	_, err := q.ExecContext(ctx, "DELETE FROM shoutout_notices WHERE shoutout_id = ?", id)
	return err
}

// eraseNotices drops notices owed to a member who asked to be erased.
func eraseNotices(ctx context.Context, q querier, userID string) (int64, error) {
	res, err := q.ExecContext(ctx, "DELETE FROM shoutout_notices WHERE shoutout_id IN (SELECT id FROM shoutouts WHERE recipient_id = ?)", userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

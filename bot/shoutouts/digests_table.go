package shoutouts

import (
	"context"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
)

// SQL for the shoutout_digests table.

// digestState returns the state of one period's post to one channel: ""
// (not started), "sending" (intent recorded, maybe posted) or "sent".
func digestState(ctx context.Context, q querier, period string, ch bot.Channel) (string, error) {
	st, _, err := store.One(ctx, q, store.Column[string], "SELECT state FROM shoutout_digests WHERE period = ? AND platform = ? AND room_id = ?",
		period, ch.Platform, ch.RoomID)
	return st, err
}

// markDigestSending records the intent to post before posting.
func markDigestSending(ctx context.Context, q querier, period string, ch bot.Channel, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO shoutout_digests(period, platform, room_id, state, started_at)
		VALUES (?, ?, ?, 'sending', ?) ON CONFLICT(period, platform, room_id) DO NOTHING`,
		period, ch.Platform, ch.RoomID, store.Time(at))
	return err
}

// markDigestSent records that the post went out.
func markDigestSent(ctx context.Context, q querier, period string, ch bot.Channel, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE shoutout_digests SET state = 'sent', sent_at = ?
		WHERE period = ? AND platform = ? AND room_id = ?`, store.Time(at), period, ch.Platform, ch.RoomID)
	return err
}

// pruneDigests deletes marks of digests started before t; they only guard
// against repeats of recent periods.
func pruneDigests(ctx context.Context, q querier, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, "DELETE FROM shoutout_digests WHERE started_at < ? AND state = 'sent'", store.Time(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

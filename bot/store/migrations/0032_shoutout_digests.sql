-- 0032 digest marks: one row per weekly digest period and channel. The row
-- is written as 'sending' before the post and set to 'sent' after, so a
-- restart never posts a period's digest twice to the same channel (a crash
-- between the two is retried with the same idempotency key).
CREATE TABLE shoutout_digests (
	period     TEXT NOT NULL,
	platform   TEXT NOT NULL,
	room_id    TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
	started_at TEXT NOT NULL,
	sent_at    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (period, platform, room_id)
) WITHOUT ROWID;

-- 0030 shout-outs: one row per recipient of a shout-out. Retraction is
-- kept on the row (never deleted) and also written to audit_log. Erasure
-- replaces IDs with a pseudonym and names with "(erased)" in place, so
-- counts stay honest.
CREATE TABLE shoutouts (
	id              INTEGER PRIMARY KEY,
	giver_id        TEXT NOT NULL,
	giver_name      TEXT NOT NULL DEFAULT '',
	recipient_id    TEXT NOT NULL,
	recipient_name  TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL,
	-- reason_key is the reason folded for duplicate detection.
	reason_key      TEXT NOT NULL,
	category        TEXT NOT NULL DEFAULT '',
	platform        TEXT NOT NULL,
	room_id         TEXT NOT NULL DEFAULT '',
	message_id      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	retracted_at    TEXT NOT NULL DEFAULT '',
	retracted_by    TEXT NOT NULL DEFAULT '',
	retract_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX shoutouts_created ON shoutouts(created_at);
CREATE INDEX shoutouts_giver ON shoutouts(giver_id, created_at);
CREATE INDEX shoutouts_recipient ON shoutouts(recipient_id, created_at);
-- Covers the leaderboard and digest counts, so they read no table rows.
CREATE INDEX shoutouts_board ON shoutouts(retracted_at, created_at, category, recipient_id, giver_id);

-- Members who do not want to be told when they receive a shout-out.
CREATE TABLE shoutout_optouts (
	platform   TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (platform, user_id)
) WITHOUT ROWID;

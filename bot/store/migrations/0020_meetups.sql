-- 0020 meetups: meetups and their recurring series, RSVPs with a waitlist,
-- and the delivery outbox (one row per announcement or reminder per
-- channel) that makes every delivery happen exactly once.
CREATE TABLE meetup_series (
	id          INTEGER PRIMARY KEY,
	rule        TEXT NOT NULL,            -- when.Recurrence.Encode()
	title       TEXT NOT NULL,
	time_zone   TEXT NOT NULL,
	venue       TEXT NOT NULL DEFAULT '',
	online_url  TEXT NOT NULL DEFAULT '',
	hashtag     TEXT NOT NULL DEFAULT '',
	capacity    INTEGER NOT NULL DEFAULT 0,
	active      INTEGER NOT NULL DEFAULT 1,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE meetups (
	id            INTEGER PRIMARY KEY,
	uid           TEXT NOT NULL UNIQUE,   -- iCalendar UID, stable across edits
	title         TEXT NOT NULL,
	starts_at     TEXT NOT NULL,          -- UTC, 2006-01-02T15:04:05Z (sorts as text)
	time_zone     TEXT NOT NULL,
	venue         TEXT NOT NULL DEFAULT '',
	online_url    TEXT NOT NULL DEFAULT '',
	hashtag       TEXT NOT NULL DEFAULT '',
	capacity      INTEGER NOT NULL DEFAULT 0,  -- 0: no limit
	status        TEXT NOT NULL DEFAULT 'scheduled', -- scheduled or cancelled
	cancel_reason TEXT NOT NULL DEFAULT '',
	sequence      INTEGER NOT NULL DEFAULT 0,  -- iCalendar SEQUENCE, bumped on edit
	series_id     INTEGER REFERENCES meetup_series(id),
	created_by    TEXT NOT NULL,
	created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX meetups_starts_at ON meetups(starts_at);
CREATE UNIQUE INDEX meetups_series_start ON meetups(series_id, starts_at) WHERE series_id IS NOT NULL;

CREATE TABLE meetup_rsvps (
	meetup_id  INTEGER NOT NULL REFERENCES meetups(id) ON DELETE CASCADE,
	platform   TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	user_name  TEXT NOT NULL DEFAULT '',
	answer     TEXT NOT NULL,             -- yes, no or maybe
	waitlisted INTEGER NOT NULL DEFAULT 0,
	queued_at  INTEGER NOT NULL DEFAULT 0, -- order of yes answers, for the waitlist
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	PRIMARY KEY (meetup_id, platform, user_id)
);
CREATE INDEX meetup_rsvps_user ON meetup_rsvps(user_id);

CREATE TABLE meetup_outbox (
	id          INTEGER PRIMARY KEY,
	meetup_id   INTEGER NOT NULL REFERENCES meetups(id) ON DELETE CASCADE,
	platform    TEXT NOT NULL,
	room_id     TEXT NOT NULL,
	kind        TEXT NOT NULL,            -- announce, edit-N, cancel, remind-168h-sN
	idem_key    TEXT NOT NULL UNIQUE,     -- sent as bot.Reply.Key on every attempt
	status      TEXT NOT NULL DEFAULT 'scheduled', -- scheduled, pending, sent, skipped, failed
	due_at      TEXT NOT NULL,
	next_try_at TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	message_id  TEXT NOT NULL DEFAULT '',
	last_error  TEXT NOT NULL DEFAULT '',
	sent_at     TEXT NOT NULL DEFAULT '',
	UNIQUE (meetup_id, platform, room_id, kind)
);
CREATE INDEX meetup_outbox_status_due ON meetup_outbox(status, due_at);
CREATE INDEX meetup_outbox_message ON meetup_outbox(platform, message_id);

-- 0033 shout-out notices owed. A row is written in the same transaction as
-- its shout-out and deleted once the recipient has been told (or turned
-- notices off), so a crash between recording and telling is made good at
-- the next start. started is set before the first attempt: a row found
-- with it set may already have been delivered, and is re-sent with the
-- same idempotency key.
CREATE TABLE shoutout_notices (
	shoutout_id     INTEGER PRIMARY KEY REFERENCES shoutouts(id) ON DELETE CASCADE,
	fallback_room   TEXT NOT NULL DEFAULT '',
	fallback_thread TEXT NOT NULL DEFAULT '',
	started         INTEGER NOT NULL DEFAULT 0,
	attempts        INTEGER NOT NULL DEFAULT 0
);

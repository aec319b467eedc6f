-- 0046 slack event times in the one encoding every table uses (store.Time:
-- UTC to the millisecond, as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ')
-- writes), so the adapter's prune compares them as text like every other
-- table. 0045 stored Unix seconds in an INTEGER column; the table is
-- rebuilt with a TEXT one and the seconds converted.
CREATE TABLE slack_events_new (
	event_id TEXT PRIMARY KEY,
	seen_at  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO slack_events_new(event_id, seen_at)
	SELECT event_id, strftime('%Y-%m-%dT%H:%M:%fZ', seen_at, 'unixepoch') FROM slack_events;
DROP TABLE slack_events;
ALTER TABLE slack_events_new RENAME TO slack_events;
CREATE INDEX slack_events_seen_at ON slack_events(seen_at);

-- 0045 slack events: IDs of Slack events already accepted, so a delivery
-- Slack retries (same event_id) is not handled twice, even across a restart.
-- Rows older than a day are pruned by the Slack adapter.
CREATE TABLE slack_events (
	event_id TEXT PRIMARY KEY,
	seen_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX slack_events_seen_at ON slack_events(seen_at);

-- 0034 shout-out times in the one encoding every table uses (store.Time:
-- UTC to the millisecond, as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ')
-- writes), so they compare as text with times written from now on.
-- Shout-outs, awards and digests stored microseconds before.
UPDATE shoutouts SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at);
UPDATE shoutouts SET retracted_at = strftime('%Y-%m-%dT%H:%M:%fZ', retracted_at) WHERE retracted_at != '';
UPDATE shoutout_optouts SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at);
UPDATE award_rounds SET opened_at = strftime('%Y-%m-%dT%H:%M:%fZ', opened_at);
UPDATE award_rounds SET closed_at = strftime('%Y-%m-%dT%H:%M:%fZ', closed_at) WHERE closed_at != '';
UPDATE award_nominations SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at);
UPDATE shoutout_digests SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', started_at);
UPDATE shoutout_digests SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ', sent_at) WHERE sent_at != '';

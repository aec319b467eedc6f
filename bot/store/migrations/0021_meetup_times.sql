-- 0021 meetup times in the one encoding every table uses (store.Time:
-- UTC to the millisecond, as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ')
-- writes), so they compare as text with times written from now on.
-- Meetups and their outbox stored whole seconds before.
UPDATE meetups SET starts_at = strftime('%Y-%m-%dT%H:%M:%fZ', starts_at);
UPDATE meetup_outbox SET due_at = strftime('%Y-%m-%dT%H:%M:%fZ', due_at);
UPDATE meetup_outbox SET next_try_at = strftime('%Y-%m-%dT%H:%M:%fZ', next_try_at) WHERE next_try_at != '';
UPDATE meetup_outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ', sent_at) WHERE sent_at != '';

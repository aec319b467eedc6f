-- 0001 core: small key/value state (adapter sync tokens, device IDs,
-- scheduler marks) and the audit log that organiser and privacy actions
-- write to.
CREATE TABLE kv (
	namespace  TEXT NOT NULL,
	key        TEXT NOT NULL,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	PRIMARY KEY (namespace, key)
) WITHOUT ROWID;

CREATE TABLE audit_log (
	id       INTEGER PRIMARY KEY,
	at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	actor    TEXT NOT NULL,
	action   TEXT NOT NULL,
	subject  TEXT NOT NULL DEFAULT '',
	detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log(subject);

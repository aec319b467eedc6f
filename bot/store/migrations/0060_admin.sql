-- 0060 admin: the organisers' console on /admin. One-time sign-in links
-- that `web login` sends in chat, the browser sessions they open (both kept
-- only as SHA-256 hashes of their tokens, so a copy of the database signs
-- nobody in), and what organisers decided about answers people rated
-- (confirmed as helpful, or flagged so the section is reviewed).
CREATE TABLE admin_logins (
	token_hash TEXT PRIMARY KEY,
	platform   TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	user_name  TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX admin_logins_user ON admin_logins(user_id);

CREATE TABLE admin_sessions (
	token_hash TEXT PRIMARY KEY,
	platform   TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	user_name  TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	seen_at    TEXT NOT NULL -- sessions end 12 hours after this
) WITHOUT ROWID;
CREATE INDEX admin_sessions_user ON admin_sessions(user_id);

CREATE TABLE admin_triage (
	question_id INTEGER PRIMARY KEY, -- kb_questions.id
	action      TEXT NOT NULL,        -- 'confirmed' or 'flagged'
	doc_id      TEXT NOT NULL DEFAULT '',
	section     TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	by          TEXT NOT NULL,
	at          TEXT NOT NULL,
	reviewed_at TEXT NOT NULL DEFAULT '', -- a flagged section someone has since reviewed
	reviewed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_triage_doc ON admin_triage(doc_id, action);

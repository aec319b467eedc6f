-- 0010 knowledge: the knowledge base (documents, heading-section chunks and
-- their FTS5 index with porter stemming), questions people asked (with the
-- unanswered ones forming the organisers' "gaps" list) and the helpful /
-- not helpful feedback on answers.
CREATE TABLE kb_documents (
	id           TEXT PRIMARY KEY,
	origin       TEXT NOT NULL,            -- 'starter' (embedded) or 'folder'
	path         TEXT NOT NULL,
	hash         TEXT NOT NULL,            -- sha256 of the file bytes
	title        TEXT NOT NULL,
	kind         TEXT NOT NULL DEFAULT '',
	tags         TEXT NOT NULL DEFAULT '', -- space separated
	organisation TEXT NOT NULL DEFAULT '',
	url          TEXT NOT NULL DEFAULT '',
	updated      TEXT NOT NULL DEFAULT '',
	review_by    TEXT NOT NULL DEFAULT '',
	ingested_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX kb_documents_ingested ON kb_documents(ingested_at);

CREATE TABLE kb_chunks (
	id       INTEGER PRIMARY KEY,
	doc_id   TEXT NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
	ord      INTEGER NOT NULL,
	headings TEXT NOT NULL DEFAULT '', -- heading path, " > " separated
	body     TEXT NOT NULL,
	terms    TEXT NOT NULL DEFAULT ''  -- stemmed content terms, for re-ranking
);
CREATE INDEX kb_chunks_doc ON kb_chunks(doc_id, ord);

-- rowid = kb_chunks.id; kept in step by the ingest code, not triggers, so
-- a whole document is replaced in one transaction.
CREATE VIRTUAL TABLE kb_fts USING fts5(
	title, tags, headings, body,
	tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Every word seen in the corpus with its stem: the vocabulary that cheap
-- typo correction searches.
CREATE TABLE kb_words (
	word TEXT PRIMARY KEY,
	stem TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE kb_vectors (
	chunk_id INTEGER PRIMARY KEY REFERENCES kb_chunks(id) ON DELETE CASCADE,
	model    TEXT NOT NULL,
	vec      BLOB NOT NULL -- little-endian float32s
);

CREATE TABLE kb_questions (
	id         INTEGER PRIMARY KEY,
	at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	user_id    TEXT NOT NULL DEFAULT '',
	platform   TEXT NOT NULL DEFAULT '',
	room_id    TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL,
	answered   INTEGER NOT NULL,
	confidence REAL NOT NULL DEFAULT 0,
	sources    TEXT NOT NULL DEFAULT '', -- document ids, space separated, best first
	message_id TEXT NOT NULL DEFAULT '', -- the answer message, for reactions
	resolved   TEXT NOT NULL DEFAULT ''  -- faq id written by kb answer
);
CREATE INDEX kb_questions_gaps ON kb_questions(answered, resolved);
CREATE INDEX kb_questions_user ON kb_questions(user_id);
CREATE INDEX kb_questions_message ON kb_questions(platform, message_id);

CREATE TABLE kb_feedback (
	id          INTEGER PRIMARY KEY,
	question_id INTEGER NOT NULL REFERENCES kb_questions(id) ON DELETE CASCADE,
	at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	user_id     TEXT NOT NULL DEFAULT '',
	helpful     INTEGER NOT NULL,
	sources     TEXT NOT NULL DEFAULT '',
	UNIQUE (question_id, user_id)
);

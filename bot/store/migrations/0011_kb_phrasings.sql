-- 0011 knowledge phrasings: other ways people ask for a section, learnt
-- from the community. An organiser pointing a gap at an existing section
-- (kb link) or confirming a helpful answer (kb confirm) keeps the asker's
-- wording as a phrasing of that section; front-matter `questions:` are
-- phrasings of the document's lead. Phrasings are indexed as strongly as
-- headings (kb_chunks.asked, kb_fts.headings). Each recorded question also
-- keeps the passage its answer quoted, so a confirmation names the right
-- section.
CREATE TABLE kb_phrasings (
	id          INTEGER PRIMARY KEY,
	doc_id      TEXT NOT NULL,             -- no foreign key: a re-ingest replaces the document row
	anchor      TEXT NOT NULL DEFAULT '',  -- the section's anchor; '' for the lead
	text        TEXT NOT NULL,
	origin      TEXT NOT NULL,             -- 'link' or 'helpful'
	question_id INTEGER NOT NULL DEFAULT 0,
	user_id     TEXT NOT NULL DEFAULT '',  -- who asked, for data-protection requests
	added_by    TEXT NOT NULL DEFAULT '',  -- the organiser
	at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX kb_phrasings_doc ON kb_phrasings(doc_id, anchor);
CREATE INDEX kb_phrasings_question ON kb_phrasings(question_id);
CREATE INDEX kb_phrasings_user ON kb_phrasings(user_id);

ALTER TABLE kb_chunks ADD COLUMN asked TEXT NOT NULL DEFAULT ''; -- phrasings, one a line
ALTER TABLE kb_questions ADD COLUMN passage TEXT NOT NULL DEFAULT ''; -- the quoted passage's id (doc#anchor)
ALTER TABLE kb_documents ADD COLUMN questions TEXT NOT NULL DEFAULT ''; -- front-matter questions, one a line

-- 0031 awards: organisers open a round with categories, members nominate
-- during it, and closing it produces a shortlist.
CREATE TABLE award_rounds (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	-- name_key is the name folded to lower case, unique so rounds can be
	-- named in commands.
	name_key   TEXT NOT NULL UNIQUE,
	categories TEXT NOT NULL, -- JSON array of category names
	opened_by  TEXT NOT NULL,
	opened_at  TEXT NOT NULL,
	closed_by  TEXT NOT NULL DEFAULT '',
	closed_at  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE award_nominations (
	id             INTEGER PRIMARY KEY,
	round_id       INTEGER NOT NULL REFERENCES award_rounds(id),
	category       TEXT NOT NULL,
	nominee_id     TEXT NOT NULL,
	nominee_name   TEXT NOT NULL DEFAULT '',
	nominator_id   TEXT NOT NULL,
	nominator_name TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL,
	platform       TEXT NOT NULL,
	created_at     TEXT NOT NULL
);
CREATE INDEX award_nominations_round ON award_nominations(round_id, category);

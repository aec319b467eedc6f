package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// Go and SQLite write a time the same way, so SQL can compare a column
// default (strftime) with a value Go wrote, as text.
func TestTimeMatchesSQLite(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "bothy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 3, 29, 0, 59, 59, 987000000, time.FixedZone("BST", 3600))
	var sqlite string
	if err := db.Read.QueryRow("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?)", at.UTC().Format(time.RFC3339Nano)).Scan(&sqlite); err != nil {
		t.Fatal(err)
	}
	if got := Time(at); got != sqlite || got != "2026-03-28T23:59:59.987Z" {
		t.Errorf("Time = %q, SQLite = %q", got, sqlite)
	}
	back, err := ParseTime(Time(at.Add(654321)))
	if err != nil || !back.Equal(at) {
		t.Errorf("ParseTime(Time(t)) = %v, %v", back, err)
	}
	if z, err := ParseTime(""); err != nil || !z.IsZero() {
		t.Errorf(`ParseTime("") = %v, %v; want the zero time`, z, err)
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("ParseTime accepted a word")
	}
}

// Rows written in the older encodings (meetups in whole seconds,
// shout-outs in microseconds) are rewritten by migrations 21 and 34, so
// they sort as text among new ones.
func TestOldTimeEncodingsMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bothy.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO meetups(id, uid, title, starts_at, time_zone, created_by) VALUES (1, 'u1', 'Social', '2027-06-16T17:00:00Z', 'Europe/London', 'mo')`,
		`INSERT INTO meetup_outbox(meetup_id, platform, room_id, kind, idem_key, due_at, sent_at) VALUES (1, 'console', 'console', 'announce', 'k1', '2026-12-04T10:00:00Z', '2026-12-04T10:00:01Z')`,
		`INSERT INTO shoutouts(giver_id, recipient_id, reason, reason_key, platform, created_at) VALUES ('a', 'b', 'good work here', 'good work here', 'console', '2026-12-04T10:00:00.123456Z')`,
		`DELETE FROM schema_migrations WHERE version IN (21, 34)`,
	} {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]string{
		"SELECT starts_at FROM meetups":         "2027-06-16T17:00:00.000Z",
		"SELECT due_at FROM meetup_outbox":      "2026-12-04T10:00:00.000Z",
		"SELECT sent_at FROM meetup_outbox":     "2026-12-04T10:00:01.000Z",
		"SELECT next_try_at FROM meetup_outbox": "",
		"SELECT created_at FROM shoutouts":      "2026-12-04T10:00:00.123Z",
		"SELECT retracted_at FROM shoutouts":    "",
	} {
		var got string
		if err := db.Read.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", q, got, want)
		}
	}
}

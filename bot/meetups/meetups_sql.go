package meetups

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups/when"
	"github.com/bothy-chat/bothy/bot/store"
)

// Status values of a meetup.
const (
	StatusScheduled = "scheduled"
	StatusCancelled = "cancelled"
)

// Meetup is one event. The JSON form is what `bothy meetup list --json`
// prints.
type Meetup struct {
	ID           int64     `json:"id"`
	UID          string    `json:"uid"`
	Title        string    `json:"title"`
	StartsAt     time.Time `json:"starts_at"`
	TimeZone     string    `json:"time_zone"`
	Venue        string    `json:"venue"`
	OnlineURL    string    `json:"online_url"`
	Hashtag      string    `json:"hashtag"`
	Capacity     int       `json:"capacity"`
	Status       string    `json:"status"`
	CancelReason string    `json:"cancel_reason,omitempty"`
	Sequence     int       `json:"sequence"`
	Recurrence   string    `json:"recurrence,omitempty"`
	Going        int       `json:"going"`
	Waitlist     int       `json:"waitlist"`
	Maybe        int       `json:"maybe"`
	SeriesID     int64     `json:"-"`
	CreatedBy    string    `json:"-"`
	UpdatedAt    time.Time `json:"-"`
}

// MarshalJSON writes starts_at with the local offset spelled out
// ("+00:00" in winter rather than "Z"), as scripts expect a local time.
func (m Meetup) MarshalJSON() ([]byte, error) {
	type plain Meetup
	return json.Marshal(struct {
		plain
		StartsAt string `json:"starts_at"`
	}{plain(m), m.StartsAt.Format("2006-01-02T15:04:05-07:00")})
}

// ErrNotFound is returned for a meetup ID that does not exist.
var ErrNotFound = errors.New("meetups: no such meetup")

// execer is the writer or reader pool, or a transaction.
type execer interface {
	store.Querier
	store.Execer
}

func newUID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "meetup-" + hex.EncodeToString(b) + "@bothy"
}

func insertMeetup(ctx context.Context, q execer, m *Meetup) error {
	var series any
	if m.SeriesID != 0 {
		series = m.SeriesID
	}
	res, err := q.ExecContext(ctx, `INSERT INTO meetups(uid, title, starts_at, time_zone, venue, online_url, hashtag, capacity, series_id, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.UID, m.Title, store.Time(m.StartsAt), m.TimeZone, m.Venue, m.OnlineURL, m.Hashtag, m.Capacity, series, m.CreatedBy)
	if err != nil {
		return fmt.Errorf("meetups: insert: %w", err)
	}
	m.ID, err = res.LastInsertId()
	m.Status = StatusScheduled
	return err
}

func updateMeetup(ctx context.Context, q execer, m *Meetup) error {
	_, err := q.ExecContext(ctx, `UPDATE meetups SET title = ?, starts_at = ?, venue = ?, online_url = ?, hashtag = ?,
		capacity = ?, status = ?, cancel_reason = ?, sequence = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
		WHERE id = ?`,
		m.Title, store.Time(m.StartsAt), m.Venue, m.OnlineURL, m.Hashtag, m.Capacity, m.Status, m.CancelReason, m.Sequence, m.ID)
	if err != nil {
		return fmt.Errorf("meetups: update %d: %w", m.ID, err)
	}
	return nil
}

const meetupCols = `m.id, m.uid, m.title, m.starts_at, m.time_zone, m.venue, m.online_url, m.hashtag, m.capacity,
	m.status, m.cancel_reason, m.sequence, COALESCE(m.series_id, 0), m.created_by, m.updated_at,
	COALESCE((SELECT rule FROM meetup_series s WHERE s.id = m.series_id), ''),
	(SELECT count(*) FROM meetup_rsvps r WHERE r.meetup_id = m.id AND r.answer = 'yes' AND r.waitlisted = 0),
	(SELECT count(*) FROM meetup_rsvps r WHERE r.meetup_id = m.id AND r.answer = 'yes' AND r.waitlisted = 1),
	(SELECT count(*) FROM meetup_rsvps r WHERE r.meetup_id = m.id AND r.answer = 'maybe')`

func scanMeetup(sc store.Scanner) (Meetup, error) {
	var m Meetup
	var starts, updated string
	err := sc.Scan(&m.ID, &m.UID, &m.Title, &starts, &m.TimeZone, &m.Venue, &m.OnlineURL, &m.Hashtag, &m.Capacity,
		&m.Status, &m.CancelReason, &m.Sequence, &m.SeriesID, &m.CreatedBy, &updated, &m.Recurrence, &m.Going, &m.Waitlist, &m.Maybe)
	if err != nil {
		return m, err
	}
	if m.StartsAt, err = store.ParseTime(starts); err != nil {
		return m, fmt.Errorf("meetups: meetup %d: bad start: %w", m.ID, err)
	}
	if loc, lerr := time.LoadLocation(m.TimeZone); lerr == nil {
		m.StartsAt = m.StartsAt.In(loc)
	}
	if m.UpdatedAt, err = store.ParseTime(updated); err != nil {
		return m, fmt.Errorf("meetups: meetup %d: %w", m.ID, err)
	}
	if m.Recurrence != "" {
		if r, err := when.DecodeRecurrence(m.Recurrence); err == nil {
			m.Recurrence = r.String()
		}
	}
	return m, nil
}

func getMeetup(ctx context.Context, q execer, id int64) (Meetup, error) {
	m, ok, err := store.One(ctx, q, scanMeetup, "SELECT "+meetupCols+" FROM meetups m WHERE m.id = ?", id)
	if err != nil {
		return m, fmt.Errorf("meetups: get %d: %w", id, err)
	}
	if !ok {
		return m, ErrNotFound
	}
	return m, nil
}

// listMeetups returns meetups starting at or after from, soonest first.
func listMeetups(ctx context.Context, q execer, from time.Time, onlyScheduled bool) ([]Meetup, error) {
	query := "SELECT " + meetupCols + " FROM meetups m WHERE m.starts_at >= ?"
	if onlyScheduled {
		query += " AND m.status = 'scheduled'"
	}
	out, err := store.List(ctx, q, scanMeetup, query+" ORDER BY m.starts_at, m.id", store.Time(from))
	if err != nil {
		return nil, fmt.Errorf("meetups: list: %w", err)
	}
	return out, nil
}

// latestInSeries returns the start of the series' latest occurrence.
func latestInSeries(ctx context.Context, q execer, seriesID int64) (time.Time, bool, error) {
	var s sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT max(starts_at) FROM meetups WHERE series_id = ?", seriesID).Scan(&s); err != nil {
		return time.Time{}, false, fmt.Errorf("meetups: series %d: %w", seriesID, err)
	}
	if !s.Valid {
		return time.Time{}, false, nil
	}
	t, err := store.ParseTime(s.String)
	return t, err == nil, err
}

// eraseCreator replaces an erased member's ID on meetups they created.
func eraseCreator(ctx context.Context, q execer, userID, pseudonym string) (int64, error) {
	res, err := q.ExecContext(ctx, "UPDATE meetups SET created_by = ? WHERE created_by = ?", pseudonym, userID)
	if err != nil {
		return 0, fmt.Errorf("meetups: erase creator: %w", err)
	}
	n, _ := res.RowsAffected()
	res, err = q.ExecContext(ctx, "UPDATE meetup_series SET created_by = ? WHERE created_by = ?", pseudonym, userID)
	if err != nil {
		return n, fmt.Errorf("meetups: erase series creator: %w", err)
	}
	n2, _ := res.RowsAffected()
	return n + n2, nil
}

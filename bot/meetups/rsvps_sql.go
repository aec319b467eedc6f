package meetups

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/bot/store"
)

// Answers to an RSVP.
const (
	AnswerYes   = "yes"
	AnswerNo    = "no"
	AnswerMaybe = "maybe"
)

// RSVP is one member's answer for one meetup.
type RSVP struct {
	MeetupID   int64  `json:"meetup_id"`
	Platform   string `json:"platform"`
	UserID     string `json:"user_id"`
	UserName   string `json:"user_name"`
	Answer     string `json:"answer"`
	Waitlisted bool   `json:"waitlisted"`
	UpdatedAt  string `json:"updated_at"`
}

func getRSVP(ctx context.Context, q execer, meetupID int64, platform, userID string) (RSVP, bool, error) {
	r, ok, err := store.One(ctx, q, func(sc store.Scanner) (RSVP, error) {
		r := RSVP{MeetupID: meetupID, Platform: platform, UserID: userID}
		err := sc.Scan(&r.UserName, &r.Answer, &r.Waitlisted, &r.UpdatedAt)
		return r, err
	}, `SELECT user_name, answer, waitlisted, updated_at FROM meetup_rsvps
		WHERE meetup_id = ? AND platform = ? AND user_id = ?`, meetupID, platform, userID)
	if err != nil {
		return r, false, fmt.Errorf("meetups: get rsvp: %w", err)
	}
	if !ok {
		r = RSVP{MeetupID: meetupID, Platform: platform, UserID: userID}
	}
	return r, ok, nil
}

func putRSVP(ctx context.Context, q execer, r RSVP) error {
	// queued_at orders the waitlist: a fresh yes goes to the back.
	_, err := q.ExecContext(ctx, `INSERT INTO meetup_rsvps(meetup_id, platform, user_id, user_name, answer, waitlisted, queued_at)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(max(queued_at), 0) + 1 FROM meetup_rsvps WHERE meetup_id = ?))
		ON CONFLICT(meetup_id, platform, user_id) DO UPDATE SET user_name = excluded.user_name, answer = excluded.answer,
		waitlisted = excluded.waitlisted, queued_at = excluded.queued_at, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
		r.MeetupID, r.Platform, r.UserID, r.UserName, r.Answer, r.Waitlisted, r.MeetupID)
	if err != nil {
		return fmt.Errorf("meetups: save rsvp: %w", err)
	}
	return nil
}

func deleteRSVP(ctx context.Context, q execer, meetupID int64, platform, userID string) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM meetup_rsvps WHERE meetup_id = ? AND platform = ? AND user_id = ?", meetupID, platform, userID); err != nil {
		return fmt.Errorf("meetups: delete rsvp: %w", err)
	}
	return nil
}

func countGoing(ctx context.Context, q execer, meetupID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM meetup_rsvps WHERE meetup_id = ? AND answer = 'yes' AND waitlisted = 0", meetupID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("meetups: count going: %w", err)
	}
	return n, nil
}

// promote moves people from the waitlist into free places, first come
// first served, and returns who moved.
func promote(ctx context.Context, q execer, meetupID int64, capacity int) ([]RSVP, error) {
	var out []RSVP
	for {
		going, err := countGoing(ctx, q, meetupID)
		if err != nil {
			return out, err
		}
		if capacity > 0 && going >= capacity {
			return out, nil
		}
		r, ok, err := store.One(ctx, q, func(sc store.Scanner) (RSVP, error) {
			r := RSVP{MeetupID: meetupID, Answer: AnswerYes}
			err := sc.Scan(&r.Platform, &r.UserID, &r.UserName)
			return r, err
		}, `SELECT platform, user_id, user_name FROM meetup_rsvps
			WHERE meetup_id = ? AND answer = 'yes' AND waitlisted = 1 ORDER BY queued_at LIMIT 1`, meetupID)
		if err != nil {
			return out, fmt.Errorf("meetups: promote: %w", err)
		}
		if !ok {
			return out, nil
		}
		if _, err := q.ExecContext(ctx, "UPDATE meetup_rsvps SET waitlisted = 0 WHERE meetup_id = ? AND platform = ? AND user_id = ?",
			meetupID, r.Platform, r.UserID); err != nil {
			return out, fmt.Errorf("meetups: promote: %w", err)
		}
		out = append(out, r)
	}
}

// listRSVPs returns a meetup's answers: going first, then the waitlist in
// order, then maybe and no.
func listRSVPs(ctx context.Context, q execer, meetupID int64) ([]RSVP, error) {
	out, err := store.List(ctx, q, func(sc store.Scanner) (RSVP, error) {
		r := RSVP{MeetupID: meetupID}
		err := sc.Scan(&r.Platform, &r.UserID, &r.UserName, &r.Answer, &r.Waitlisted, &r.UpdatedAt)
		return r, err
	}, `SELECT platform, user_id, user_name, answer, waitlisted, updated_at FROM meetup_rsvps
		WHERE meetup_id = ? ORDER BY CASE answer WHEN 'yes' THEN 0 WHEN 'maybe' THEN 1 ELSE 2 END, waitlisted, queued_at`, meetupID)
	if err != nil {
		return nil, fmt.Errorf("meetups: list rsvps: %w", err)
	}
	return out, nil
}

func rsvpsOfUser(ctx context.Context, q execer, userID string) ([]RSVP, error) {
	out, err := store.List(ctx, q, func(sc store.Scanner) (RSVP, error) {
		var r RSVP
		err := sc.Scan(&r.MeetupID, &r.Platform, &r.UserID, &r.UserName, &r.Answer, &r.Waitlisted, &r.UpdatedAt)
		return r, err
	}, `SELECT meetup_id, platform, user_id, user_name, answer, waitlisted, updated_at
		FROM meetup_rsvps WHERE user_id = ? ORDER BY meetup_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("meetups: rsvps of user: %w", err)
	}
	return out, nil
}

// anonymiseRSVPs replaces userID with the erasure's pseudonym on each of
// its answers (one per meetup), so counts of who is going stay right.
func anonymiseRSVPs(ctx context.Context, q execer, userID, pseudonym string) (int64, error) {
	rs, err := rsvpsOfUser(ctx, q, userID)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, r := range rs {
		res, err := q.ExecContext(ctx, `UPDATE meetup_rsvps SET user_id = ?, user_name = '' WHERE meetup_id = ? AND platform = ? AND user_id = ?`,
			pseudonym, r.MeetupID, r.Platform, r.UserID)
		if err != nil {
			return n, fmt.Errorf("meetups: anonymise rsvp: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

package meetups

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups/when"
	"github.com/bothy-chat/bothy/bot/store"
)

// Draft is a meetup about to be created.
type Draft struct {
	Title     string
	Start     time.Time
	Rule      *when.Recurrence
	Venue     string
	OnlineURL string
	Hashtag   string
	Capacity  int
}

// withTx runs fn in one write transaction.
func (s *Service) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("meetups: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("meetups: commit: %w", err)
	}
	return nil
}

// Create stores a meetup (and its series when recurring), queues its
// announcement to every channel and its reminders, in one transaction.
func (s *Service) Create(ctx context.Context, d Draft, by string) (Meetup, error) {
	m := Meetup{
		UID: newUID(), Title: d.Title, StartsAt: d.Start.In(s.loc), TimeZone: s.loc.String(),
		Venue: d.Venue, OnlineURL: d.OnlineURL, Hashtag: d.Hashtag, Capacity: d.Capacity, CreatedBy: by,
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if d.Rule != nil {
			sr := series{Rule: d.Rule.Encode(), Title: d.Title, TimeZone: s.loc.String(), Venue: d.Venue,
				OnlineURL: d.OnlineURL, Hashtag: d.Hashtag, Capacity: d.Capacity, CreatedBy: by}
			if err := insertSeries(ctx, tx, &sr); err != nil {
				return err
			}
			m.SeriesID = sr.ID
			m.Recurrence = d.Rule.String()
		}
		if err := insertMeetup(ctx, tx, &m); err != nil {
			return err
		}
		if err := s.queueNew(ctx, tx, m); err != nil {
			return err
		}
		return store.AuditIn(ctx, tx, by, "meetup.create", "meetup:"+strconv.FormatInt(m.ID, 10), m.Title)
	})
	if err != nil {
		return m, err
	}
	return m, nil
}

// queueNew queues the announcement and reminders of a new meetup.
func (s *Service) queueNew(ctx context.Context, tx *sql.Tx, m Meetup) error {
	now := s.clock.Now()
	for _, ch := range s.channels {
		if err := enqueue(ctx, tx, m, ch, "announce", now); err != nil {
			return err
		}
	}
	return s.queueReminders(ctx, tx, m)
}

// queueReminders adds one row per channel per reminder offset still ahead.
// The kind carries the meetup's sequence, so after a change of time the
// new reminders are new deliveries, not repeats of ones already sent.
func (s *Service) queueReminders(ctx context.Context, tx *sql.Tx, m Meetup) error {
	now := s.clock.Now()
	for _, off := range s.reminders {
		due := s.reminderDue(m.StartsAt, off)
		if !due.After(now) {
			continue // the announcement itself is closer than this reminder
		}
		kind := fmt.Sprintf("remind-%s-s%d", off, m.Sequence)
		for _, ch := range s.channels {
			if err := enqueue(ctx, tx, m, ch, kind, due); err != nil {
				return err
			}
		}
	}
	return nil
}

// SyncReminders brings the reminders of meetups still ahead in line with
// the configured offsets, which may have changed since they were added:
// an offset added is queued (enqueue ignores what is there already), and
// one taken away is skipped if not yet sent.
func (s *Service) SyncReminders(ctx context.Context) error {
	ms, err := s.Scheduled(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !m.StartsAt.After(s.clock.Now()) {
			continue
		}
		keep := make([]string, len(s.reminders))
		for i, off := range s.reminders {
			keep[i] = fmt.Sprintf("remind-%s-s%d", off, m.Sequence)
		}
		if err := s.withTx(ctx, func(tx *sql.Tx) error {
			if err := s.queueReminders(ctx, tx, m); err != nil {
				return err
			}
			return dropRemindersExcept(ctx, tx, m.ID, keep, "reminder no longer configured")
		}); err != nil {
			return fmt.Errorf("meetups: sync reminders of %d: %w", m.ID, err)
		}
	}
	return nil
}

// reminderDue is when a reminder offset falls. Whole days count in
// calendar days at the same local time ("a week before" an 18:00 meetup is
// 18:00 a week earlier, even across a clock change); shorter offsets are
// plain durations.
func (s *Service) reminderDue(start time.Time, off time.Duration) time.Time {
	const day = 24 * time.Hour
	if off >= day && off%day == 0 {
		return start.In(s.loc).AddDate(0, 0, -int(off/day))
	}
	return start.Add(-off)
}

// Fields that `meetup edit` can change, with their aliases.
var editFields = map[string]string{
	"title": "title", "name": "title",
	"when": "when", "time": "when", "date": "when", "start": "when",
	"venue": "venue", "where": "venue", "place": "venue", "location": "venue",
	"online": "online", "url": "online", "link": "online",
	"hashtag": "hashtag", "tag": "hashtag",
	"capacity": "capacity", "places": "capacity",
}

// fieldNames say each field in plain English for replies.
var fieldNames = map[string]string{
	"title": "title", "when": "date and time", "venue": "venue",
	"online": "online link", "hashtag": "hashtag", "capacity": "capacity",
}

// EditResult says what an edit changed.
type EditResult struct {
	Meetup   Meetup
	Field    string
	Promoted []RSVP
}

// Edit changes one field, bumps the sequence (for calendars) and queues an
// update to every channel.
func (s *Service) Edit(ctx context.Context, id int64, field, value, by string) (EditResult, error) {
	f, ok := editFields[strings.ToLower(field)]
	if !ok {
		return EditResult{}, usage("I can change title, when, venue, online, hashtag or capacity, not %q.", field)
	}
	value = strings.TrimSpace(value)
	clear := value == "-" || strings.EqualFold(value, "none")
	if value == "" {
		return EditResult{}, usage("What should the new %s be? For example: meetup edit %d %s ...", fieldNames[f], id, f)
	}
	var res EditResult
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		m, err := getMeetup(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Status == StatusCancelled {
			return usage("Meetup %d is cancelled, so it can't be changed.", id)
		}
		if !m.StartsAt.After(s.clock.Now()) {
			return usage("Meetup %d has already started, so it can't be changed.", id)
		}
		timeChanged := false
		switch f {
		case "title":
			if clear || len([]rune(value)) > maxTitle {
				return usage("A title needs 1 to %d characters.", maxTitle)
			}
			m.Title = value
		case "when":
			p, err := s.ParseWhen(value)
			if err != nil {
				return whenError(err, value)
			}
			if p.Rule != nil {
				return usage("To make a meetup repeat, add a new one with \"every ...\"; edit changes one date.")
			}
			m.StartsAt, timeChanged = p.Time, true
		case "venue":
			if len([]rune(value)) > maxVenue {
				return usage("That venue is too long (the limit is %d characters).", maxVenue)
			}
			m.Venue = value
			if clear {
				m.Venue = ""
			}
		case "online":
			m.OnlineURL = ""
			if !clear {
				if m.OnlineURL, err = checkURL(value); err != nil {
					return err
				}
			}
		case "hashtag":
			m.Hashtag = ""
			if !clear {
				if m.Hashtag, err = checkHashtag("#" + strings.TrimPrefix(value, "#")); err != nil {
					return err
				}
			}
		case "capacity":
			m.Capacity = 0
			if !clear {
				n, err := strconv.Atoi(value)
				if err != nil || n < 1 || n > 100000 {
					return usage("capacity needs a whole number of places (or \"none\" for no limit).")
				}
				m.Capacity = n
			}
		}
		m.Sequence++
		if err := updateMeetup(ctx, tx, &m); err != nil {
			return err
		}
		if f == "capacity" {
			if res.Promoted, err = promote(ctx, tx, m.ID, m.Capacity); err != nil {
				return err
			}
		}
		if timeChanged {
			if err := dropScheduledReminders(ctx, tx, m.ID, "time changed"); err != nil {
				return err
			}
			if err := s.queueReminders(ctx, tx, m); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		for _, ch := range s.channels {
			if err := enqueue(ctx, tx, m, ch, fmt.Sprintf("edit-%d", m.Sequence), now); err != nil {
				return err
			}
		}
		res.Meetup, res.Field = m, f
		return store.AuditIn(ctx, tx, by, "meetup.edit", "meetup:"+strconv.FormatInt(id, 10), f+"="+value)
	})
	if err != nil {
		return res, err
	}
	res.Meetup, err = getMeetup(ctx, s.db.Write, id)
	return res, err
}

// Cancel marks a meetup cancelled, retires its reminders and queues the
// cancellation to every channel. With stopSeries the repeating series it
// belongs to stops too.
func (s *Service) Cancel(ctx context.Context, id int64, reason, by string, stopAll bool) (Meetup, error) {
	var m Meetup
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = getMeetup(ctx, tx, id); err != nil {
			return err
		}
		if m.Status == StatusCancelled && stopAll && m.SeriesID != 0 {
			// After a one-off cancellation this date is the series' only
			// handle until the next is created, so it must be able to stop
			// the series; the date itself was announced as cancelled already.
			if err := stopSeries(ctx, tx, m.SeriesID); err != nil {
				return err
			}
			return store.AuditIn(ctx, tx, by, "meetup.cancel", "meetup:"+strconv.FormatInt(id, 10), "series")
		}
		if m.Status == StatusCancelled {
			return usage("Meetup %d is already cancelled.", id)
		}
		if !m.StartsAt.After(s.clock.Now()) {
			return usage("Meetup %d has already started, so it can't be cancelled.", id)
		}
		m.Status, m.CancelReason = StatusCancelled, reason
		m.Sequence++
		if err := updateMeetup(ctx, tx, &m); err != nil {
			return err
		}
		if stopAll && m.SeriesID != 0 {
			if err := stopSeries(ctx, tx, m.SeriesID); err != nil {
				return err
			}
		}
		if err := dropScheduledReminders(ctx, tx, m.ID, "cancelled"); err != nil {
			return err
		}
		for _, ch := range s.channels {
			if err := enqueue(ctx, tx, m, ch, "cancel", s.clock.Now()); err != nil {
				return err
			}
		}
		return store.AuditIn(ctx, tx, by, "meetup.cancel", "meetup:"+strconv.FormatInt(id, 10), reason)
	})
	return m, err
}

// RSVPResult says where an answer left the member.
type RSVPResult struct {
	Meetup Meetup
	// Status is "going", "waitlisted", "maybe", "no" or "cleared".
	Status string
	// Position is the place on the waitlist (1 = next in).
	Position int
	// Changed is false when the answer was the same as before.
	Changed  bool
	Promoted []RSVP
}

// RecordRSVP records an RSVP. answer is yes, no, maybe, or "" to withdraw
// (a removed reaction). Places freed go to the waitlist in order.
func (s *Service) RecordRSVP(ctx context.Context, id int64, platform, userID, userName, answer string) (RSVPResult, error) {
	var res RSVPResult
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		m, err := getMeetup(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Status == StatusCancelled {
			return usage("Meetup %d (%s) is cancelled.", id, m.Title)
		}
		if !m.StartsAt.After(s.clock.Now()) {
			return usage("Meetup %d (%s) has already started.", id, m.Title)
		}
		prev, had, err := getRSVP(ctx, tx, id, platform, userID)
		if err != nil {
			return err
		}
		wasGoing := had && prev.Answer == AnswerYes && !prev.Waitlisted
		switch {
		case answer == "":
			if !had {
				res.Status = "cleared"
				return nil
			}
			if err := deleteRSVP(ctx, tx, id, platform, userID); err != nil {
				return err
			}
			res.Status, res.Changed = "cleared", true
		case answer == AnswerYes && had && prev.Answer == AnswerYes:
			res.Status = "going"
			if prev.Waitlisted {
				res.Status = "waitlisted"
			}
		case answer == AnswerYes:
			going, err := countGoing(ctx, tx, id)
			if err != nil {
				return err
			}
			r := RSVP{MeetupID: id, Platform: platform, UserID: userID, UserName: userName, Answer: AnswerYes}
			r.Waitlisted = m.Capacity > 0 && going >= m.Capacity
			if err := putRSVP(ctx, tx, r); err != nil {
				return err
			}
			res.Status, res.Changed = "going", true
			if r.Waitlisted {
				res.Status = "waitlisted"
			}
		default:
			res.Changed = !had || prev.Answer != answer
			if err := putRSVP(ctx, tx, RSVP{MeetupID: id, Platform: platform, UserID: userID, UserName: userName, Answer: answer}); err != nil {
				return err
			}
			res.Status = answer
		}
		if wasGoing && res.Status != "going" {
			if res.Promoted, err = promote(ctx, tx, id, m.Capacity); err != nil {
				return err
			}
		}
		if res.Status == "waitlisted" {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM meetup_rsvps WHERE meetup_id = ? AND answer = 'yes' AND waitlisted = 1
				AND queued_at <= (SELECT queued_at FROM meetup_rsvps WHERE meetup_id = ? AND platform = ? AND user_id = ?)`,
				id, id, platform, userID).Scan(&res.Position); err != nil {
				return fmt.Errorf("meetups: waitlist position: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Meetup, err = getMeetup(ctx, s.db.Write, id)
	return res, err
}

// materialise makes sure each active series has its next occurrence. A
// series that fails is logged and passed over, so it cannot hold back the
// series after it.
func (s *Service) materialise(ctx context.Context) error {
	all, err := activeSeries(ctx, s.db.Write)
	if err != nil {
		return err
	}
	var errs []error
	for _, sr := range all {
		if err := s.materialiseOne(ctx, sr); err != nil {
			if ctx.Err() != nil {
				return errors.Join(append(errs, err)...)
			}
			errs = append(errs, fmt.Errorf("meetups: next occurrence of series %d: %w", sr.ID, err))
		}
	}
	return errors.Join(errs...)
}

// materialiseOne creates a series' next occurrence once its latest has
// started. A cancelled date counts as the latest too: the series goes on
// from it, as only "cancel ID series" stops the series itself.
func (s *Service) materialiseOne(ctx context.Context, sr series) error {
	now := s.clock.Now()
	rule, err := when.DecodeRecurrence(sr.Rule)
	if err != nil {
		s.log.Error("bad series rule", "series", sr.ID, "err", err)
		return nil
	}
	loc, err := time.LoadLocation(sr.TimeZone)
	if err != nil {
		loc = s.loc
	}
	latest, ok, err := latestInSeries(ctx, s.db.Write, sr.ID)
	if err != nil {
		return err
	}
	if ok && latest.After(now) {
		return nil
	}
	from := now
	if ok && latest.After(from) {
		from = latest
	}
	next := rule.Next(from, loc)
	m := Meetup{UID: newUID(), Title: sr.Title, StartsAt: next.In(loc), TimeZone: sr.TimeZone, Venue: sr.Venue,
		OnlineURL: sr.OnlineURL, Hashtag: sr.Hashtag, Capacity: sr.Capacity, SeriesID: sr.ID, CreatedBy: sr.CreatedBy}
	if err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := insertMeetup(ctx, tx, &m); err != nil {
			return err
		}
		return s.queueNew(ctx, tx, m)
	}); err != nil {
		return err
	}
	s.log.Info("next occurrence of a repeating meetup", "series", sr.ID, "meetup", m.ID, "starts", m.StartsAt.Format(time.RFC3339))
	return nil
}

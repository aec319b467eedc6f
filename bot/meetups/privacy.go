package meetups

import (
	"context"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

var (
	_ privacy.Provider   = (*Privacy)(nil)
	_ privacy.Identifier = (*Privacy)(nil)
)

// Privacy is the meetups share of a member's data: their RSVPs and the
// meetups they created.
type Privacy struct{ db *store.DB }

// PrivacyProvider returns the meetups share of privacy requests.
func PrivacyProvider(db *store.DB) *Privacy { return &Privacy{db: db} }

// Name labels the export section.
func (p *Privacy) Name() string { return "meetups" }

type exportData struct {
	RSVPs   []RSVP        `json:"rsvps"`
	Created []int64       `json:"meetups_created"`
	Named   []namedMeetup `json:"meetups_naming_you"`
	Series  []namedMeetup `json:"series_naming_you"`
}

// namedMeetup is a meetup whose title, venue or cancellation reason names
// the member.
type namedMeetup struct {
	ID           int64  `json:"id"`
	Title        string `json:"title"`
	Venue        string `json:"venue"`
	CancelReason string `json:"cancel_reason,omitempty"`
}

// Identify adds the names the member gave with their RSVPs.
func (p *Privacy) Identify(ctx context.Context, s *privacy.Subject) error {
	rs, err := rsvpsOfUser(ctx, p.db.Read, s.UserID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		s.AddName(r.UserName)
	}
	return nil
}

// ExportUser returns the member's RSVPs, the IDs of meetups they created
// and of meetups whose text names them.
func (p *Privacy) ExportUser(ctx context.Context, s *privacy.Subject) (any, error) {
	userID := s.UserID
	rs, err := rsvpsOfUser(ctx, p.db.Read, userID)
	if err != nil {
		return nil, err
	}
	out := exportData{RSVPs: rs, Created: []int64{}, Named: []namedMeetup{}}
	if out.RSVPs == nil {
		out.RSVPs = []RSVP{}
	}
	if out.Created, err = store.List(ctx, p.db.Read, store.Column[int64], "SELECT id FROM meetups WHERE created_by = ? ORDER BY id", userID); err != nil {
		return nil, fmt.Errorf("meetups: meetups created by a member: %w", err)
	}
	if out.Created == nil {
		out.Created = []int64{}
	}
	if out.Named, err = meetupsNaming(ctx, p.db.Read, s); err != nil {
		return nil, err
	}
	if out.Series, err = seriesNaming(ctx, p.db.Read, s); err != nil {
		return nil, err
	}
	return out, nil
}

// seriesNaming lists repeating series whose title or venue mentions the
// subject.
func seriesNaming(ctx context.Context, q execer, s *privacy.Subject) ([]namedMeetup, error) {
	all, err := store.List(ctx, q, func(sc store.Scanner) (namedMeetup, error) {
		var m namedMeetup
		err := sc.Scan(&m.ID, &m.Title, &m.Venue)
		return m, err
	}, "SELECT id, title, venue FROM meetup_series ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("meetups: series naming a member: %w", err)
	}
	out := []namedMeetup{}
	for _, m := range all {
		if s.Mentions(m.Title) || s.Mentions(m.Venue) {
			out = append(out, m)
		}
	}
	return out, nil
}

// meetupsNaming lists meetups whose text mentions the subject.
func meetupsNaming(ctx context.Context, q execer, s *privacy.Subject) ([]namedMeetup, error) {
	all, err := store.List(ctx, q, func(sc store.Scanner) (namedMeetup, error) {
		var m namedMeetup
		err := sc.Scan(&m.ID, &m.Title, &m.Venue, &m.CancelReason)
		return m, err
	}, "SELECT id, title, venue, cancel_reason FROM meetups ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("meetups: meetups naming a member: %w", err)
	}
	out := []namedMeetup{}
	for _, m := range all {
		if s.Mentions(m.Title) || s.Mentions(m.Venue) || s.Mentions(m.CancelReason) {
			out = append(out, m)
		}
	}
	return out, nil
}

// EraseUser anonymises the member's RSVPs (the pseudonym keeps each
// answer, so "12 going" stays true), puts the pseudonym on meetups they
// created and scrubs them from meetup text that names them.
func (p *Privacy) EraseUser(ctx context.Context, s *privacy.Subject) (int64, error) {
	var n int64
	tx, err := p.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	k, err := anonymiseRSVPs(ctx, tx, s.UserID, s.Pseudonym)
	if err != nil {
		return 0, err
	}
	n += k
	if k, err = eraseCreator(ctx, tx, s.UserID, s.Pseudonym); err != nil {
		return 0, err
	}
	n += k
	named, err := meetupsNaming(ctx, tx, s)
	if err != nil {
		return 0, err
	}
	for _, m := range named {
		if _, err := tx.ExecContext(ctx, "UPDATE meetups SET title = ?, venue = ?, cancel_reason = ? WHERE id = ?",
			s.Scrub(m.Title), s.Scrub(m.Venue), s.Scrub(m.CancelReason), m.ID); err != nil {
			return 0, fmt.Errorf("meetups: erase: %w", err)
		}
		n++
	}
	// A series keeps the title and venue its next meetups are made from.
	series, err := seriesNaming(ctx, tx, s)
	if err != nil {
		return 0, err
	}
	for _, r := range series {
		if _, err := tx.ExecContext(ctx, "UPDATE meetup_series SET title = ?, venue = ? WHERE id = ?", s.Scrub(r.Title), s.Scrub(r.Venue), r.ID); err != nil {
			return 0, fmt.Errorf("meetups: erase: %w", err)
		}
		n++
	}
	return n, tx.Commit()
}

// Prune has nothing to do: RSVPs are kept as the meetups' attendance
// record and anonymised on request.
func (p *Privacy) Prune(ctx context.Context, before time.Time) (int64, error) { return 0, nil }

// Package shoutouts records members' shout-outs for each other's good
// work and keeps them fair (no self-praise, real reasons, no duplicates, a
// daily quota), then turns the record into leaderboards, award rounds, a
// weekly digest, case-study drafts and exports. It also answers privacy
// requests for the data it holds (see bot/privacy).
package shoutouts

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/store"
)

var (
	_ privacy.Provider   = (*Service)(nil)
	_ privacy.Identifier = (*Service)(nil)
)

// DigestOptions configure the weekly digest.
type DigestOptions struct {
	// Day and Time (HH:MM, community time zone) the digest is due.
	Day  time.Weekday
	Time string
	// Channels receive the digest; none means no digest.
	Channels []bot.Channel
	// Documents lists new knowledge documents; nil skips that section.
	Documents DocLister
	// Meetups lists meetups coming up; nil skips that section.
	Meetups MeetupLister
}

// DocLister is what the digest needs of the knowledge base: the documents
// added or changed since a time, one line each.
type DocLister interface {
	DocumentsSince(ctx context.Context, since time.Time) ([]string, error)
}

// MeetupLister is what the digest needs of meetups: those starting before
// until, one line each.
type MeetupLister interface {
	MeetupsBefore(ctx context.Context, until time.Time) ([]string, error)
}

// digestAhead is how far ahead the digest lists meetups.
const digestAhead = 14 * 24 * time.Hour

// Options configure a Service. Only DB is required; a Service without a
// Sender can still record, report, export and answer privacy requests
// (the CLI uses it that way).
type Options struct {
	DB     *store.DB
	Sender bot.Sender
	Clock  bot.Clock
	// Location is the community time zone for days, weeks and the digest.
	Location *time.Location
	// DailyQuota is how many shout-outs one member may give per day
	// (community time zone); 0 means no limit.
	DailyQuota int
	// KnowledgeDir is where promoted case studies are written; empty means
	// promotion explains how to configure one.
	KnowledgeDir string
	Digest       DigestOptions
	Logger       *slog.Logger
}

// Service is the shout-outs feature.
type Service struct {
	db       *store.DB
	send     bot.Sender
	clock    bot.Clock
	loc      *time.Location
	quota    int
	kbDir    string
	digest   DigestOptions
	log      *slog.Logger
	digestMu sync.Mutex
	// noticeMu keeps two deliveries of the same owed notice apart.
	noticeMu sync.Mutex
	skipped  string // period whose late skip was logged
	// digestSince is when this database first checked for a digest (zero
	// until read): periods due before then predate the install.
	digestSince time.Time
	// remove deletes a promoted file whose audit record failed (os.Remove;
	// a test makes it fail).
	remove func(path string) error
}

// New returns a Service.
func New(opts Options) (*Service, error) {
	if opts.DB == nil {
		return nil, fmt.Errorf("shoutouts: no database")
	}
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DailyQuota < 0 {
		return nil, fmt.Errorf("shoutouts: daily quota %d is negative", opts.DailyQuota)
	}
	if opts.Digest.Time == "" {
		opts.Digest.Time = "16:00"
	}
	if _, _, err := parseClock(opts.Digest.Time); err != nil {
		return nil, fmt.Errorf("shoutouts: digest time: %w", err)
	}
	return &Service{
		db: opts.DB, send: opts.Sender, clock: opts.Clock, loc: opts.Location,
		quota: opts.DailyQuota, kbDir: opts.KnowledgeDir, digest: opts.Digest,
		log: opts.Logger.With("component", "shoutouts"), remove: os.Remove,
	}, nil
}

// Shoutout is one recorded shout-out to one person.
type Shoutout struct {
	ID            int64
	GiverID       string
	GiverName     string
	RecipientID   string
	RecipientName string
	Reason        string
	Category      string
	Platform      string
	RoomID        string
	MessageID     string
	CreatedAt     time.Time
	// RetractedAt is zero unless an organiser retracted it.
	RetractedAt   time.Time
	RetractedBy   string
	RetractReason string
}

// Retracted reports whether an organiser withdrew the shout-out.
func (s Shoutout) Retracted() bool { return !s.RetractedAt.IsZero() }

func (s *Service) now() time.Time { return s.clock.Now() }

// startOfDay is local midnight of t's day in the community time zone.
func (s *Service) startOfDay(t time.Time) time.Time {
	l := t.In(s.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.loc)
}

func parseClock(hhmm string) (h, m int, err error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a time like 16:00", hhmm)
	}
	return t.Hour(), t.Minute(), nil
}

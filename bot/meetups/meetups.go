// Package meetups lets organisers announce meetups once and have every
// announcement channel on every platform hear it; members RSVP by command,
// button or reaction (with a waitlist when places are limited); reminders
// go out from an SQLite outbox exactly once, across restarts and crashes;
// and the calendar feed and JSON list serve the same data.
package meetups

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups/when"
	"github.com/bothy-chat/bothy/bot/store"
)

// Options configure the service.
type Options struct {
	DB *store.DB
	// Sender delivers announcements and reminders; nil for read-only use
	// (the CLI's export and list).
	Sender bot.Sender
	Clock  bot.Clock
	// Location is the community time zone (default Europe/London).
	Location *time.Location
	// Reminders are offsets before the start (default 168h, 24h, 1h).
	Reminders []time.Duration
	Channels  []bot.Channel
	Logger    *slog.Logger
	// TickEvery is how often the scheduler runs (default 30s).
	TickEvery time.Duration
	// MaxAttempts bounds retries of a failing delivery (default 8).
	MaxAttempts int
	// Metrics counts deliveries; nil counts nothing.
	Metrics Observer
}

// Observer counts what the outbox delivers; *metrics.Metrics is one.
type Observer interface {
	// Delivered counts one delivery: announce, edit, cancel or reminder.
	Delivered(kind string)
	// Failed counts an error in a component ("meetups").
	Failed(component string)
}

type nopObserver struct{}

func (nopObserver) Delivered(string) {}
func (nopObserver) Failed(string)    {}

// Service is the meetups feature.
type Service struct {
	db        *store.DB
	send      bot.Sender
	clock     bot.Clock
	loc       *time.Location
	reminders []time.Duration
	channels  []bot.Channel
	log       *slog.Logger
	metrics   Observer
	tick      time.Duration
	maxTries  int
	// deliverMu lets one delivery pass run at a time, so a row is never
	// sent by two goroutines of the same process.
	deliverMu sync.Mutex
}

// DefaultReminders are used when none are configured.
var DefaultReminders = []time.Duration{168 * time.Hour, 24 * time.Hour, time.Hour}

// Duration is how long a meetup is assumed to last, for the calendar feed
// and for "upcoming" (a meetup stays listed while it is on).
const Duration = 3 * time.Hour

// New returns the service.
func New(opts Options) (*Service, error) {
	if opts.DB == nil {
		return nil, errors.New("meetups: no database")
	}
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			return nil, fmt.Errorf("meetups: load Europe/London: %w", err)
		}
		opts.Location = loc
	}
	if len(opts.Reminders) == 0 {
		opts.Reminders = DefaultReminders
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.TickEvery <= 0 {
		opts.TickEvery = 30 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Metrics == nil {
		opts.Metrics = nopObserver{}
	}
	return &Service{
		db: opts.DB, send: opts.Sender, clock: opts.Clock, loc: opts.Location,
		reminders: opts.Reminders, channels: opts.Channels, tick: opts.TickEvery, maxTries: opts.MaxAttempts, metrics: opts.Metrics,
		log: opts.Logger.With("component", "meetups"),
	}, nil
}

// Location is the community time zone.
func (s *Service) Location() *time.Location { return s.loc }

// Register wires the service into a bot: the meetup command, RSVP buttons
// and reactions, the scheduler and the shutdown flush.
func (s *Service) Register(b *bot.Bot) {
	b.Register(s.Command())
	b.HandleAction(ActionRSVP, s.handleAction)
	b.OnReaction(s.handleReaction)
	b.AddService("meetups-scheduler", s.Run)
	b.OnShutdown(s.Flush)
}

// Run reconciles the outbox (deliveries interrupted by a stop are sent
// again with their original idempotency keys), then ticks until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if n, err := s.countPending(ctx); err == nil && n > 0 {
		s.log.Info("reconciling deliveries interrupted by the last stop", "pending", n)
	}
	if err := s.SyncReminders(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("bringing reminders in line with the configuration", "err", err)
	}
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Tick is one scheduler pass: create the next occurrence of recurring
// meetups, then deliver everything due. Tests call it after moving the
// clock.
func (s *Service) Tick(ctx context.Context) error {
	return errors.Join(s.materialise(ctx), s.Deliver(ctx))
}

// Flush is the shutdown hook: one last scheduler pass. A short run (the
// console fed from a pipe) can stop before its first tick finishes, so
// without it a series whose date has passed would get its next date only
// from some later run that happened to tick.
func (s *Service) Flush(ctx context.Context) error { return s.Tick(ctx) }

func (s *Service) countPending(ctx context.Context) (int, error) {
	c, err := countByStatus(ctx, s.db.Write)
	return c[outPending], err
}

// Get returns one meetup.
func (s *Service) Get(ctx context.Context, id int64) (Meetup, error) {
	return getMeetup(ctx, s.db.Read, id)
}

// Upcoming lists meetups not yet over (cancelled ones included, so feeds
// can show the cancellation), soonest first. The HTTP server uses it.
func (s *Service) Upcoming(ctx context.Context) ([]Meetup, error) {
	return listMeetups(ctx, s.db.Read, s.clock.Now().Add(-Duration), false)
}

// Since lists every meetup starting from a time (cancelled ones and those
// still ahead included), soonest first: the organisers' dashboard charts
// RSVPs over time from it.
func (s *Service) Since(ctx context.Context, from time.Time) ([]Meetup, error) {
	return listMeetups(ctx, s.db.Read, from, false)
}

// Scheduled lists upcoming meetups that are not cancelled.
func (s *Service) Scheduled(ctx context.Context) ([]Meetup, error) {
	return listMeetups(ctx, s.db.Read, s.clock.Now().Add(-Duration), true)
}

// Who lists a meetup's RSVPs.
func (s *Service) Who(ctx context.Context, id int64) ([]RSVP, error) {
	return listRSVPs(ctx, s.db.Read, id)
}

// ParseWhen understands a date in the community zone at the clock's now.
func (s *Service) ParseWhen(text string) (when.Parsed, error) {
	return when.Parse(text, s.clock.Now(), s.loc)
}

// Package web is Bothy's HTTP server: health and readiness probes,
// Prometheus metrics, the meetups calendar feed and a small community page
// (upcoming meetups, recent shout-outs, knowledge base search).
//
// The page depends only on the small interfaces and view types below, so
// each feature can be present or absent: a nil Calendar, Wall or Searcher
// leaves its part of the page saying so and its endpoints answering 404.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/metrics"
)

// MeetupView is one meetup as the page shows it.
type MeetupView struct {
	ID       string
	Title    string
	StartsAt time.Time
	// TimeZone is the IANA zone the meetup was planned in; empty means the
	// community's zone.
	TimeZone  string
	Venue     string
	OnlineURL string
	Hashtag   string
	// Status is "scheduled" or "cancelled" (others are shown as given).
	Status string
	Going  int
	// UID is the iCalendar UID the feed uses for this meetup, so a single
	// event added from the page matches the subscribed feed. Optional.
	UID string
}

// Cancelled reports whether the meetup was called off.
func (m MeetupView) Cancelled() bool { return m.Status == "cancelled" }

// ShoutoutView is one shout-out on the wall. Retracted and erased
// shout-outs must not be returned by the Wall at all.
type ShoutoutView struct {
	RecipientName string
	GiverName     string
	Reason        string
	Category      string
	CreatedAt     time.Time
}

// SourceView is one cited knowledge-base document.
type SourceView struct {
	ID      string
	Title   string
	Kind    string
	URL     string
	Updated string
}

// AnswerView is the answer to a search, the same one chat would give.
type AnswerView struct {
	Text string
	// Confident is false when the knowledge base abstained ("I don't know").
	Confident bool
	Sources   []SourceView
}

// Calendar lists upcoming meetups and renders them as iCalendar: the
// feed, and one meetup's file for "add to calendar" (nil when id is no
// upcoming meetup). The meetups feature renders both, so they agree.
type Calendar interface {
	UpcomingMeetups(ctx context.Context) ([]MeetupView, error)
	ICS(ctx context.Context) ([]byte, error)
	MeetupICS(ctx context.Context, id string) ([]byte, error)
}

// Wall lists recent shout-outs, newest first.
type Wall interface {
	RecentShoutouts(ctx context.Context, limit int) ([]ShoutoutView, error)
}

// Searcher answers a question from the knowledge base.
type Searcher interface {
	Search(ctx context.Context, q string) (AnswerView, error)
}

// Library shows the knowledge base's documents at /kb/ID, where answers
// link to the section they quote.
type Library interface {
	// Document returns the document, or found false when there is none.
	Document(ctx context.Context, id string) (doc DocumentView, found bool, err error)
}

// DocumentView is one document of the knowledge base.
type DocumentView struct {
	ID, Title, Kind, Organisation, URL, Updated string
	Tags                                        []string
	Sections                                    []SectionView
}

// SectionView is one section: Anchor is its fragment ("" for the lead),
// Level 1 for a heading under the title, 2 below that; Text is plain text,
// paragraphs separated by blank lines and list items as lines starting
// "- ".
type SectionView struct {
	Anchor, Heading string
	Level           int
	Text            string
}

// Check is one readiness check; Check returns nil when the part is up.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Sources are the features the page shows; any may be nil.
type Sources struct {
	Calendar Calendar
	Wall     Wall
	Searcher Searcher
	Library  Library
}

// Page modes (config http.page).
const (
	PagePublic = "public"
	PageToken  = "token"
	PageOff    = "off"
)

// Options configure the server.
type Options struct {
	// Community is the community's name, shown as the page title.
	Community string
	// Location is the community time zone for showing times.
	Location *time.Location
	// Page is PagePublic (default), PageToken or PageOff.
	Page string
	// Token is the shared page token for PageToken. Never logged.
	Token string
	// PublicURL is the address browsers use (web.public_url). An https
	// scheme marks cookies Secure even when a TLS proxy talks plain HTTP
	// to Bothy.
	PublicURL string
	Sources   Sources
	// Admin, when set, serves the organisers' console under /admin. It
	// does its own sign-in; the page token and page mode do not apply.
	Admin http.Handler
	// Checks decide readiness (the database, each adapter).
	Checks []Check
	// Metrics is what /metrics serves (default: an empty set).
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	// Now is the clock (tests pin it); default time.Now.
	Now func() time.Time
	// CheckTimeout bounds each readiness check (default 3s), so one stuck
	// dependency makes the probe answer "down" rather than hang past the
	// prober's own timeout.
	CheckTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for open requests when
	// its context ends (default 5s).
	ShutdownTimeout time.Duration
	// SearchPerMinute limits searches per client address (0 = no limit),
	// so one visitor cannot run the knowledge base, or a language model
	// behind it, flat out.
	SearchPerMinute int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (http.trusted_proxies); empty trusts any peer on this
	// machine or a private network.
	TrustedProxies []netip.Prefix

	secure bool // PublicURL is https
}

// Server is the HTTP server.
type Server struct {
	opts     Options
	searches *bot.RateLimiter
	log      *slog.Logger
	handler  http.Handler
}

// New checks the options and builds the server's routes.
func New(opts Options) (*Server, error) {
	if opts.Page == "" {
		opts.Page = PagePublic
	}
	switch opts.Page {
	case PagePublic, PageOff:
	case PageToken:
		if opts.Token == "" {
			return nil, errors.New("web: page mode token needs a token (BOTHY_HTTP_PAGE_TOKEN)")
		}
	default:
		return nil, fmt.Errorf("web: page mode %q is not public, token or off", opts.Page)
	}
	if opts.PublicURL != "" {
		u, err := url.Parse(opts.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("web: public URL %q is not an http or https address", opts.PublicURL)
		}
		opts.secure = u.Scheme == "https"
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 5 * time.Second
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 3 * time.Second
	}
	if opts.Community == "" {
		opts.Community = "Bothy"
	}
	s := &Server{opts: opts, log: opts.Logger.With("component", "web"), searches: bot.NewRateLimiter(opts.SearchPerMinute, nowFunc(opts.Now))}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's routes wrapped in its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on ln until ctx ends, then shuts down gracefully:
// it stops accepting, lets open requests finish (up to ShutdownTimeout)
// and returns. Listening is separate so a bad address fails at start-up.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		// Search may wait for the language model (llm.timeout, 20s default).
		WriteTimeout:   45 * time.Second,
		IdleTimeout:    60 * time.Second,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "page", s.opts.Page)
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("shutdown deadline reached; closing open connections")
		err = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// DatabaseCheck is the readiness check for the database.
func DatabaseCheck(ping func(context.Context) error) Check {
	return Check{Name: "database", Check: ping}
}

// AdapterChecks returns a readiness check for every adapter that reports
// its connection (bot.HealthReporter); others have no way to say.
func AdapterChecks(adapters []bot.Adapter) []Check {
	var out []Check
	for _, a := range adapters {
		hr, ok := a.(bot.HealthReporter)
		if !ok {
			continue
		}
		out = append(out, Check{Name: "adapter:" + a.Name(), Check: func(context.Context) error {
			if !hr.Connected() {
				return errors.New("not connected")
			}
			return nil
		}})
	}
	return out
}

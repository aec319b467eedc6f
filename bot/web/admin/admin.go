// Package admin is the organisers' console on /admin: gaps to answer,
// rated answers to confirm or flag, the knowledge base's documents to edit,
// a dashboard of what the community asks, and meetups and shout-outs to
// look after. Organisers sign in through chat (`web login` sends a
// one-time link); there are no passwords.
//
// Pages are rendered on the server and work without JavaScript. Each
// feature is a small interface satisfied by that feature's own service
// (*knowledge.Base, *meetups.Service, *shoutouts.Service), so the console
// can be tested against real services on a real database, and a feature
// that is not set up simply leaves its page saying so.
package admin

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge"
)

// Limits of sign-in.
const (
	// LinkTTL is how long a sign-in link sent in chat can be used.
	LinkTTL = 10 * time.Minute
	// IdleTimeout ends a session this long after its last request.
	IdleTimeout = 12 * time.Hour
	// CookieName holds the session token.
	CookieName = "bothy_admin"
	// Prefix is where the console lives.
	Prefix = "/admin"
	// maxForm bounds a posted form (a document is at most 4 MB).
	maxForm = 5 << 20
)

// Knowledge is what the console needs of the knowledge base.
type Knowledge interface {
	Gaps(ctx context.Context, limit int) ([]knowledge.Gap, error)
	AnswerGap(ctx context.Context, questionID int64, answer, author string) (id, path string, err error)
	DismissGap(ctx context.Context, questionID int64) error
	ResolveGap(ctx context.Context, questionID int64, docID string) error
	RatedAnswers(ctx context.Context, limit int) ([]knowledge.Rated, error)
	Rank(ctx context.Context, text string) ([]knowledge.Hit, float64, error)
	Documents(ctx context.Context) ([]knowledge.DocumentInfo, error)
	DocumentSections(ctx context.Context, id string) ([]string, error)
	Dirs() []string
	Reload(ctx context.Context) (knowledge.IngestReport, error)
	Drafts(ctx context.Context) ([]knowledge.DraftInfo, error)
	Publish(ctx context.Context, id string) (knowledge.DraftInfo, error)
	QuestionsByDay(ctx context.Context, since time.Time) ([]knowledge.DayCount, error)
	FeedbackByDay(ctx context.Context, since time.Time) ([]knowledge.FeedbackDay, error)
	TopDocuments(ctx context.Context, since time.Time, limit int) ([]knowledge.DocCount, error)
}

// Linker is optional for a Knowledge: it keeps an asker's wording as a
// phrasing of a section, either by pointing a gap at that section (kb
// link) or by confirming a helpful answer. Without it those two buttons
// are not offered.
type Linker interface {
	LinkGap(ctx context.Context, questionID int64, docID, section, by string) error
	ConfirmHelpful(ctx context.Context, questionID int64, by string) error
}

// Meetups is what the console needs of the meetups service. Edits and
// cancellations go through the same calls as the chat commands, so they
// are announced the same way.
type Meetups interface {
	Upcoming(ctx context.Context) ([]meetups.Meetup, error)
	Since(ctx context.Context, from time.Time) ([]meetups.Meetup, error)
	Get(ctx context.Context, id int64) (meetups.Meetup, error)
	Who(ctx context.Context, id int64) ([]meetups.RSVP, error)
	Edit(ctx context.Context, id int64, field, value, by string) (meetups.EditResult, error)
	Announce(ctx context.Context, res meetups.EditResult)
	Cancel(ctx context.Context, id int64, reason, by string, stopAll bool) (meetups.Meetup, error)
	DeliverNow(ctx context.Context)
}

// Shoutouts is what the console needs of the shout-outs service.
type Shoutouts interface {
	Recent(ctx context.Context, limit int) ([]shoutouts.Shoutout, error)
	Since(ctx context.Context, since time.Time) ([]shoutouts.Shoutout, error)
	Retract(ctx context.Context, id int64, actor, reason string) (shoutouts.Shoutout, error)
	Rounds(ctx context.Context) ([]shoutouts.Round, error)
	OpenRound(ctx context.Context, name string, categories []string, actor string) (shoutouts.Round, error)
	CloseRound(ctx context.Context, name, actor string) (shoutouts.Round, []shoutouts.Shortlist, error)
}

var (
	_ Knowledge = (*knowledge.Base)(nil)
	_ Linker    = (*knowledge.Base)(nil)
	_ Meetups   = (*meetups.Service)(nil)
	_ Shoutouts = (*shoutouts.Service)(nil)
)

// Options configure the console.
type Options struct {
	// DB holds sessions, sign-in links, triage and the audit log. Required.
	DB *store.DB
	// Community names the community in page titles.
	Community string
	// Location is the community time zone for showing times.
	Location *time.Location
	// PublicURL is the site's address as people reach it (web.public_url),
	// the base of sign-in links. An https address also makes the session
	// cookie Secure.
	PublicURL string
	// StillOrganiser, when set, is asked on every request whether the
	// session's person is still an organiser; a session of someone who no
	// longer is ends at once.
	StillOrganiser func(ctx context.Context, platform, userID string) bool
	Knowledge      Knowledge
	Meetups        Meetups
	Shoutouts      Shoutouts
	Logger         *slog.Logger
	// Now is the clock (tests move it); default time.Now.
	Now func() time.Time
}

// Console is the organisers' console.
type Console struct {
	opts    Options
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	secure  bool
	handler http.Handler
	// docMu makes the version check and the write of a document one step
	// within this process.
	docMu sync.Mutex
}

// New builds the console.
func New(opts Options) (*Console, error) {
	if opts.DB == nil {
		return nil, errors.New("admin: no database")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Community == "" {
		opts.Community = "Bothy"
	}
	opts.PublicURL = strings.TrimRight(strings.TrimSpace(opts.PublicURL), "/")
	c := &Console{
		opts: opts, db: opts.DB, now: opts.Now, loc: opts.Location,
		log:    opts.Logger.With("component", "admin"),
		secure: strings.HasPrefix(strings.ToLower(opts.PublicURL), "https://"),
	}
	c.handler = c.routes()
	return c, nil
}

// Handler serves everything under /admin; mount it at "/admin" and
// "/admin/".
func (c *Console) Handler() http.Handler { return c.handler }

// linker returns the knowledge base's Linker, if it has one.
func (c *Console) linker() Linker {
	l, _ := c.opts.Knowledge.(Linker)
	return l
}

// route is one page or action that needs a session.
type route struct {
	Pattern string
	Handler func(*Console, http.ResponseWriter, *http.Request)
}

// routes lists every page and action behind the sign-in, as data, so a
// test can walk them all and check each refuses without a session.
var routes = []route{
	{"GET /admin/{$}", (*Console).dashboard},
	{"POST /admin/logout", (*Console).logout},
	{"GET /admin/gaps", (*Console).gapsPage},
	{"GET /admin/gaps/{id}", withKnowledge((*Console).gapPage)},
	{"POST /admin/gaps/{id}/answer", withKnowledge((*Console).gapAnswer)},
	{"POST /admin/gaps/{id}/link", (*Console).gapLink},
	{"POST /admin/gaps/{id}/dismiss", withKnowledge((*Console).gapDismiss)},
	{"GET /admin/feedback", (*Console).feedbackPage},
	{"POST /admin/feedback/{id}/confirm", (*Console).feedbackConfirm},
	{"POST /admin/feedback/{id}/flag", withKnowledge((*Console).feedbackFlag)},
	{"POST /admin/reviews/{id}/done", (*Console).reviewDone},
	{"GET /admin/docs", (*Console).docsPage},
	{"GET /admin/doc", withKnowledge((*Console).docPage)},
	{"POST /admin/doc", withKnowledge((*Console).docSave)},
	{"POST /admin/doc/preview", (*Console).docPreview},
	{"GET /admin/doc/new", (*Console).docNewPage},
	{"POST /admin/doc/retire", withKnowledge((*Console).docRetire)},
	{"POST /admin/doc/publish", withKnowledge((*Console).docPublish)},
	{"POST /admin/doc/restore", withKnowledge((*Console).docRestore)},
	{"GET /admin/meetups", (*Console).meetupsPage},
	{"GET /admin/meetups/{id}", (*Console).meetupPage},
	{"POST /admin/meetups/{id}/edit", (*Console).meetupEdit},
	{"POST /admin/meetups/{id}/cancel", (*Console).meetupCancel},
	{"GET /admin/shoutouts", (*Console).shoutoutsPage},
	{"POST /admin/shoutouts/{id}/retract", (*Console).shoutoutRetract},
	{"POST /admin/awards/open", (*Console).awardsOpen},
	{"POST /admin/awards/close", (*Console).awardsClose},
	{"GET /admin/audit", (*Console).auditPage},
}

// withKnowledge is for the pages and actions that work on the knowledge
// base: without one they say so, once here rather than in each handler.
func withKnowledge(h func(*Console, http.ResponseWriter, *http.Request)) func(*Console, http.ResponseWriter, *http.Request) {
	return func(c *Console, w http.ResponseWriter, r *http.Request) {
		if c.opts.Knowledge == nil {
			c.renderError(w, r, http.StatusNotFound, "No knowledge base", "The knowledge base is not set up.")
			return
		}
		h(c, w, r)
	}
}

func (c *Console) routes() http.Handler {
	open := http.NewServeMux()
	// The only ways in: the page that says how to sign in, and the link.
	open.HandleFunc("GET /admin/signin", c.signinPage)
	open.HandleFunc("GET /admin/login", c.loginPage)
	open.HandleFunc("POST /admin/login", c.login)

	in := http.NewServeMux()
	for _, rt := range routes {
		in.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) { rt.Handler(c, w, r) })
	}
	open.Handle("/admin/", c.requireSession(in))
	open.Handle("/admin", c.requireSession(http.RedirectHandler("/admin/", http.StatusSeeOther)))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Nothing here may be kept by a browser or a proxy, or indexed.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		open.ServeHTTP(w, r)
	})
}

// Package matrix connects Bothy to Matrix with mautrix-go: password or
// access-token login with the device kept in the database, a sync loop
// that resumes from a stored token and backs off when the homeserver is
// away, invites, mentions, threads, reactions, and end-to-end encryption
// when built with -tags goolm.
package matrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
	"github.com/bothy-chat/bothy/bot/store"
)

// Name is the platform name of Matrix events.
const Name = "matrix"

var (
	_ bot.Adapter          = (*Adapter)(nil)
	_ bot.Threader         = (*Adapter)(nil)
	_ bot.Reactor          = (*Adapter)(nil)
	_ bot.Editor           = (*Adapter)(nil)
	_ bot.DirectMessenger  = (*Adapter)(nil)
	_ bot.UserResolver     = (*Adapter)(nil)
	_ bot.OrganiserChecker = (*Adapter)(nil)
	_ bot.HealthReporter   = (*Adapter)(nil)
	_ bot.Closer           = (*Adapter)(nil)
	_ bot.Announcer        = (*Adapter)(nil)
	_ bot.Mentioner        = (*Adapter)(nil)
)

// kvNamespace holds the adapter's small state in the core kv table.
const kvNamespace = "matrix"

// Options configure the adapter.
type Options struct {
	// Homeserver is the client-server API base URL.
	Homeserver string
	// User is the bot's full user ID or its localpart.
	User string
	// Password or Token logs in; with both, a stored session is tried
	// first, then the token, then the password.
	Password string
	Token    string
	// Announce lists rooms (IDs or aliases) the bot joins at start so
	// announcements can be posted there.
	Announce []string
	// AllowInvites lists who may invite the bot: user IDs, server names, or
	// "*" for anyone. Empty means the bot's own server. Organisers may
	// always invite it.
	AllowInvites []string
	Organisers   []string
	// OrganiserPower is the power level in one of OrganiserRooms that
	// makes a member an organiser; zero or less turns the rule off.
	OrganiserPower int
	// OrganiserRooms are the rooms (IDs or aliases) whose power levels
	// count; empty means the Announce rooms. The room a command is typed
	// in never counts by itself: anyone is an admin of a room they made.
	OrganiserRooms []string
	// Catchup is how old a message missed while the bot was down may be and
	// still get an answer.
	Catchup time.Duration
	// Encryption turns on end-to-end encryption (needs -tags goolm).
	Encryption bool
	// PickleKey encrypts the crypto store's secrets; when empty one is
	// generated and kept in the database.
	PickleKey string
	// NoCrossSigning leaves the bot's device unsigned (matrix.cross_signing:
	// false). By default the bot cross-signs its own account, so clients
	// that share keys only with verified sessions talk to it.
	NoCrossSigning bool
	// RecoveryKey unlocks cross-signing keys made earlier (another
	// database, or another client), from BOTHY_MATRIX_RECOVERY_KEY.
	RecoveryKey string
	// AdminOut receives the one-time recovery key message (default
	// standard error); it is never written to the log.
	AdminOut io.Writer
	// DeviceName is shown in the bot's session list.
	DeviceName string
	// Threads makes every reply in a room start a thread; by default
	// replies are quoted replies unless the question was already in a thread.
	Threads bool
	// KeepAnswers leaves the bot's answer in place when the question it
	// answers is redacted (matrix.redact_answers: false); by default the
	// answer is redacted too.
	KeepAnswers bool
	// ButtonActions also turns a reaction that matches a button of the
	// bot's message into a bot.Action (the bot.Reaction is sent either way).
	ButtonActions bool
	// MaxBackoff caps the wait between reconnection attempts (default 30s).
	MaxBackoff time.Duration
	// SendRetryFor bounds how long a send keeps retrying while the
	// homeserver is away or rate limiting (default 2m).
	SendRetryFor time.Duration
	// LogBodies lets debug logs show message content (request bodies of
	// sends); off by default, as that is what people and the bot wrote.
	LogBodies bool
	DB        *store.DB
	Logger    *slog.Logger
}

// OptionsFromConfig maps the configuration file's matrix section.
func OptionsFromConfig(cfg *config.Config, db *store.DB, log *slog.Logger) Options {
	m := cfg.Matrix
	return Options{
		Homeserver: m.Homeserver, User: m.User, Password: m.Password, Token: m.Token,
		Announce: m.Announce, AllowInvites: m.AllowInvites, Organisers: cfg.Organisers,
		OrganiserPower: m.OrganiserPower, OrganiserRooms: m.OrganiserRooms, Catchup: m.Catchup, Encryption: m.Encryption,
		PickleKey: m.PickleKey, NoCrossSigning: !m.CrossSigning, RecoveryKey: m.RecoveryKey, KeepAnswers: !m.RedactAnswers, LogBodies: cfg.Log.MessageBodies,
		Threads: m.Threads, ButtonActions: m.ButtonActions,
		DB: db, Logger: log,
	}
}

// Adapter is the Matrix platform.
type Adapter struct {
	opts Options
	log  *slog.Logger
	db   *store.DB
	cli  *mautrix.Client

	ready     chan struct{}
	readyOnce sync.Once
	connected atomic.Bool
	crypto    cryptoBackend

	displayName atomic.Value // string

	dbutil *dbutil.Database
	dmMu   sync.Mutex

	mu          sync.Mutex
	events      chan<- bot.Event
	runCtx      context.Context
	initialSync bool
	joinedAt    map[id.RoomID]int64
	warned      map[string]bool
	aliases     map[string]id.RoomID
	reactions   *reactionLog
	seen        *recentSet
	editing     map[id.EventID]int
}

// New checks the options and prepares the client; nothing touches the
// network until Run.
func New(opts Options) (*Adapter, error) {
	if opts.DB == nil {
		return nil, errors.New("matrix: a database is required")
	}
	if strings.TrimSpace(opts.Homeserver) == "" {
		return nil, errors.New("matrix: homeserver URL is required (BOTHY_MATRIX_HOMESERVER)")
	}
	if opts.Password == "" && opts.Token == "" {
		return nil, errors.New("matrix: set BOTHY_MATRIX_PASSWORD or BOTHY_MATRIX_TOKEN")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Catchup <= 0 {
		opts.Catchup = 15 * time.Minute
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.SendRetryFor <= 0 {
		opts.SendRetryFor = 2 * time.Minute
	}
	if opts.AdminOut == nil {
		opts.AdminOut = os.Stderr
	}
	if opts.DeviceName == "" {
		opts.DeviceName = "Bothy"
	}
	log := opts.Logger.With("component", "matrix")
	cli, err := mautrix.NewClient(opts.Homeserver, "", "")
	if err != nil {
		return nil, fmt.Errorf("matrix: homeserver %q: %w", opts.Homeserver, err)
	}
	cli.Log = zerologToSlog(log, opts.LogBodies)
	cli.UserAgent = "Bothy (mautrix-go)"
	// Retries are done here (sendWithRetry, the sync loop), where the
	// transaction ID and M_LIMIT_EXCEEDED's retry_after_ms are known.
	cli.DefaultHTTPRetries = 0
	// Long polls last 30s; allow for a slow homeserver on top.
	cli.Client.Timeout = 90 * time.Second
	a := &Adapter{
		opts:      opts,
		log:       log,
		db:        opts.DB,
		cli:       cli,
		ready:     make(chan struct{}),
		joinedAt:  map[id.RoomID]int64{},
		warned:    map[string]bool{},
		aliases:   map[string]id.RoomID{},
		reactions: newReactionLog(10000),
		seen:      newRecentSet(4096),
		editing:   map[id.EventID]int{},
	}
	a.displayName.Store("")
	return a, nil
}

// Name returns "matrix".
func (a *Adapter) Name() string { return Name }

// Threads reports whether replies in rooms start threads (Options.Threads).
// Either way a reply to a message already in a thread stays in it.
func (a *Adapter) Threads() bool { return a.opts.Threads }

// Connected reports whether the last sync with the homeserver succeeded.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// UserID is the bot's own Matrix ID once logged in.
func (a *Adapter) UserID() string { return string(a.cli.UserID) }

// DeviceID is the bot's device once logged in.
func (a *Adapter) DeviceID() string { return string(a.cli.DeviceID) }

// Announce lists the configured announcement rooms.
func (a *Adapter) Announce() []string { return append([]string(nil), a.opts.Announce...) }

// Mention is how a Matrix message names a user: the user ID itself, made
// a pill from Reply.Mentions.
func (a *Adapter) Mention(userID string) string { return userID }

// IsMention reports whether a word is a Matrix user ID (@user:server).
func (a *Adapter) IsMention(word string) bool { return strings.HasPrefix(word, "@") }

// Encrypted reports whether end-to-end encryption is running.
func (a *Adapter) Encrypted() bool {
	select {
	case <-a.ready:
		return a.crypto != nil
	default:
		return false
	}
}

// Close releases the crypto machinery. The database belongs to the app and
// stays open.
func (a *Adapter) Close() error {
	a.connected.Store(false)
	if a.crypto != nil {
		return a.crypto.close()
	}
	return nil
}

// waitReady blocks sends until login has finished.
func (a *Adapter) waitReady(ctx context.Context) error {
	select {
	case <-a.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("matrix: not logged in yet: %w", ctx.Err())
	}
}

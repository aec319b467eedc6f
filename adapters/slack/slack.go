// Package slack connects Bothy to a Slack workspace. Socket Mode is the
// default transport (no public URL needed); the HTTP Events API is the
// alternative. Answers go in the question's thread as Block Kit, with
// sources and feedback buttons; posts are paced per channel and survive
// HTTP 429s; retried deliveries are handled once.
package slack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
)

// Name is the platform name of Slack messages.
const Name = "slack"

// Transport modes.
const (
	ModeSocket = "socket"
	ModeEvents = "events"
)

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.Threader        = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
	_ bot.Editor          = (*Adapter)(nil)
	_ bot.DirectMessenger = (*Adapter)(nil)
	_ bot.UserResolver    = (*Adapter)(nil)
	_ bot.HealthReporter  = (*Adapter)(nil)
	_ bot.Closer          = (*Adapter)(nil)
	_ bot.Announcer       = (*Adapter)(nil)
	_ bot.Mentioner       = (*Adapter)(nil)
)

// Options configure the adapter.
type Options struct {
	// BotToken (xoxb-) calls the Web API; AppToken (xapp-) opens the Socket
	// Mode connection; SigningSecret verifies HTTP Events API requests.
	BotToken      string
	AppToken      string
	SigningSecret string
	// APIURL is the Web API base, for GovSlack or tests; default Slack's.
	APIURL string
	// Mode is ModeSocket (default) or ModeEvents.
	Mode string
	// EventsListen is the address the Events API server listens on in
	// events mode. Empty: no server of its own; mount Handler elsewhere.
	EventsListen string
	// Announce lists channel IDs for meetup announcements.
	Announce []string
	// DB, when set, persists recent event IDs so retries are recognised
	// across a restart.
	DB     *store.DB
	Logger *slog.Logger
	// SendInterval spaces posts to one channel (default 1s, Slack's rate).
	SendInterval time.Duration
	// PingInterval is how long the socket may go without a ping from Slack
	// before it is treated as dead and reopened (default 30s).
	PingInterval time.Duration
	// HTTPClient makes Web API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Debug logs Slack payloads (credentials redacted) at debug level.
	Debug bool
	Clock bot.Clock
}

// Adapter is a connection to one Slack workspace.
type Adapter struct {
	opts   Options
	log    *slog.Logger
	client *slack.Client
	api    webAPI
	queue  *sendQueue
	clock  bot.Clock

	decMu   sync.RWMutex
	dec     decoder
	identMu sync.Mutex // one auth.test at a time from knownDecoder

	users     *ttlCache[bot.User]
	channels  *ttlCache[string]
	dms       *ttlCache[string]
	responses *ttlCache[string] // slash command reply ID -> response_url
	seen      *seenSet
	events    *eventLog

	inbox     chan bot.Event
	done      chan struct{}
	closeOnce sync.Once
	connected atomic.Bool
	// connections counts successful socket connections, for logs and tests.
	connections atomic.Int64

	srvMu sync.Mutex
	srv   *http.Server
}

// New checks the options and returns an adapter; nothing is contacted until
// Run.
func New(opts Options) (*Adapter, error) {
	if opts.Mode == "" {
		opts.Mode = ModeSocket
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.SendInterval <= 0 {
		opts.SendInterval = time.Second
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 30 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if !strings.HasPrefix(opts.BotToken, "xoxb-") {
		return nil, errors.New("slack: SLACK_BOT_TOKEN must be a bot token starting xoxb-")
	}
	switch opts.Mode {
	case ModeSocket:
		if !strings.HasPrefix(opts.AppToken, "xapp-") {
			return nil, errors.New("slack: Socket Mode needs SLACK_APP_TOKEN, an app-level token starting xapp- with the connections:write scope")
		}
	case ModeEvents:
		if opts.SigningSecret == "" {
			return nil, errors.New("slack: the Events API needs SLACK_SIGNING_SECRET to verify requests")
		}
	default:
		return nil, fmt.Errorf("slack: mode %q is not socket or events", opts.Mode)
	}
	apiURL, err := NormaliseAPIURL(opts.APIURL)
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With("component", "slack")
	sdkLog := sdkLogger{log}
	client := slack.New(opts.BotToken,
		slack.OptionAppLevelToken(opts.AppToken),
		slack.OptionAPIURL(apiURL),
		slack.OptionHTTPClient(opts.HTTPClient),
		slack.OptionLog(sdkLog),
		slack.OptionDebug(opts.Debug),
	)
	now := opts.Clock.Now
	a := &Adapter{
		opts:      opts,
		log:       log,
		client:    client,
		api:       client,
		clock:     opts.Clock,
		queue:     newSendQueue(opts.SendInterval, now, nil),
		users:     newTTLCache[bot.User](15*time.Minute, 5000, now),
		channels:  newTTLCache[string](15*time.Minute, 2000, now),
		dms:       newTTLCache[string](24*time.Hour, 5000, now),
		responses: newTTLCache[string](30*time.Minute, 5000, now),
		seen:      newSeenSet(time.Hour, 50000, now),
		inbox:     make(chan bot.Event, 1024),
		done:      make(chan struct{}),
	}
	a.queue.onLimited = func(channel string, wait time.Duration) {
		a.log.Warn("rate limited by Slack; waiting", "channel", channel, "retry_after", wait)
	}
	if opts.DB != nil {
		a.events = &eventLog{db: opts.DB, keep: 24 * time.Hour}
	}
	return a, nil
}

// NormaliseAPIURL turns a configured API base into the form slack-go needs:
// absolute, ending in a slash, with "api/" added to a bare host
// ("https://slack-gov.com" becomes "https://slack-gov.com/api/"). Empty
// means Slack's own.
func NormaliseAPIURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return slack.APIURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("slack: API URL %q must be an absolute http(s) URL such as https://slack.com/api/", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/api/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

// Name returns "slack".
func (a *Adapter) Name() string { return Name }

// Threads reports that Slack has real threads.
func (a *Adapter) Threads() bool { return true }

// Announce lists the configured announcement channels.
func (a *Adapter) Announce() []string { return append([]string(nil), a.opts.Announce...) }

// Mention is Slack's mention markup for a user ID.
func (a *Adapter) Mention(userID string) string { return "<@" + userID + ">" }

// IsMention reports whether a word is Slack's mention markup
// ("<@U123>", "<@U123|carol>").
func (a *Adapter) IsMention(word string) bool { return strings.HasPrefix(word, "<@") }

// Connected reports whether events can arrive right now: the socket is open,
// or (Events API) the adapter is running.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// Connections counts socket connections opened so far.
func (a *Adapter) Connections() int { return int(a.connections.Load()) }

// Close stops the Events API server, if any. Run also stops it when its
// context ends; Close is for the bot's ordered shutdown.
func (a *Adapter) Close() error {
	var err error
	a.closeOnce.Do(func() {
		close(a.done)
		a.connected.Store(false)
		a.srvMu.Lock()
		srv := a.srv
		a.srvMu.Unlock()
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = srv.Shutdown(ctx)
		}
	})
	return err
}

func (a *Adapter) decoder() decoder {
	a.decMu.RLock()
	defer a.decMu.RUnlock()
	return a.dec
}

// knownDecoder returns the decoder once the bot's identity is known. An
// Events API request can arrive before Run has called auth.test (the
// handler may be mounted on a server that starts first); then it asks
// once itself, since without the bot's ID its own mention stays in the text.
func (a *Adapter) knownDecoder(ctx context.Context) decoder {
	if d := a.decoder(); d.me.UserID != "" {
		return d
	}
	a.identMu.Lock()
	defer a.identMu.Unlock()
	if d := a.decoder(); d.me.UserID != "" {
		return d
	}
	res, err := a.api.AuthTestContext(ctx)
	if err != nil {
		a.log.Warn("auth.test failed; decoding without the bot's identity", "err", err)
		return a.decoder()
	}
	a.setIdentity(res)
	return a.decoder()
}

func (a *Adapter) setIdentity(res *slack.AuthTestResponse) {
	a.decMu.Lock()
	a.dec = newDecoder(identity{UserID: res.UserID, BotID: res.BotID})
	a.decMu.Unlock()
}

// Run learns the bot's identity, then delivers events from the configured
// transport until ctx is cancelled.
func (a *Adapter) Run(ctx context.Context, events chan<- bot.Event) error {
	if err := a.identify(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	transport := make(chan error, 1)
	go func() {
		if a.opts.Mode == ModeEvents {
			transport <- a.runHTTP(ctx)
		} else {
			transport <- a.runSocket(ctx)
		}
	}()
	for {
		select {
		case ev := <-a.inbox:
			ev = a.withName(ctx, ev)
			select {
			case events <- ev:
			case <-ctx.Done():
			}
		case err := <-transport:
			a.connected.Store(false)
			if ctx.Err() != nil {
				return nil
			}
			return err
		case <-ctx.Done():
			err := <-transport
			a.connected.Store(false)
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		}
	}
}

// identify calls auth.test, retrying network trouble but not bad tokens.
func (a *Adapter) identify(ctx context.Context) error {
	wait := time.Second
	for {
		res, err := a.api.AuthTestContext(ctx)
		if err == nil {
			a.setIdentity(res)
			a.log.Info("signed in to Slack", "team", res.Team, "bot_user", res.UserID, "mode", a.opts.Mode)
			return nil
		}
		if isAuthError(err) {
			return fmt.Errorf("slack: auth.test: %w (check SLACK_BOT_TOKEN)", err)
		}
		a.log.Warn("cannot reach Slack; retrying", "err", err, "in", wait)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			wait = max(wait, rl.RetryAfter)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, time.Minute)
	}
}

func isAuthError(err error) bool {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type":
			return true
		}
	}
	return false
}

// runSocket keeps a Socket Mode connection open. slack-go reconnects by
// itself after a disconnect envelope, a dropped connection or missed pings;
// it only gives up on bad credentials.
func (a *Adapter) runSocket(ctx context.Context) error {
	sm := socketmode.New(a.client,
		socketmode.OptionPingInterval(a.opts.PingInterval),
		socketmode.OptionLog(sdkLogger{a.log}),
		socketmode.OptionDebug(a.opts.Debug),
	)
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w (check SLACK_APP_TOKEN)", err)
		case evt := <-sm.Events:
			a.socketEvent(ctx, sm, evt)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.connected.Store(false)
		a.log.Debug("connecting to Slack")
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		a.log.Warn("Slack connection failed; retrying", "err", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.log.Error("Slack refused the app token")
	case socketmode.EventTypeConnected:
		n := a.connections.Add(1)
		a.log.Info("connected to Slack", "connection", n)
	case socketmode.EventTypeHello:
		a.connected.Store(true)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("Slack socket trouble", "type", evt.Type, "err", evt.Data)
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		// Ack first: Slack redelivers anything not acknowledged in 3s.
		if evt.Request != nil {
			if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
				a.log.Warn("ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
			}
		}
		if err := a.deliverSocket(ctx, evt); err != nil && !errors.Is(err, errIgnored) {
			a.log.Warn("bad event from Slack", "type", evt.Type, "err", err)
		}
	}
}

// deliverSocket decodes an acknowledged socket envelope and queues it.
func (a *Adapter) deliverSocket(ctx context.Context, evt socketmode.Event) error {
	dec := a.decoder()
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		cb, ok := data.Data.(*slackevents.EventsAPICallbackEvent)
		if !ok || cb.EventID == "" {
			return errIgnored
		}
		ev, err := dec.innerEvent(data.InnerEvent)
		if err != nil {
			return err
		}
		a.accept(ctx, "event:"+cb.EventID, ev)
	case slack.SlashCommand:
		return a.acceptSlash(ctx, dec, data)
	case slack.InteractionCallback:
		evs, err := dec.interaction(data)
		if err != nil {
			return err
		}
		a.accept(ctx, interactionKey(data), evs...)
	default:
		return errIgnored
	}
	return nil
}

func (a *Adapter) acceptSlash(ctx context.Context, dec decoder, c slack.SlashCommand) error {
	// The reply ID names the user too, so a late reply whose response_url
	// has expired can still reach them privately.
	trigger := c.TriggerID
	if trigger == "" {
		trigger = randomID()
	}
	id := "cmd:" + c.UserID + ":" + trigger
	msg, err := dec.slashCommand(c, id)
	if err != nil {
		return err
	}
	if c.ResponseURL != "" {
		a.responses.put(id, c.ResponseURL)
	}
	key := ""
	if c.TriggerID != "" {
		key = "trigger:" + c.TriggerID
	}
	a.accept(ctx, key, msg)
	return nil
}

func interactionKey(cb slack.InteractionCallback) string {
	if cb.TriggerID != "" {
		return "trigger:" + cb.TriggerID
	}
	return ""
}

// accept queues events for the bot unless key was seen before. The key is
// an event ID (or trigger ID): Slack may deliver the same one again.
func (a *Adapter) accept(ctx context.Context, key string, evs ...bot.Event) bool {
	if key != "" {
		if !a.seen.add(key) {
			a.log.Debug("dropping redelivered event", "key", key)
			return false
		}
		if a.events != nil {
			fresh, err := a.events.claim(ctx, key, a.clock.Now())
			if err != nil {
				// Better to risk a double answer than to lose the event.
				a.log.Warn("cannot record event ID", "err", err)
			} else if !fresh {
				a.log.Debug("dropping event already handled before a restart", "key", key)
				return false
			}
		}
	}
	for _, ev := range evs {
		select {
		case a.inbox <- ev:
		default:
			// The bot is busy; wait off the request path so acks stay fast.
			go func(ev bot.Event) {
				select {
				case a.inbox <- ev:
				case <-a.done:
				}
			}(ev)
		}
	}
	return true
}

// Send posts a reply. Replies to a slash command go through its
// response_url; everything else is posted to the channel (in the thread
// when there is one), paced per channel.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	if rest, ok := strings.CutPrefix(to.ReplyTo, "cmd:"); ok {
		// A slash command's answer is private: through its response_url,
		// or failing that by direct message, never posted in the channel.
		user, _, _ := strings.Cut(rest, ":")
		if responseURL, ok := a.responses.get(to.ReplyTo); ok {
			err := a.respond(ctx, responseURL, r)
			if err == nil {
				return bot.MessageRef{Platform: Name, RoomID: to.RoomID}, nil
			}
			a.log.Warn("slash command response failed; sending a direct message instead", "err", err)
		}
		return a.SendDirect(ctx, user, r)
	}
	if to.RoomID == "" {
		if to.UserID == "" {
			return bot.MessageRef{}, errors.New("slack: send: no channel or user to send to")
		}
		return a.SendDirect(ctx, to.UserID, r)
	}
	return a.post(ctx, to.RoomID, to.ThreadID, r)
}

func (a *Adapter) post(ctx context.Context, channel, thread string, r bot.Reply) (bot.MessageRef, error) {
	opts := append(render(r).options(), slack.MsgOptionDisableLinkUnfurl())
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	var ch, ts string
	err := a.queue.do(ctx, channel, func(ctx context.Context) error {
		var err error
		ch, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return bot.MessageRef{}, fmt.Errorf("slack: post to %s: %w", channel, err)
	}
	if ch == "" {
		ch = channel
	}
	return bot.MessageRef{Platform: Name, RoomID: ch, ID: ts}, nil
}

// respond answers a slash command privately through its response_url.
func (a *Adapter) respond(ctx context.Context, responseURL string, r bot.Reply) error {
	opts := append(render(r).options(), slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral))
	return retryLimited(ctx, sleepCtx, func(ctx context.Context) error {
		_, _, _, err := a.api.SendMessageContext(ctx, "", opts...)
		return err
	})
}

// SendDirect opens (or reuses) the direct conversation with userID and
// posts there.
func (a *Adapter) SendDirect(ctx context.Context, userID string, r bot.Reply) (bot.MessageRef, error) {
	id, _ := parseUserMention(userID)
	if id == "" {
		return bot.MessageRef{}, fmt.Errorf("slack: send direct: %q is not a Slack user ID", userID)
	}
	ch, ok := a.dms.get(id)
	if !ok {
		err := retryLimited(ctx, sleepCtx, func(ctx context.Context) error {
			c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{id}})
			if err == nil && c != nil {
				ch = c.ID
			}
			return err
		})
		if err != nil {
			return bot.MessageRef{}, fmt.Errorf("slack: open direct conversation with %s: %w", id, err)
		}
		if ch == "" {
			return bot.MessageRef{}, fmt.Errorf("slack: open direct conversation with %s: no channel returned", id)
		}
		a.dms.put(id, ch)
	}
	return a.post(ctx, ch, "", r)
}

// Edit replaces a message the bot sent (chat.update).
func (a *Adapter) Edit(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	if ref.RoomID == "" || ref.ID == "" {
		return errors.New("slack: edit: the message reference has no channel or timestamp")
	}
	opts := render(r).options()
	err := retryLimited(ctx, sleepCtx, func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, ref.RoomID, ref.ID, opts...)
		return err
	})
	if err != nil {
		return fmt.Errorf("slack: edit %s in %s: %w", ref.ID, ref.RoomID, err)
	}
	return nil
}

// React adds an emoji reaction (reactions.add). emoji is a Slack name with
// or without colons, or one of a few common Unicode emoji.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	name := emojiName(emoji)
	if name == "" || ref.RoomID == "" || ref.ID == "" {
		return fmt.Errorf("slack: react: need an emoji name and a message (got %q)", emoji)
	}
	err := retryLimited(ctx, sleepCtx, func(ctx context.Context) error {
		return a.api.AddReactionContext(ctx, name, slack.NewRefToMessage(ref.RoomID, ref.ID))
	})
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "already_reacted" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("slack: react %s: %w", name, err)
	}
	return nil
}

// slackEmoji are Slack's names for the emoji Bothy reacts with or reads
// (RSVPs, answer feedback); the first name of each is the one Slack uses
// when Bothy reacts.
var slackEmoji = [][2]string{
	{"👍", "+1"}, {"👍", "thumbsup"}, {"👍", "thumbs_up"}, {"👍", "thumbs-up"},
	{"👎", "-1"}, {"👎", "thumbsdown"}, {"👎", "thumbs_down"}, {"👎", "thumbs-down"},
	{"✅", "white_check_mark"}, {"❌", "x"}, {"🤔", "thinking_face"}, {"❓", "question"},
	{"🙋", "raising_hand"}, {"🎉", "tada"}, {"👀", "eyes"}, {"❤", "heart"}, {"🙏", "pray"},
	{"🙌", "raised_hands"}, {"⭐", "star"}, {"📅", "date"},
}

// emojiByName and nameByEmoji look slackEmoji up both ways.
var emojiByName, nameByEmoji = func() (byName, byEmoji map[string]string) {
	byName, byEmoji = map[string]string{}, map[string]string{}
	for _, p := range slackEmoji {
		byName[p[1]] = p[0]
		if _, ok := byEmoji[p[0]]; !ok {
			byEmoji[p[0]] = p[1]
		}
	}
	return byName, byEmoji
}()

// emojiName is Slack's name for an emoji Bothy reacts with.
func emojiName(e string) string {
	if n, ok := nameByEmoji[bot.NormaliseEmoji(e)]; ok {
		return n
	}
	return strings.Trim(strings.TrimSpace(e), ":")
}

// reactionEmoji turns a Slack reaction name ("+1", "+1::skin-tone-3") into
// the Unicode emoji the features read; a name Slack has no table entry
// for here stays as ":name:".
func reactionEmoji(name string) string {
	name = strings.Trim(strings.TrimSpace(name), ":")
	name, _, _ = strings.Cut(name, "::skin-tone")
	if e, ok := emojiByName[name]; ok {
		return e
	}
	return ":" + name + ":"
}

var (
	mentionForm = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$`)
	bareID      = regexp.MustCompile(`^@?([UW][A-Z0-9]{2,})$`)
)

// parseUserMention reads "<@U123>", "<@U123|name>", "U123" or "@U123".
func parseUserMention(s string) (id, label string) {
	s = strings.TrimSpace(s)
	if m := mentionForm.FindStringSubmatch(s); m != nil {
		return m[1], m[2]
	}
	if m := bareID.FindStringSubmatch(s); m != nil {
		return m[1], ""
	}
	return "", ""
}

// ResolveUser turns a Slack mention into the stable U… ID and a display
// name (users.info, cached).
func (a *Adapter) ResolveUser(ctx context.Context, mention string) (bot.User, error) {
	id, label := parseUserMention(mention)
	if id == "" {
		return bot.User{}, fmt.Errorf("%q is not a Slack mention: type @ and pick the person so Slack links their name", strings.TrimSpace(mention))
	}
	if u, ok := a.users.get(id); ok {
		return u, nil
	}
	var info *slack.User
	err := retryLimited(ctx, sleepCtx, func(ctx context.Context) error {
		var err error
		info, err = a.api.GetUserInfoContext(ctx, id)
		return err
	})
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "user_not_found" || se.Err == "user_not_visible") {
		return bot.User{}, fmt.Errorf("there is no Slack user %s in this workspace", id)
	}
	if err != nil || info == nil {
		// The ID is what matters; a name can wait for the next lookup.
		a.log.Warn("users.info failed; using the ID as the name", "user", id, "err", err)
		name := label
		if name == "" {
			name = id
		}
		return bot.User{ID: id, Name: name}, nil
	}
	u := bot.User{ID: info.ID, Name: displayName(info)}
	if u.ID == "" {
		u.ID = id
	}
	a.users.put(id, u)
	return u, nil
}

// nameLookupTimeout bounds how long an event waits for its sender's name;
// after it the ID stands in, as users.info failing does.
const nameLookupTimeout = 3 * time.Second

// withName fills in the sender's display name, which Slack's message and
// reaction events do not carry and slash commands give only as the
// handle (users.info, cached), so that what Bothy shows and stores names
// people ("thanked by Mo"), not their IDs.
func (a *Adapter) withName(ctx context.Context, ev bot.Event) bot.Event {
	lookup := func(id, have string) string {
		if id == "" {
			return have
		}
		ctx, cancel := context.WithTimeout(ctx, nameLookupTimeout)
		defer cancel()
		u, err := a.ResolveUser(ctx, "<@"+id+">")
		if err != nil || u.Name == "" {
			return have
		}
		return u.Name
	}
	switch e := ev.(type) {
	case bot.Message:
		e.UserName = lookup(e.UserID, e.UserName)
		return e
	case bot.Reaction:
		e.UserName = lookup(e.UserID, e.UserName)
		return e
	}
	return ev
}

func displayName(u *slack.User) string {
	for _, n := range []string{u.Profile.DisplayName, u.RealName, u.Profile.RealName, u.Name} {
		if strings.TrimSpace(n) != "" {
			return n
		}
	}
	return u.ID
}

// ChannelName returns a channel's name (conversations.info, cached).
func (a *Adapter) ChannelName(ctx context.Context, channelID string) (string, error) {
	if n, ok := a.channels.get(channelID); ok {
		return n, nil
	}
	var ch *slack.Channel
	err := retryLimited(ctx, sleepCtx, func(ctx context.Context) error {
		var err error
		ch, err = a.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("slack: channel %s: %w", channelID, err)
	}
	name := ch.Name
	if name == "" {
		name = channelID
	}
	a.channels.put(channelID, name)
	return name, nil
}

// runHTTP serves the Events API on EventsListen until ctx ends. With no
// address, it only marks the adapter ready: Handler is mounted elsewhere.
func (a *Adapter) runHTTP(ctx context.Context) error {
	a.connected.Store(true)
	if a.opts.EventsListen == "" {
		a.log.Info("Events API mode without a listener: mount the adapter's handler on another server")
		<-ctx.Done()
		return nil
	}
	ln, err := net.Listen("tcp", a.opts.EventsListen)
	if err != nil {
		return fmt.Errorf("slack: events listener: %w", err)
	}
	mux := http.NewServeMux()
	h := a.Handler()
	for _, p := range []string{"/slack/events", "/slack/commands", "/slack/interactivity"} {
		mux.Handle(p, h)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	a.srvMu.Lock()
	a.srv = srv
	a.srvMu.Unlock()
	a.log.Info("Events API listening", "addr", ln.Addr().String(), "paths", "/slack/events, /slack/commands, /slack/interactivity")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("slack: events server: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	}
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sdkLogger sends slack-go's own log lines to slog at debug level.
type sdkLogger struct{ l *slog.Logger }

func (s sdkLogger) Output(_ int, msg string) error {
	s.l.Debug(strings.TrimSpace(msg), "source", "slack-go")
	return nil
}

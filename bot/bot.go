package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Observer receives counts and timings for metrics. Every method must be
// cheap and safe for concurrent use.
type Observer interface {
	EventIn(platform string)
	ReplyOut(platform string, err error)
	Handled(command string, d time.Duration, err error)
}

type nopObserver struct{}

func (nopObserver) EventIn(string)                       {}
func (nopObserver) ReplyOut(string, error)               {}
func (nopObserver) Handled(string, time.Duration, error) {}

// Options configure a Bot.
type Options struct {
	Logger *slog.Logger
	// Organisers are stable user IDs (any platform) allowed to run
	// organiser commands.
	Organisers []string
	// Workers bounds how many events are handled at once (default 64).
	// Handlers mostly wait on the store, whose writer commits the writes
	// of waiting handlers together, so more workers than cores means
	// fewer commits per message.
	Workers int
	// ShutdownTimeout bounds how long in-flight handlers may run after the
	// bot is told to stop (default 10s).
	ShutdownTimeout time.Duration
	Observer        Observer
	// Names are what people call the bot (default "bothy"). Addressing it
	// by name ("@bothy what is purdah", "bothy: help") marks a message as
	// for the bot, and the name is never part of a question or command.
	// Adapters add their platform's names through SelfNamer.
	Names []string
	// DefaultCommand runs for plain text addressed to the bot (a direct
	// message or a mention that starts with no command name): the
	// knowledge base's ask. Empty means plain text gets a note that
	// questions cannot be answered yet.
	DefaultCommand string
}

// Bot dispatches events from every adapter to commands and handlers.
type Bot struct {
	log       *slog.Logger
	reg       *Registry
	obs       Observer
	workers   int
	shutdown  time.Duration
	orgMu     sync.RWMutex
	orgs      map[string]bool
	adapters  []Adapter
	actions   map[string]ActionHandler
	reactions []ReactionHandler
	services  []service
	stopHooks []func(context.Context) error
	running   bool
	names     []string
	// defaultCmd is Options.DefaultCommand.
	defaultCmd string
}

// ActionHandler handles a button press.
type ActionHandler func(ctx context.Context, a Action, ad Adapter) error

// ReactionHandler handles a reaction; it should ignore reactions that are
// not on messages it cares about.
type ReactionHandler func(ctx context.Context, r Reaction, ad Adapter) error

type service struct {
	name string
	run  func(context.Context) error
}

// New returns a Bot with the built-in help command registered.
func New(opts Options) *Bot {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = 64
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	if len(opts.Names) == 0 {
		opts.Names = []string{DefaultName}
	}
	b := &Bot{
		log:        opts.Logger.With("component", "bot"),
		reg:        NewRegistry(),
		obs:        opts.Observer,
		workers:    opts.Workers,
		shutdown:   opts.ShutdownTimeout,
		orgs:       map[string]bool{},
		actions:    map[string]ActionHandler{},
		names:      opts.Names,
		defaultCmd: opts.DefaultCommand,
	}
	for _, id := range opts.Organisers {
		b.AddOrganiser(id)
	}
	b.reg.Register(&Command{
		Name:         "help",
		Usage:        "[COMMAND]",
		Summary:      "list commands, or explain one",
		AnswersEdits: true,
		Run: func(ctx context.Context, req *Request) error {
			text, err := b.reg.HelpText(req.Args, req.IsOrganiser(ctx))
			if err != nil {
				text = b.unknownText(strings.Fields(req.Args)[0])
			}
			return req.Reply(ctx, Reply{Text: text})
		},
	})
	return b
}

// Registry gives features access to the command registry.
func (b *Bot) Registry() *Registry { return b.reg }

// Logger returns the bot's logger, for features to derive their own from.
func (b *Bot) Logger() *slog.Logger { return b.log }

// Register adds a command; see Registry.Register.
func (b *Bot) Register(c *Command) { b.reg.Register(c) }

// AddOrganiser grants the organiser role to a stable user ID.
func (b *Bot) AddOrganiser(id string) {
	id = strings.TrimSpace(id)
	if id == "" {
		return
	}
	b.orgMu.Lock()
	b.orgs[id] = true
	b.orgMu.Unlock()
}

// Organisers lists the configured organiser IDs, sorted.
func (b *Bot) Organisers() []string {
	b.orgMu.RLock()
	defer b.orgMu.RUnlock()
	out := make([]string, 0, len(b.orgs))
	for id := range b.orgs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// IsOrganiser reports whether userID may run organiser commands, by the
// configured list or by the adapter's own rule.
func (b *Bot) IsOrganiser(ctx context.Context, ad Adapter, userID, roomID string) bool {
	b.orgMu.RLock()
	ok := b.orgs[userID]
	b.orgMu.RUnlock()
	if ok {
		return true
	}
	if oc, can := ad.(OrganiserChecker); can {
		return oc.IsOrganiser(ctx, userID, roomID)
	}
	return false
}

// AddAdapter connects a platform. Adapter names must be unique.
func (b *Bot) AddAdapter(a Adapter) {
	if b.running {
		panic("bot: AddAdapter after Run")
	}
	for _, have := range b.adapters {
		if have.Name() == a.Name() {
			panic("bot: adapter " + a.Name() + " added twice")
		}
	}
	b.adapters = append(b.adapters, a)
}

// Adapters returns the connected adapters in the order they were added.
func (b *Bot) Adapters() []Adapter { return append([]Adapter(nil), b.adapters...) }

// Adapter finds an adapter by name.
func (b *Bot) Adapter(name string) (Adapter, error) {
	for _, a := range b.adapters {
		if a.Name() == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("bot: no adapter named %q", name)
}

// Send posts a reply through the named adapter (used for broadcasts and
// reminders, which are not replies to a message).
func (b *Bot) Send(ctx context.Context, platform string, to Target, r Reply) (MessageRef, error) {
	a, err := b.Adapter(platform)
	if err != nil {
		return MessageRef{}, err
	}
	ref, err := a.Send(ctx, to, r)
	b.obs.ReplyOut(platform, err)
	return ref, err
}

// Sender posts messages that are not replies to a request: announcements,
// reminders, notices, the digest. *Bot is one.
type Sender interface {
	Send(ctx context.Context, platform string, to Target, r Reply) (MessageRef, error)
	SendDirect(ctx context.Context, platform, userID string, r Reply) (MessageRef, bool, error)
	// Mention is how a message on platform names userID (see Mentioner).
	Mention(platform, userID string) string
}

var _ Sender = (*Bot)(nil)

// Mention is how a message on platform names userID so they are notified:
// the adapter's Mentioner, or "@" and the ID where it has none. List
// userID in the Reply's Mentions too.
func (b *Bot) Mention(platform, userID string) string {
	if a, err := b.Adapter(platform); err == nil {
		if m, ok := a.(Mentioner); ok {
			return m.Mention(userID)
		}
	}
	if strings.HasPrefix(userID, "@") {
		return userID
	}
	return "@" + userID
}

// AnnounceChannels lists the announcement channels of every connected
// adapter, in the order the adapters were added.
func (b *Bot) AnnounceChannels() []Channel {
	var out []Channel
	for _, a := range b.adapters {
		an, ok := a.(Announcer)
		if !ok {
			continue
		}
		for _, r := range an.Announce() {
			if r = strings.TrimSpace(r); r != "" {
				out = append(out, Channel{Platform: a.Name(), RoomID: r})
			}
		}
	}
	return out
}

// SendDirect sends a one-to-one message where the platform allows it. ok is
// false when the adapter cannot open direct conversations.
func (b *Bot) SendDirect(ctx context.Context, platform, userID string, r Reply) (ref MessageRef, ok bool, err error) {
	a, err := b.Adapter(platform)
	if err != nil {
		return MessageRef{}, false, err
	}
	dm, can := a.(DirectMessenger)
	if !can {
		return MessageRef{}, false, nil
	}
	ref, err = dm.SendDirect(ctx, userID, r)
	b.obs.ReplyOut(platform, err)
	return ref, true, err
}

// HandleAction routes button presses with this action ID to h.
func (b *Bot) HandleAction(actionID string, h ActionHandler) {
	if _, dup := b.actions[actionID]; dup {
		panic("bot: action " + actionID + " registered twice")
	}
	b.actions[actionID] = h
}

// OnReaction adds a reaction handler; every handler sees every reaction.
func (b *Bot) OnReaction(h ReactionHandler) { b.reactions = append(b.reactions, h) }

// AddService runs fn alongside the adapters until the bot stops (reminder
// schedulers, folder watchers). fn should return when ctx is cancelled.
func (b *Bot) AddService(name string, fn func(context.Context) error) {
	b.services = append(b.services, service{name, fn})
}

// OnShutdown runs fn after in-flight handlers finish and before adapters are
// closed (to flush an outbox, for example).
func (b *Bot) OnShutdown(fn func(context.Context) error) { b.stopHooks = append(b.stopHooks, fn) }

// Run starts every adapter and service and handles events until ctx is
// cancelled or every adapter's input has ended. Shutdown is ordered: stop
// taking events, finish the ones already taken (bounded by the shutdown
// timeout), run shutdown hooks, then close adapters.
func (b *Bot) Run(ctx context.Context) error {
	if len(b.adapters) == 0 {
		return errors.New("bot: no adapters configured")
	}
	b.running = true
	events := make(chan Event, 64)
	inputCtx, stopInput := context.WithCancel(ctx)
	defer stopInput()

	var adaptersWG sync.WaitGroup
	errc := make(chan error, len(b.adapters))
	for _, a := range b.adapters {
		adaptersWG.Add(1)
		go func(a Adapter) {
			defer adaptersWG.Done()
			if err := a.Run(inputCtx, events); err != nil && !errors.Is(err, context.Canceled) {
				b.log.Error("adapter stopped", "adapter", a.Name(), "err", err)
				errc <- fmt.Errorf("%s: %w", a.Name(), err)
			}
		}(a)
	}
	go func() { adaptersWG.Wait(); close(events) }()

	svcCtx, stopServices := context.WithCancel(ctx)
	var svcWG sync.WaitGroup
	for _, s := range b.services {
		svcWG.Add(1)
		go func(s service) {
			defer svcWG.Done()
			if err := s.run(svcCtx); err != nil && !errors.Is(err, context.Canceled) {
				b.log.Error("service stopped", "service", s.name, "err", err)
			}
		}(s)
	}

	// Handlers get a context that survives the stop signal, so work already
	// taken can finish and reply; it is cancelled at the shutdown deadline.
	handlerCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	// A fixed pool of workers rather than a goroutine per event: a worker
	// keeps the stack that answering a question grew, where a fresh
	// goroutine would grow it again for every message.
	work := make(chan Event)
	var inflight sync.WaitGroup
	for range b.workers {
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			for ev := range work {
				b.Handle(handlerCtx, ev)
			}
		}()
	}
	for ev := range events {
		work <- ev
	}
	close(work)
	// Every adapter has stopped delivering (ctx cancelled or input ended).
	done := make(chan struct{})
	go func() { inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(b.shutdown):
		b.log.Warn("shutdown deadline reached with handlers still running")
		cancelHandlers()
		<-done
	}
	stopServices()
	svcWG.Wait()
	hookCtx, cancelHooks := context.WithTimeout(context.WithoutCancel(ctx), b.shutdown)
	defer cancelHooks()
	for _, h := range b.stopHooks {
		if err := h(hookCtx); err != nil {
			b.log.Error("shutdown hook failed", "err", err)
		}
	}
	for _, a := range b.adapters {
		if c, ok := a.(Closer); ok {
			if err := c.Close(); err != nil {
				b.log.Warn("closing adapter", "adapter", a.Name(), "err", err)
			}
		}
	}
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Handle processes one event synchronously. Run calls it from its workers;
// tests and benchmarks may call it directly.
func (b *Bot) Handle(ctx context.Context, ev Event) {
	b.obs.EventIn(ev.platform())
	ad, err := b.Adapter(ev.platform())
	if err != nil {
		b.log.Warn("event from unknown adapter", "platform", ev.platform())
		switch e := ev.(type) {
		case Message:
			if e.Done != nil {
				e.Done()
			}
		case Action:
			if e.Done != nil {
				close(e.Done)
			}
		}
		return
	}
	switch e := ev.(type) {
	case Message:
		if e.Done != nil {
			defer e.Done()
		}
		b.handleMessage(ctx, ad, e)
	case Reaction:
		for _, h := range b.reactions {
			if err := h(ctx, e, ad); err != nil {
				b.log.Error("reaction handler", "err", err)
			}
		}
	case Action:
		if e.Done != nil {
			defer close(e.Done)
		}
		h, ok := b.actions[e.ActionID]
		if !ok {
			b.log.Warn("button press for unknown action", "action", e.ActionID)
			return
		}
		start := time.Now()
		err := h(ctx, e, ad)
		b.obs.Handled("action:"+e.ActionID, time.Since(start), err)
		if err != nil {
			b.log.Error("action handler", "action", e.ActionID, "err", err)
		}
	}
}

func (b *Bot) handleMessage(ctx context.Context, ad Adapter, m Message) {
	m.Text = Clean(m.Text)
	if text, addressed := StripAddress(m.Text, b.selfNames(ad)); addressed {
		m.Text, m.Mentioned = text, true
	}
	route := Parse(m.Text, m.Direct, m.Mentioned, func(n string) bool {
		_, err := b.reg.Lookup(n)
		return err == nil
	})
	req := &Request{Bot: b, Msg: m, Adapter: ad}
	if route.Question {
		// A mistyped command would otherwise be answered as a question
		// and listed as a gap for the organisers.
		if meant := b.reg.Mistyped(m.Text); meant != "" {
			b.reply(ctx, req, fmt.Sprintf("Did you mean: %s", meant))
			return
		}
		route.Command = b.defaultCmd
	}
	if route.Command == "" && !route.Question {
		if (m.Direct || m.Mentioned) && strings.TrimSpace(m.Text) == "" {
			b.reply(ctx, req, "Hello! Ask me a question, or type help to see what I can do.")
		}
		return
	}
	if n := utf8.RuneCountInString(m.Text); n > MaxMessageRunes {
		b.reply(ctx, req, fmt.Sprintf("That message is too long for me to handle (%d characters; the limit is %d). Could you shorten it?", n, MaxMessageRunes))
		return
	}
	cmd, err := b.reg.Lookup(route.Command)
	if err != nil {
		if route.Question {
			b.reply(ctx, req, "I can't answer questions yet: no knowledge base is loaded. Type help to see what I can do.")
			return
		}
		b.reply(ctx, req, b.unknownText(route.Command))
		return
	}
	req.Args = route.Args
	req.Name = cmd.Name
	// Descend into subcommands ("meetup add ..."); a subcommand needs at
	// least the role of its parent.
	role := cmd.Role
	var unmatched string // a word where a subcommand was expected
	for len(cmd.Subcommands) > 0 {
		word, rest := splitWord(req.Args)
		sub := cmd.sub(word)
		if sub == nil {
			unmatched = word
			break
		}
		role = max(role, sub.Role)
		cmd, req.Args, req.Name = sub, rest, req.Name+" "+sub.Name
	}
	req.Command = cmd
	if m.Edited && !cmd.AnswersEdits {
		// It has run once already; doing it again would, say, add the
		// meetup twice.
		b.log.Info("edited message not run again", "command", req.Name, "platform", m.Platform)
		return
	}
	if cmd.Run == nil {
		text, _ := b.reg.HelpText(req.Name, false)
		if unmatched != "" {
			text = unknownSubText(cmd, req.Name, unmatched) + "\n" + text
		}
		b.reply(ctx, req, text)
		return
	}
	if role == RoleOrganiser && !req.IsOrganiser(ctx) {
		b.reply(ctx, req, b.refusal(req.Name, ad))
		return
	}
	start := time.Now()
	err = cmd.Run(ctx, req)
	b.obs.Handled(req.Name, time.Since(start), err)
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			b.reply(ctx, req, ue.Error())
			return
		}
		b.log.Error("command failed", "command", req.Name, "platform", m.Platform, "err", err)
		b.reply(ctx, req, "Sorry, something went wrong while handling that. The organisers can find the details in the log.")
	}
}

func (b *Bot) reply(ctx context.Context, req *Request, text string) {
	if err := req.Reply(ctx, Reply{Text: text}); err != nil {
		b.log.Error("reply failed", "platform", req.Msg.Platform, "err", err)
	}
}

func (b *Bot) unknownText(name string) string {
	s := fmt.Sprintf("Unknown command %q.", name)
	if sug := b.reg.Suggest(name); len(sug) > 0 {
		if len(sug) > 3 {
			sug = sug[:3]
		}
		s += " Did you mean " + strings.Join(sug, ", ") + "?"
	}
	return s + " Type help for the list."
}

// unknownSubText says that parent has no subcommand word, suggesting the
// nearest one.
func unknownSubText(parent *Command, path, word string) string {
	s := fmt.Sprintf("There is no %q.", path+" "+word)
	if sug := parent.suggestSub(word); len(sug) > 0 {
		s += fmt.Sprintf(" Did you mean %q?", path+" "+sug[0])
	}
	return s
}

// refusal answers someone who is not an organiser. It names who can help
// only when organisers are configured; with none, it says how an
// organiser is made, since "ask an organiser" would send them nowhere.
func (b *Bot) refusal(cmd string, ad Adapter) string {
	orgs := b.Organisers()
	_, platformRule := ad.(OrganiserChecker)
	switch {
	case len(orgs) == 0 && platformRule:
		// Matrix: moderators of the organiser rooms are organisers too.
		return fmt.Sprintf("Sorry, only organisers can use %q. On this platform the moderators of the community's organiser rooms are organisers: please ask one of them.", cmd)
	case len(orgs) == 0:
		return fmt.Sprintf("Sorry, only organisers can use %q, and none is set up yet. "+
			"Whoever runs Bothy makes someone an organiser by adding their user ID to organisers in bothy.yaml "+
			"(or BOTHY_ORGANISERS) and restarting; on the console, bothy --organiser.", cmd)
	case len(orgs) <= 5:
		return fmt.Sprintf("Sorry, only organisers can use %q. Please ask an organiser (%s).", cmd, strings.Join(orgs, ", "))
	}
	return fmt.Sprintf("Sorry, only organisers can use %q. Please ask one of the community's %d organisers.", cmd, len(orgs))
}

// UsageError is a mistake in how a command was called; its message goes
// back to the person as is.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

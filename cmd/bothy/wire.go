package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/bothy-chat/bothy/adapters/console"
	"github.com/bothy-chat/bothy/adapters/matrix"
	"github.com/bothy-chat/bothy/adapters/slack"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/web"
	"github.com/bothy-chat/bothy/bot/web/admin"
	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/chat"
)

// This file builds the running bot: every adapter and feature is
// constructed here, in order, in plain Go, so the compiler checks each
// dependency. A feature that needs another takes it as a small interface
// its own package declares (shoutouts.DocLister, web.Calendar); the
// converters between them are in views.go.

// consoleOptions are what `bothy run` was told about the console.
type consoleOptions struct {
	user      string // who is speaking
	organiser bool   // the console user is an organiser
	force     bool   // run the console beside other adapters
}

// wireBot builds the bot with its adapters and features. It returns the
// names of the platforms it connected, in order, for the banner.
func wireBot(ctx context.Context, app *App, co consoleOptions) (*bot.Bot, []string, error) {
	cfg := &app.Config
	orgs := cfg.Organisers
	if co.organiser {
		orgs = append(orgs, co.user)
	}
	b := bot.New(bot.Options{Logger: app.Log, Organisers: orgs, Observer: app.Metrics, DefaultCommand: chat.AskCommand})

	// Platforms first: the features below announce on those that run.
	var platforms []string
	if cfg.MatrixEnabled() {
		ad, err := matrix.New(matrix.OptionsFromConfig(cfg, app.DB, app.Log))
		if err != nil {
			return nil, nil, fmt.Errorf("%s adapter: %w", matrix.Name, err)
		}
		b.AddAdapter(ad)
		platforms = append(platforms, matrix.Name)
	}
	if cfg.SlackEnabled() {
		ad, err := newSlack(app)
		if err != nil {
			return nil, nil, fmt.Errorf("%s adapter: %w", slack.Name, err)
		}
		b.AddAdapter(ad)
		platforms = append(platforms, slack.Name)
	}
	if len(platforms) == 0 || co.force || cfg.Console.Enabled {
		b.AddAdapter(console.New(console.Options{
			In: app.Env.Stdin, Out: app.Env.Stdout, User: co.user, Organisers: orgs, Interactive: app.Env.StdinTerminal, Logger: app.Log,
		}))
		platforms = append(platforms, console.Name)
	}
	app.Metrics.WatchAdapters(b.Adapters())

	// The knowledge base answers questions and watches its folders.
	base, err := knowledge.Open(ctx, app.DB, knowledgeOptions(app))
	if err != nil {
		return nil, nil, fmt.Errorf("knowledge: %w", err)
	}
	chat.Register(b, base, chat.Options{Questions: bot.NewRateLimiter(cfg.Knowledge.QuestionsPerMinute, app.Clock), PublicURL: app.Config.Web.PublicURL})
	if len(cfg.Knowledge.Dirs) > 0 {
		b.AddService("knowledge-watcher", base.Watch)
	}

	// Meetups and the shout-outs digest announce in every connected
	// adapter's announcement channels.
	channels := b.AnnounceChannels()
	meets, err := newMeetups(app, b, channels)
	if err != nil {
		return nil, nil, fmt.Errorf("meetups: %w", err)
	}
	meets.Register(b)

	// Shout-outs; the weekly digest lists new documents and meetups.
	shouts, err := newShoutouts(app, b, channels, docLines{base}, meets)
	if err != nil {
		return nil, nil, fmt.Errorf("shoutouts: %w", err)
	}
	shouts.Register(b)
	b.AddService("shoutouts-digest", shouts.RunDigest)
	b.AddService("shoutouts-notices", shouts.RunNotices)

	// The HTTP server shows all three on the community page.
	// Organisers curate all three in the console on /admin.
	sources := web.Sources{Calendar: meetupCalendar{meets}, Wall: shoutoutWall{shouts}, Searcher: knowledgeSearch{base: base, models: cfg.LLM.Web}, Library: knowledgeLibrary{base}}
	var console http.Handler
	if app.Config.HTTP.Listen != "" {
		c, err := newAdminConsole(app, b, base, meets, shouts)
		if err != nil {
			return nil, nil, fmt.Errorf("admin: %w", err)
		}
		console = c.Handler()
	} else {
		b.Register(admin.OffCommand())
	}
	if err := addWeb(app, b, sources, console); err != nil {
		return nil, nil, fmt.Errorf("web: %w", err)
	}

	// Privacy requests reach every feature that holds personal data.
	providers := privacyProviders(app, shouts)
	b.Register(privacy.MydataCommand(func() []privacy.Provider { return providers }, app.Clock))
	if ret := cfg.Privacy.Retention; ret > 0 {
		b.AddService("privacy-prune", pruneEvery(app, ret, providers))
	}
	return b, platforms, nil
}

// defaultEventsListen is where the Events API server listens when
// slack.mode is events and no address is set: loopback, behind the reverse
// proxy that gives Slack its public HTTPS URL.
const defaultEventsListen = "127.0.0.1:3000"

func newSlack(app *App) (*slack.Adapter, error) {
	c := app.Config.Slack
	listen := c.EventsListen
	if c.Mode == slack.ModeEvents && listen == "" {
		listen = defaultEventsListen
	}
	return slack.New(slack.Options{
		BotToken:      c.BotToken,
		AppToken:      c.AppToken,
		SigningSecret: c.SigningSecret,
		APIURL:        c.APIURL,
		Mode:          c.Mode,
		EventsListen:  listen,
		Announce:      c.Announce,
		DB:            app.DB,
		Logger:        app.Log,
		Clock:         app.Clock,
	})
}

// addWeb starts the HTTP server when http.listen is set. It listens here,
// during start-up, so a wrong or busy address stops the bot with a clear
// error instead of failing quietly in the background.
func addWeb(app *App, b *bot.Bot, sources web.Sources, console http.Handler) error {
	hc := app.Config.HTTP
	if hc.Listen == "" {
		return nil
	}
	adapters := b.Adapters()
	checks := append([]web.Check{web.DatabaseCheck(app.DB.Ping)}, web.AdapterChecks(adapters)...)
	srv, err := web.New(web.Options{
		Community: app.Config.Community.Name,
		Location:  app.Config.Location(),
		Page:      hc.Page,
		Token:     hc.PageToken,
		PublicURL: app.Config.Web.PublicURL,
		// Per address, so one visitor cannot run the search flat out.
		SearchPerMinute: hc.SearchPerMinute,
		TrustedProxies:  hc.Proxies(),
		Sources:         sources,
		Admin:           console,
		Checks:          checks,
		Metrics:         app.Metrics,
		Logger:          app.Log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", hc.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %s: %w", hc.Listen, err)
	}
	b.AddService("web", func(ctx context.Context) error { return srv.Serve(ctx, ln) })
	return nil
}

// privacyPruneEvery is how often the running bot applies the retention
// policy.
const privacyPruneEvery = 24 * time.Hour

// pruneEvery is the service that deletes records past the retention
// period, once at start and then daily.
func pruneEvery(app *App, retention time.Duration, providers []privacy.Provider) func(context.Context) error {
	log := app.Log.With("component", "privacy")
	return func(ctx context.Context) error {
		t := time.NewTicker(privacyPruneEvery)
		defer t.Stop()
		for {
			counts, err := privacy.Prune(ctx, app.Clock.Now().Add(-retention), providers...)
			if err != nil && ctx.Err() == nil {
				log.Error("retention pruning", "err", err)
			} else if total(counts) > 0 {
				log.Info("pruned records past retention", "counts", counts)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/config"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/shoutouts"
)

// Service names other features may Provide to fill the weekly digest's
// sections; absent ones are left out of the digest.
const (
	digestNewDocuments    = "digest.new_documents"    // func(ctx, since time.Time) ([]string, error)
	digestUpcomingMeetups = "digest.upcoming_meetups" // func(ctx) ([]string, error)
)

func init() {
	registerFeature(feature{Name: "shoutouts", Order: 30, Setup: setupShoutouts})
	registerPrivacy(func(app *App) privacy.Provider {
		if svc, ok := Service[*shoutouts.Service](app, "shoutouts"); ok {
			return svc
		}
		svc, err := newShoutouts(app)
		if err != nil {
			app.Log.Error("shout-outs unavailable for privacy requests", "err", err)
			return nil
		}
		return svc
	})
	registerCLI(&cliCommand{
		Name:    "shoutouts",
		Usage:   "export [--db PATH] --format csv|json|markdown [--since DATE]",
		Summary: "export shout-outs as CSV, JSON or Markdown",
		Run:     runShoutoutsCLI,
	})
}

// newShoutouts builds the service from the configuration; without a bot it
// can still report, export and answer privacy requests.
func newShoutouts(app *App) (*shoutouts.Service, error) {
	cfg := app.Config
	day, _ := config.Weekday(cfg.Shoutouts.DigestDay) // validated by config.Load
	opts := shoutouts.Options{
		DB: app.DB, Clock: app.Clock, Location: cfg.Location(), DailyQuota: cfg.Shoutouts.DailyQuota,
		Logger: app.Log, Digest: shoutouts.DigestOptions{Day: day, Time: cfg.Shoutouts.DigestTime},
	}
	if len(cfg.Knowledge.Dirs) > 0 {
		opts.KnowledgeDir = cfg.Knowledge.Dirs[0]
	}
	if app.Bot != nil {
		opts.Sender = app.Bot
		opts.Digest.Channels = digestChannels(app)
		if f, ok := Service[func(context.Context, time.Time) ([]string, error)](app, digestNewDocuments); ok {
			opts.Digest.NewDocuments = f
		}
		if f, ok := Service[func(context.Context) ([]string, error)](app, digestUpcomingMeetups); ok {
			opts.Digest.UpcomingMeetups = f
		}
	}
	return shoutouts.New(opts)
}

// digestChannels are the announcement channels of the connected adapters.
func digestChannels(app *App) []shoutouts.Channel {
	var out []shoutouts.Channel
	add := func(platform string, rooms []string) {
		if _, err := app.Bot.Adapter(platform); err != nil {
			return
		}
		for _, r := range rooms {
			if r = strings.TrimSpace(r); r != "" {
				out = append(out, shoutouts.Channel{Platform: platform, RoomID: r})
			}
		}
	}
	add("matrix", app.Config.Matrix.Announce)
	add("slack", app.Config.Slack.Announce)
	return out
}

func setupShoutouts(ctx context.Context, app *App) error {
	svc, err := newShoutouts(app)
	if err != nil {
		return err
	}
	svc.Register(app.Bot)
	app.Bot.AddService("shoutouts-digest", svc.RunDigest)
	app.Bot.AddService("shoutouts-notices", svc.RunNotices)
	app.Provide("shoutouts", svc)
	return nil
}

func runShoutoutsCLI(ctx context.Context, env *Env, args []string) error {
	c := cliCommands["shoutouts"]
	if len(args) == 0 || args[0] != "export" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(env.Stdout, "Usage: bothy shoutouts %s\n%s\n", c.Usage, c.Summary)
			return nil
		}
		return usagef("say what to do: bothy shoutouts %s", c.Usage)
	}
	fs := newFlagSet(env, &cliCommand{Name: "shoutouts export", Usage: strings.TrimPrefix(c.Usage, "export "), Summary: c.Summary})
	cf := addCommonFlags(fs)
	format := fs.String("format", "json", "csv, json or markdown")
	since := fs.String("since", "", "only shout-outs on or after this date (2026-01-02) or time (RFC 3339)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	switch *format {
	case "csv", "json", "markdown":
	default:
		return usagef("--format %q: use csv, json or markdown", *format)
	}
	var from time.Time
	if *since != "" {
		var err error
		// The zone is only known after loading config, but a bad date
		// should fail before the database is touched: check it first.
		if _, err = shoutouts.ParseSince(*since, time.UTC); err != nil {
			return usagef("--since: %v", err)
		}
	}
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	if *since != "" {
		from, _ = shoutouts.ParseSince(*since, app.Config.Location())
	}
	svc, err := newShoutouts(app)
	if err != nil {
		return err
	}
	list, err := svc.Since(ctx, from)
	if err != nil {
		return err
	}
	return shoutouts.WriteExport(env.Stdout, *format, list)
}

package main

import (
	"context"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
	"github.com/bothy-chat/bothy/bot/shoutouts"
)

// newShoutouts builds the service from the configuration. With a sender
// it notifies recipients and posts the weekly digest to chans; without one
// (the CLI) it can still report, export and answer privacy requests.
func newShoutouts(app *App, send bot.Sender, chans []bot.Channel, docs shoutouts.DocLister, meets shoutouts.MeetupLister) (*shoutouts.Service, error) {
	cfg := app.Config
	day, _ := config.Weekday(cfg.Shoutouts.DigestDay) // validated by config.Load
	opts := shoutouts.Options{
		DB: app.DB, Sender: send, Clock: app.Clock, Location: cfg.Location(), DailyQuota: cfg.Shoutouts.DailyQuota,
		Logger: app.Log, Digest: shoutouts.DigestOptions{Day: day, Time: cfg.Shoutouts.DigestTime,
			Channels: chans, Documents: docs, Meetups: meets},
	}
	if len(cfg.Knowledge.Dirs) > 0 {
		opts.KnowledgeDir = cfg.Knowledge.Dirs[0]
	}
	return shoutouts.New(opts)
}

func runShoutoutsExport(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	format := fs.String("format", "json", "csv, json or markdown")
	since := fs.String("since", "", "only shout-outs on or after this date (2026-01-02) or time (RFC 3339)")
	if err := parseFlags(fs, args); err != nil {
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
		if _, err = parseDateFlag(*since, time.UTC); err != nil {
			return usagef("--since: %v", err)
		}
	}
	app, err := openExistingApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	if *since != "" {
		from, _ = parseDateFlag(*since, app.Config.Location())
	}
	svc, err := newShoutouts(app, nil, nil, nil, nil)
	if err != nil {
		return err
	}
	list, err := svc.Since(ctx, from)
	if err != nil {
		return err
	}
	return shoutouts.WriteExport(env.Stdout, *format, list)
}

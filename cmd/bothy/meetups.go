package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups"
)

// newMeetups builds the meetups service. With a sender it announces in
// chans; without one (the CLI) it only reads and exports.
func newMeetups(app *App, send bot.Sender, chans []bot.Channel) (*meetups.Service, error) {
	tick, err := schedulerTick(app.Env)
	if err != nil {
		return nil, err
	}
	return meetups.New(meetups.Options{
		DB: app.DB, Sender: send, Clock: app.Clock, Location: app.Config.Location(),
		Reminders: app.Config.Meetups.Reminders, Channels: chans, Logger: app.Log, TickEvery: tick,
		Metrics: app.Metrics,
	})
}

// schedulerTick reads BOTHY_SCHEDULER_TICK, a test hook (not a
// configuration key) that makes the meetup scheduler run more often than
// its default 30s, so the kill -9 soak can see reminders come due within
// seconds. Unset means the default.
func schedulerTick(env *Env) (time.Duration, error) {
	if env == nil || env.Getenv == nil {
		return 0, nil
	}
	raw, ok := env.Getenv("BOTHY_SCHEDULER_TICK")
	if !ok || raw == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < 10*time.Millisecond {
		return 0, fmt.Errorf("BOTHY_SCHEDULER_TICK: %q is not a duration of at least 10ms (try 500ms)", raw)
	}
	return d, nil
}

func runMeetupExport(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	asICS := fs.Bool("ics", false, "export as iCalendar (the only format export has; required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if !*asICS {
		return usagef("export needs --ics (the calendar format)")
	}
	app, err := openExistingApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	svc, err := newMeetups(app, nil, nil)
	if err != nil {
		return err
	}
	b, err := svc.ICS(ctx)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(b)
	return err
}

func runMeetupList(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	asJSON := fs.Bool("json", false, "list as a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	app, err := openExistingApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	svc, err := newMeetups(app, nil, nil)
	if err != nil {
		return err
	}
	ms, err := svc.Upcoming(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if ms == nil {
			ms = []meetups.Meetup{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ms)
	}
	if len(ms) == 0 {
		fmt.Fprintln(env.Stdout, "no upcoming meetups")
		return nil
	}
	for _, m := range ms {
		fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%s\t%s\t%d going\n", m.ID, m.StartsAt.Format("2006-01-02 15:04 MST"), m.Status, m.Title, m.Venue, m.Going)
	}
	return nil
}

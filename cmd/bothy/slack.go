package main

import (
	"context"

	"github.com/bothy-chat/bothy/adapters/slack"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
)

// defaultEventsListen is where the Events API server listens when
// slack.mode is events and no address is set: loopback, behind the reverse
// proxy that gives Slack its public HTTPS URL.
const defaultEventsListen = "127.0.0.1:3000"

func init() {
	registerAdapter(adapterFactory{
		Name:    slack.Name,
		Enabled: (*config.Config).SlackEnabled,
		Build: func(ctx context.Context, app *App) (bot.Adapter, error) {
			c := app.Config.Slack
			listen := c.EventsListen
			if c.Mode == slack.ModeEvents && listen == "" {
				listen = defaultEventsListen
			}
			ad, err := slack.New(slack.Options{
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
			if err != nil {
				return nil, err
			}
			// Features that announce meetups or mount the Events API handler
			// on the main HTTP server find the adapter here.
			app.Provide("slack", ad)
			return ad, nil
		},
	})
}

func init() {
	registerCLI(&cliCommand{
		Name:    "slack-manifest",
		Usage:   "",
		Summary: "print the Slack app manifest (paste it into Create New App -> From an app manifest)",
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, cliCommands["slack-manifest"])
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				return usagef("unexpected argument %q", fs.Arg(0))
			}
			_, err := env.Stdout.Write(slack.Manifest)
			return err
		},
	})
}

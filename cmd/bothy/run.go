package main

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/adapters/console"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/metrics"
)

func init() {
	registerCLI(&cliCommand{
		Name:    "run",
		Usage:   "[--config FILE] [--db PATH] [--as NAME] [--organiser] [--console]",
		Summary: "run the bot (the default command)",
		Run:     runBot,
	})
}

func runBot(ctx context.Context, env *Env, args []string) error {
	c := cliCommands["run"]
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	as := fs.String("as", "", "who is speaking on the console (default: your OS user name)")
	organiser := fs.Bool("organiser", false, "treat the console user as an organiser")
	forceConsole := fs.Bool("console", false, "run the console chat even when other adapters are configured")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (to ask a question use: bothy ask QUESTION)", fs.Arg(0))
	}
	// Held until the bot has stopped, so restore cannot swap the file
	// under a running bot (see lockForRun).
	lock, err := lockForRun(env, cf)
	if err != nil {
		return err
	}
	defer lock.Release()
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()

	user := *as
	if user == "" {
		user = app.Config.Console.User
	}
	if user == "" {
		user = osUser(env)
	}
	orgs := app.Config.Organisers
	if *organiser {
		orgs = append(orgs, user)
	}
	app.Bot = bot.New(bot.Options{Logger: app.Log, Organisers: orgs, Observer: metrics.Observer{}})

	var platforms []string
	for _, f := range adapterFactories {
		if !f.Enabled(&app.Config) {
			continue
		}
		ad, err := f.Build(ctx, app)
		if err != nil {
			return fmt.Errorf("%s adapter: %w", f.Name, err)
		}
		app.Bot.AddAdapter(ad)
		platforms = append(platforms, f.Name)
	}
	useConsole := len(platforms) == 0 || *forceConsole || app.Config.Console.Enabled
	if useConsole {
		app.Bot.AddAdapter(console.New(console.Options{
			In: env.Stdin, Out: env.Stdout, User: user, Interactive: env.StdinTerminal, Logger: app.Log,
		}))
		platforms = append(platforms, console.Name)
	}
	if err := setupFeatures(ctx, app); err != nil {
		return err
	}
	banner := fmt.Sprintf("Bothy %s · data in %s · on %v · type help for commands", version, app.Config.DB, platforms)
	if useConsole {
		banner += fmt.Sprintf(" · you are %s", user)
		if *organiser {
			banner += " (organiser)"
		}
	}
	// In a script the banner would pollute the replies, so it goes to stderr.
	if env.StdinTerminal {
		fmt.Fprintln(env.Stdout, banner)
	} else {
		fmt.Fprintln(env.Stderr, banner)
	}
	app.Log.Debug("bot starting", "adapters", platforms, "db", app.Config.DB)
	return app.Bot.Run(ctx)
}

package main

import (
	"context"
	"fmt"

	"github.com/bothy-chat/bothy/adapters/console"
)

func runBot(ctx context.Context, env *Env, c *cliCommand, args []string) error {
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
	logs, err := newConsoleLogs(app)
	if err != nil {
		return usagef("%v", err)
	}
	b, platforms, err := wireBot(ctx, app, consoleOptions{user: user, organiser: *organiser, force: *forceConsole})
	if err != nil {
		return err
	}
	logs.attach(b, env.StdinTerminal)
	banner := fmt.Sprintf("Bothy %s · data in %s · on %v · type help for commands", version, app.Config.DB, platforms)
	if _, err := b.Adapter(console.Name); err == nil {
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
	return b.Run(ctx)
}

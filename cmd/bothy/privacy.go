package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/knowledge"
)

// privacyProviders are the features that hold personal data, for
// exports, erasures and retention pruning. shouts may be nil (the CLI
// builds its own).
func privacyProviders(app *App, shouts *shoutouts.Service) []privacy.Provider {
	out := []privacy.Provider{meetups.PrivacyProvider(app.DB), knowledge.PrivacyProvider(app.DB)}
	if shouts == nil {
		svc, err := newShoutouts(app, nil, nil, nil, nil)
		if err != nil {
			app.Log.Error("shout-outs unavailable for privacy requests", "err", err)
			return out
		}
		shouts = svc
	}
	return append(out, shouts)
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func runPrivacy(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(env.Stdout, "Usage: bothy privacy %s\n%s\n\n"+
				"  bothy privacy export --user ID   print everything stored about a member as JSON\n"+
				"  bothy privacy erase --user ID    remove or anonymise it (writes an audit record)\n"+
				"  bothy privacy prune [--before DATE]  delete records past the retention period\n", c.Usage, c.Summary)
			return nil
		}
		return usagef("say what to do: export, erase or prune (see bothy privacy --help)")
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(env, &cliCommand{Name: "privacy " + sub, Usage: c.Usage, Summary: c.Summary})
	cf := addCommonFlags(fs)
	var user, before, actor *string
	switch sub {
	case "export", "erase":
		user = fs.String("user", "", "the member's stable platform ID (Slack U…, Matrix @user:server, console name)")
		if sub == "erase" {
			actor = fs.String("actor", "", "who is carrying out the erasure, for the audit log (default: your OS user)")
		}
	case "prune":
		before = fs.String("before", "", "prune records older than this date (default: now minus privacy.retention)")
	default:
		return usagef("unknown privacy command %q: use export, erase or prune", sub)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if user != nil && strings.TrimSpace(*user) == "" {
		return usagef("--user ID is required")
	}
	var cutoff time.Time
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	if before != nil && *before != "" {
		if cutoff, err = parseDateFlag(*before, app.Config.Location()); err != nil {
			return usagef("--before: %v", err)
		}
	}
	providers := privacyProviders(app, nil)
	switch sub {
	case "export":
		doc, err := privacy.NewDocument(ctx, *user, app.Clock.Now(), providers...)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case "erase":
		who := *actor
		if who == "" {
			who = "cli:" + osUser(env)
		}
		res, err := privacy.Erase(ctx, app.DB, who, *user, providers...)
		fmt.Fprintf(env.Stdout, "Erased %s: %s. Audit record written.\n", *user, res.Summary())
		return err
	default: // prune
		if cutoff.IsZero() {
			ret := app.Config.Privacy.Retention
			if ret <= 0 {
				fmt.Fprintln(env.Stdout, "Retention is off (privacy.retention is 0); nothing pruned. Use --before DATE to prune anyway.")
				return nil
			}
			cutoff = app.Clock.Now().Add(-ret)
		}
		counts, err := privacy.Prune(ctx, cutoff, providers...)
		fmt.Fprintf(env.Stdout, "Pruned %d records older than %s %v.\n", total(counts), cutoff.Format(time.RFC3339), counts)
		return err
	}
}

// parseDateFlag reads a date (2026-01-02, midnight in loc) or an RFC 3339
// time.
func parseDateFlag(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date like 2026-01-02 or a time like 2026-01-02T15:04:05Z", s)
}

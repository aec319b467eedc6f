package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
)

// privacyBuilders return each feature's privacy provider, or nil when the
// feature has nothing to offer in this app. Features add theirs in init.
var privacyBuilders []func(app *App) privacy.Provider

// registerPrivacy adds a feature's privacy provider to exports, erasures
// and retention pruning.
func registerPrivacy(build func(app *App) privacy.Provider) {
	privacyBuilders = append(privacyBuilders, build)
}

// privacyProviders builds every registered provider for app.
func privacyProviders(app *App) []privacy.Provider {
	var out []privacy.Provider
	for _, build := range privacyBuilders {
		if p := build(app); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// privacyPruneEvery is how often the running bot applies the retention
// policy.
const privacyPruneEvery = 24 * time.Hour

func init() {
	registerCLI(&cliCommand{
		Name:    "privacy",
		Usage:   "export|erase|prune [--db PATH] [--user ID] [--before DATE]",
		Summary: "data-protection requests: export or erase a member's data, prune old records",
		Run:     runPrivacy,
	})
	// After every feature (Order 90), so all providers exist.
	registerFeature(feature{Name: "privacy", Order: 90, Setup: func(ctx context.Context, app *App) error {
		providers := privacyProviders(app)
		app.Bot.Register(privacy.MydataCommand(func() []privacy.Provider { return providers }, app.Clock))
		if ret := app.Config.Privacy.Retention; ret > 0 {
			log := app.Log.With("component", "privacy")
			app.Bot.AddService("privacy-prune", func(ctx context.Context) error {
				t := time.NewTicker(privacyPruneEvery)
				defer t.Stop()
				for {
					counts, err := privacy.Prune(ctx, app.Clock.Now().Add(-ret), providers...)
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
			})
		}
		return nil
	}})
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func runPrivacy(ctx context.Context, env *Env, args []string) error {
	c := cliCommands["privacy"]
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
	providers := privacyProviders(app)
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

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/adapters/matrix"
	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/privacy"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/bot/web/admin"
	"github.com/bothy-chat/bothy/knowledge"
)

// privacyProviders are the features that hold personal data, for
// exports, erasures and retention pruning. shouts may be nil (the CLI
// builds its own).
func privacyProviders(app *App, shouts *shoutouts.Service) []privacy.Provider {
	out := []privacy.Provider{
		privacy.RecordsProvider(app.DB),
		meetups.PrivacyProvider(app.DB),
		knowledge.PrivacyProvider(app.DB, app.Config.Knowledge.Dirs, app.Log),
		admin.PrivacyProvider(app.DB),
		matrix.PrivacyProvider(app.DB),
	}
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

// runPrivacy runs privacy export, erase or prune (c.Name says which).
func runPrivacy(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	sub := strings.TrimPrefix(c.Name, "privacy ")
	fs := newFlagSet(env, c)
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
	app, err := openExistingApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	if before != nil && *before != "" {
		if cutoff, err = parseDateFlag(*before, app.Config.Location()); err != nil {
			return usagef("--before: %v", err)
		}
		// A cutoff ahead of now would delete records that are not past
		// any retention period: almost certainly a typo in the year.
		if now := app.Clock.Now(); cutoff.After(now) {
			return usagef("--before %s is in the future (today is %s); give a past date", *before, now.In(app.Config.Location()).Format(time.DateOnly))
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
		writePruned(env.Stdout, counts, cutoff.In(app.Config.Location()))
		return err
	}
}

// writePruned reports a prune: the total, then one line per area, in a
// fixed order.
func writePruned(w io.Writer, counts map[string]int64, cutoff time.Time) {
	fmt.Fprintf(w, "Pruned %d records older than %s:\n", total(counts), cutoff.Format("2 January 2006 15:04 MST"))
	areas := make([]string, 0, len(counts))
	width := 0
	for a := range counts {
		areas = append(areas, a)
		width = max(width, len(a))
	}
	sort.Strings(areas)
	for _, a := range areas {
		fmt.Fprintf(w, "  %-*s  %d\n", width+1, a+":", counts[a])
	}
}

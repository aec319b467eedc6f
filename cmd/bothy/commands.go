package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/bothy-chat/bothy/adapters/slack"
	"github.com/bothy-chat/bothy/bot/config"
)

// commands is the whole bothy command line, sorted by name (the order
// bothy help lists them in).
var commands = []*cliCommand{
	{Name: "ask", Usage: "[--db PATH] [--json] [--explain] QUESTION",
		Summary: "ask the knowledge base a question", Run: runAsk},
	{Name: "backup", Usage: "[--db PATH] FILE",
		Summary: "copy the database to FILE, safely, even while the bot runs", Run: runBackup},
	{Name: "healthcheck", Usage: "[--url URL] [--timeout DURATION]",
		Summary: "exit 0 if the running bot is ready, 1 if not (for container health checks)", Run: runHealthcheck},
	{Name: "init", Usage: "[--config FILE] [--force]",
		Summary: "write an annotated example bothy.yaml", Run: runInit},
	{Name: "kb", Summary: "manage the knowledge base (ingest folders, evaluate retrieval, copy out the starter, draft questions)", Subcommands: []*cliCommand{
		{Name: "kb ingest", Usage: "[--db PATH] DIR...",
			Summary: "index folders of Markdown files; unchanged files are skipped", Run: runKBIngest},
		{Name: "kb eval", Usage: "[--db PATH] [--misses] [--all] FILE.jsonl",
			Summary: "measure retrieval quality against a question set, beside a plain bm25 baseline", Run: runKBEval},
		{Name: "kb export-starter", Usage: "DIR",
			Summary: "copy the built-in starter documents into DIR, to keep them beside your own when knowledge.dirs is set", Run: runKBExportStarter},
		{Name: "kb suggest-questions", Usage: "[--db PATH] [--per N] DOC_ID",
			Summary: "draft, with the language model, the ways people ask for each section of a document, as front matter to review", Run: runKBSuggestQuestions},
	}},
	{Name: "meetup", Summary: "print upcoming meetups as a list or an iCalendar feed", Subcommands: []*cliCommand{
		{Name: "meetup list", Usage: "[--db PATH] [--json]",
			Summary: "list upcoming meetups, or print them as JSON for scripts", Run: runMeetupList},
		{Name: "meetup export", Usage: "--ics [--db PATH]",
			Summary: "print upcoming meetups as an iCalendar feed", Run: runMeetupExport},
	}},
	{Name: "privacy", Summary: "data-protection requests: export or erase a member's data, prune old records", Subcommands: []*cliCommand{
		{Name: "privacy export", Usage: "--user ID [--db PATH]",
			Summary: "print everything stored about a member as JSON", Run: runPrivacy},
		{Name: "privacy erase", Usage: "--user ID [--actor NAME] [--db PATH]",
			Summary: "remove or anonymise everything stored about a member (writes an audit record)", Run: runPrivacy},
		{Name: "privacy prune", Usage: "[--before DATE] [--db PATH]",
			Summary: "delete records older than the retention period, or than DATE", Run: runPrivacy},
	}},
	{Name: "restore", Usage: "[--db PATH] FILE",
		Summary: "replace the database with the backup FILE (the bot must be stopped)", Run: runRestore},
	{Name: "run", Usage: "[--config FILE] [--db PATH] [--as NAME] [--organiser] [--console]",
		Summary: "run the bot (the default command)", Run: runBot},
	{Name: "shoutouts", Summary: "export shout-outs as CSV, JSON or Markdown", Subcommands: []*cliCommand{
		{Name: "shoutouts export", Usage: "[--db PATH] --format csv|json|markdown [--since DATE]",
			Summary: "export shout-outs as CSV, JSON or Markdown", Run: runShoutoutsExport},
	}},
	{Name: "slack-manifest", Usage: "",
		Summary: "print the Slack app manifest (paste it into Create New App -> From an app manifest)", Run: runSlackManifest},
	{Name: "version", Usage: "",
		Summary: "print the version", Run: runVersion},
}

// findCommand returns the command called name, or nil.
func findCommand(name string) *cliCommand {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func runVersion(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintf(env.Stdout, "bothy %s\n", version)
	return nil
}

func runInit(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	path := fs.String("config", "bothy.yaml", "where to write the example configuration")
	force := fs.Bool("force", false, "overwrite an existing file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		// bothy init my.yaml would otherwise write bothy.yaml and say so
		// only in passing.
		return usagef("unexpected argument %q: to write the example elsewhere use --config %s", fs.Arg(0), fs.Arg(0))
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(*path, flags, 0o640)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists (use --force to overwrite)", *path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(config.Example); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s; edit it, then run: bothy --config %s\n", *path, *path)
	return nil
}

func runSlackManifest(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	_, err := env.Stdout.Write(slack.Manifest)
	return err
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

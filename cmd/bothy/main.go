// Command bothy is the Bothy chat bot and its admin tool. With no arguments
// it runs the bot; other subcommands manage the knowledge base, meetups,
// shout-outs, privacy requests and backups.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// cliCommand is one subcommand of the bothy binary; the whole command
// line is the table in commands.go. Run gets its own entry, for its help.
// A command with Subcommands (kb, meetup, privacy, shoutouts) has no Run
// of its own: execute dispatches on the next word, and each subcommand's
// Name is its whole path ("meetup list"), so its --help shows its own
// usage.
type cliCommand struct {
	Name        string
	Usage       string // after "bothy NAME"
	Summary     string
	Run         func(ctx context.Context, env *Env, c *cliCommand, args []string) error
	Subcommands []*cliCommand
}

// usageLine is "bothy NAME USAGE" for one command, or every subcommand's
// joined by " | " for a parent.
func (c *cliCommand) usageLine() string {
	if len(c.Subcommands) == 0 {
		return strings.TrimSpace("bothy " + c.Name + " " + c.Usage)
	}
	lines := make([]string, len(c.Subcommands))
	for i, s := range c.Subcommands {
		lines[i] = s.usageLine()
	}
	return strings.Join(lines, " | ")
}

// runParent dispatches a parent command to the subcommand named by the
// first argument; --help lists every subcommand with its own usage.
func runParent(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	names := make([]string, len(c.Subcommands))
	for i, s := range c.Subcommands {
		names[i] = strings.TrimPrefix(s.Name, c.Name+" ")
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		fmt.Fprintf(env.Stdout, "%s\n\nUsage:\n", c.Summary)
		for _, s := range c.Subcommands {
			fmt.Fprintf(env.Stdout, "  %s\n      %s\n", s.usageLine(), s.Summary)
		}
		fmt.Fprintf(env.Stdout, "\nbothy %s COMMAND --help shows one command's flags.\n", c.Name)
		return nil
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usagef("say what to do: %s (see bothy %s --help)", orList(names), c.Name)
	}
	for i, s := range c.Subcommands {
		if names[i] == args[0] {
			return s.Run(ctx, env, s, args[1:])
		}
	}
	return usagef("unknown %s command %q: use %s (see bothy %s --help)", c.Name, args[0], orList(names), c.Name)
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Env is what a command may touch of the outside world, so tests can run
// commands in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) (string, bool)
	// StdinTerminal says whether Stdin is an interactive terminal.
	StdinTerminal bool
}

// usagef says the command line was wrong (exit status 2), with the same
// error the chat commands use for a mistake in what was typed.
func usagef(format string, a ...any) error { return bot.Usagef(format, a...) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv, StdinTerminal: isTerminal(os.Stdin)}
	code := execute(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// execute runs one command line and returns the exit status.
func execute(ctx context.Context, env *Env, args []string) int {
	switch {
	case len(args) > 1 && args[0] == "help":
		// bothy help meetup is bothy meetup --help.
		args = append(slices.Clone(args[1:]), "--help")
	case len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help"):
		printUsage(env.Stdout)
		return 0
	case len(args) == 1 && (args[0] == "--version" || args[0] == "-version" || args[0] == "-v"):
		args = []string{"version"}
	}
	name := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(env.Stderr, "bothy: unknown command %q%s (see bothy help)\n", name, didYouMean(name))
		return 2
	}
	run := c.Run
	if len(c.Subcommands) > 0 {
		run = runParent
	}
	err := run(ctx, env, c, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var ue *bot.UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "bothy %s: %s\n", name, ue.Msg)
		return 2
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(env.Stderr, "bothy %s: %s\n", name, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(env.Stderr, "bothy %s: %s\n", name, bot.OneLine(err.Error()))
	return 1
}

// exitError ends a command with a given status and an optional message,
// for commands that report their own details (kb ingest with bad files).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "Bothy %s: a chat bot for communities of practice.\n\nUsage: bothy [COMMAND] [FLAGS]\n\nCommands:\n", version)
	width := 0
	for _, c := range commands {
		width = max(width, len(c.Name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Summary)
	}
	fmt.Fprintln(w, "\nWith no command, bothy runs the bot (bothy run). Every command takes --help.")
}

// flagSet is a command's flags plus its help printer and usage line.
type flagSet struct {
	*flag.FlagSet
	help  func()
	usage string
}

// newFlagSet returns a flag set for a command. Flag errors become one-line
// usage errors (exit 2); --help prints the full usage to stdout.
func newFlagSet(env *Env, c *cliCommand) *flagSet {
	fs := flag.NewFlagSet("bothy "+c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parseFlags prints help only when asked for
	help := func() {
		w := env.Stdout
		fmt.Fprintf(w, "Usage: bothy %s %s\n%s\n", c.Name, c.Usage, c.Summary)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return &flagSet{fs, help, c.usageLine()}
}

// parseFlags parses args: flag mistakes are usage errors, --help prints
// usage and ends the command cleanly (flag.ErrHelp, exit 0).
//
// Flags may come after positional arguments (bothy ask what is purdah
// --json), as people type them: Go's flag package stops at the first
// positional argument, so parsing resumes after each one. "--" ends the
// flags; what follows it is positional even if it starts with "-".
func parseFlags(fs *flagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return err
			}
			return usagef("%v (usage: %s)", err, fs.usage)
		}
		rest := fs.Args()
		used := len(args) - len(rest)
		if used > 0 && args[used-1] == "--" && !takesValue(fs, args, used-1) {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Leave fs.Args() as the positional arguments alone.
	return fs.Parse(append([]string{"--"}, positional...))
}

// takesValue reports whether args[i] is the value of the flag before it
// (--db -- would make "--" a file name, not the end of the flags).
func takesValue(fs *flagSet, args []string, i int) bool {
	if i == 0 {
		return false
	}
	name := strings.TrimLeft(args[i-1], "-")
	if strings.Contains(name, "=") || !strings.HasPrefix(args[i-1], "-") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	bf, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !bf.IsBoolFlag()
}

// parseDateFlag reads a date flag (privacy prune --before, shoutouts
// export --since): a date (2026-01-02, midnight in loc) or an RFC 3339
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

// didYouMean names the command one or two slips from name, if any.
func didYouMean(name string) string {
	best, dist := "", 3
	for _, c := range commands {
		if d := bot.EditDistance(strings.ToLower(name), c.Name); d < dist {
			best, dist = c.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bothy-chat/bothy/adapters/slack"
	"github.com/bothy-chat/bothy/bot"
)

// wiredRegistry builds the bot as bothy run does (console only) and
// returns its chat commands.
func wiredRegistry(t *testing.T) *bot.Registry {
	t.Helper()
	env := &Env{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(string) (string, bool) { return "", false }}
	app, err := openApp(context.Background(), env, &commonFlags{db: filepath.Join(t.TempDir(), "bothy.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	b, _, err := wireBot(context.Background(), app, consoleOptions{user: "mo"})
	if err != nil {
		t.Fatal(err)
	}
	return b.Registry()
}

// commandExists reports whether words start with a chat command (and, for
// a command with subcommands, one of its subcommands).
func commandExists(reg *bot.Registry, words []string) bool {
	c, err := reg.Lookup(words[0])
	if err != nil {
		return false
	}
	for _, w := range words[1:] {
		if len(c.Subcommands) == 0 {
			return true
		}
		var next *bot.Command
		for _, s := range c.Subcommands {
			if s.Name == strings.ToLower(w) || contains(s.Aliases, strings.ToLower(w)) {
				next = s
			}
		}
		if next == nil {
			return false
		}
		c = next
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Every command the Slack manifest advertises exists (it once offered
// "meetup next", which does not); entries that are not commands are
// questions.
func TestManifestNamesOnlyCommandsThatExist(t *testing.T) {
	reg := wiredRegistry(t)
	var m struct {
		Features struct {
			SlashCommands []struct {
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
	}
	if err := yaml.Unmarshal(slack.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Features.SlashCommands) == 0 {
		t.Fatal("no slash commands in the manifest")
	}
	for _, sc := range m.Features.SlashCommands {
		for _, hint := range strings.Split(sc.UsageHint, "|") {
			hint = strings.TrimSpace(hint)
			words := strings.Fields(hint)
			if len(words) == 0 || strings.HasSuffix(hint, "?") {
				continue // a question
			}
			if !commandExists(reg, words) {
				t.Errorf("the manifest's usage hint names %q, which is not a command", strings.TrimSpace(hint))
			}
		}
	}
}

// Help texts name only commands that exist: wherever a usage, summary or
// help text tells people what to type ("type meetup rsvp ...", "with: kb
// answer ...", "Example: meetup add ..."), the command and subcommand it
// names are real.
func TestHelpTextsNameOnlyCommandsThatExist(t *testing.T) {
	reg := wiredRegistry(t)
	var texts []string
	var walk func(c *bot.Command)
	walk = func(c *bot.Command) {
		texts = append(texts, c.Usage, c.Summary, c.Help)
		for _, s := range c.Subcommands {
			walk(s)
		}
	}
	for _, c := range reg.Commands() {
		walk(c)
	}
	if help, err := reg.HelpText("", true); err == nil {
		texts = append(texts, help)
	}
	cue := regexp.MustCompile(`(?i)(?:\btype|\bsay|\bwith:|\bexample:|\btry|\busage:)\s+!?([a-z]+(?:\s+[a-z]+)?)`)
	checked := 0
	for _, text := range texts {
		for _, m := range cue.FindAllStringSubmatch(text, -1) {
			words := strings.Fields(m[1])
			if _, err := reg.Lookup(words[0]); err != nil {
				continue // prose ("type the question"), not a command
			}
			checked++
			if !commandExists(reg, words) {
				t.Errorf("a help text names %q, which is not a command: %q", m[1], text)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no command references found in the help texts: the pattern is wrong")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCLI runs one command line in-process with an empty environment.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) (string, bool) { return "", false }}
	code = execute(context.Background(), env, args)
	return out.String(), errb.String(), code
}

// Flags typed after positional arguments work as flags; they are never
// taken as part of a question or a file name.
func TestFlagsAfterPositionalArguments(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "after.db")
	t.Run("ask question --json", func(t *testing.T) {
		out, errOut, code := runCLI(t, "ask", "what", "is", "purdah", "--json", "--db", db)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got askJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("--json after the question was not taken as a flag: %v\n%s", err, out)
		}
		if !got.Confident || len(got.Sources) == 0 || strings.Contains(got.Answer, "--json") {
			t.Fatalf("the question was not answered as asked: %+v", got)
		}
		if _, err := os.Stat(db); err != nil {
			t.Fatalf("--db after the question was ignored: %v", err)
		}
	})
	t.Run("-- ends the flags", func(t *testing.T) {
		out, errOut, code := runCLI(t, "ask", "--db", db, "--json", "--", "--what", "is", "purdah")
		if code != 0 || !strings.Contains(out, `"answer"`) {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
	})
	t.Run("backup FILE --db", func(t *testing.T) {
		dest := filepath.Join(dir, "copy.db")
		if _, errOut, code := runCLI(t, "backup", dest, "--db", db); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if _, err := os.Stat(dest); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("kb ingest DIR --db", func(t *testing.T) {
		kb := filepath.Join(dir, "kb")
		if err := os.MkdirAll(kb, 0o755); err != nil {
			t.Fatal(err)
		}
		doc := "---\ntitle: Bin days\nkind: guidance\n---\n# Bin days\n\nBins are collected on Tuesdays.\n"
		if err := os.WriteFile(filepath.Join(kb, "bins.md"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "kb.db")
		if out, errOut, code := runCLI(t, "kb", "ingest", kb, "--db", other); code != 0 || !strings.Contains(out, "added 1") {
			t.Fatalf("exit %d: %q %q", code, out, errOut)
		}
	})
}

// An unknown flag after a positional argument is refused with the usage
// line and exit status 2, on every command.
func TestUnknownFlagAfterPositionalIsRefused(t *testing.T) {
	lines := [][]string{
		{"ask", "what", "is", "purdah"},
		{"backup", "x.db"},
		{"restore", "x.db"},
		{"healthcheck"},
		{"init"},
		{"kb", "ingest", "dir"},
		{"kb", "eval", "q.jsonl"},
		{"meetup", "list"},
		{"meetup", "export", "--ics"},
		{"privacy", "export", "--user", "x"},
		{"privacy", "erase", "--user", "x"},
		{"privacy", "prune"},
		{"run"},
		{"shoutouts", "export"},
		{"slack-manifest"},
		{"version"},
	}
	for _, l := range lines {
		args := append(append([]string{}, l...), "--no-such-flag")
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
			}
			if !strings.Contains(errOut, "no-such-flag") || !strings.Contains(errOut, "usage: bothy "+l[0]) {
				t.Fatalf("stderr %q: want the flag named and the usage", errOut)
			}
		})
	}
}

// Each subcommand's --help shows its own usage line and flags, not its
// parent's list of every subcommand.
func TestSubcommandHelpIsItsOwn(t *testing.T) {
	for _, parent := range commands {
		for _, sub := range parent.Subcommands {
			t.Run(sub.Name, func(t *testing.T) {
				args := append(strings.Fields(sub.Name), "--help")
				out, errOut, code := runCLI(t, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				first, _, _ := strings.Cut(out, "\n")
				if want := "Usage: bothy " + sub.Name + " " + sub.Usage; first != want {
					t.Fatalf("first line %q, want %q", first, want)
				}
				for _, other := range parent.Subcommands {
					if other != sub && strings.Contains(out, other.Name) {
						t.Fatalf("%s --help mentions %s:\n%s", sub.Name, other.Name, out)
					}
				}
			})
		}
	}
	t.Run("meetup list flags", func(t *testing.T) {
		out, _, _ := runCLI(t, "meetup", "list", "--help")
		if !strings.Contains(out, "-json") || strings.Contains(out, "-ics") {
			t.Fatalf("meetup list --help shows the wrong flags:\n%s", out)
		}
	})
	t.Run("parent lists each subcommand's usage", func(t *testing.T) {
		out, _, code := runCLI(t, "privacy", "--help")
		for _, want := range []string{"bothy privacy export --user ID", "bothy privacy erase --user ID", "bothy privacy prune [--before DATE]"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Fatalf("privacy --help lacks %q:\n%s", want, out)
			}
		}
	})
}

// privacy prune prints one line per area (never a Go map) and refuses a
// date in the future, which would delete records not past any retention.
func TestPrivacyPruneOutput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	// A question recorded on the console, by the user "tester".
	if _, errOut, code := runBothy(t, dir, "what is purdah\n", nil); code != 0 {
		t.Fatalf("console: %d %s", code, errOut)
	}
	out, errOut, code := runCLI(t, "privacy", "prune", "--db", db, "--before", "2000-01-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "map[") {
		t.Fatalf("prune printed a Go map: %q", out)
	}
	for _, want := range []string{"Pruned 0 records older than 1 January 2000", "\n  knowledge:  0\n", "\n  meetups:    0\n", "\n  shoutouts:  0\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("prune output lacks %q:\n%s", want, out)
		}
	}
	_, errOut, code = runCLI(t, "privacy", "prune", "--db", db, "--before", "2999-01-01")
	if code != 2 || !strings.Contains(errOut, "is in the future") {
		t.Fatalf("a future --before: exit %d, %q; want a refusal with exit 2", code, errOut)
	}
	out, _, _ = runCLI(t, "privacy", "export", "--db", db, "--user", "tester")
	if !strings.Contains(out, "what is purdah") {
		t.Fatalf("the future --before deleted the question anyway:\n%s", out)
	}
}

// With $USER unset the console user is the OS account name (or "you"),
// never a made-up console@host.
func TestOSUserWithoutUserVariable(t *testing.T) {
	got := osUser(&Env{Getenv: func(string) (string, bool) { return "", false }})
	want := "you"
	if u, err := user.Current(); err == nil && u.Username != "" {
		want = u.Username
	}
	if got != want {
		t.Fatalf("osUser() = %q, want %q", got, want)
	}
	if got := osUser(&Env{Getenv: func(k string) (string, bool) { return "mo", k == "USER" }}); got != "mo" {
		t.Fatalf("with USER=mo: %q", got)
	}
}

// bothy ask prints plain text for a terminal: no Markdown bold markers and
// no feedback buttons it cannot press.
func TestAskPrintsPlainText(t *testing.T) {
	out, errOut, code := runCLI(t, "ask", "--db", filepath.Join(t.TempDir(), "a.db"), "how do I run an evening meetup")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "From Running evening meetups") {
		t.Fatalf("unexpected answer:\n%s", out)
	}
	if strings.Contains(out, "**") || strings.Contains(out, "Helpful") {
		t.Fatalf("bothy ask printed Markdown marks or buttons:\n%s", out)
	}
}

// Commands that read or change what the bot stored refuse a database that
// is not there, rather than creating an empty one at a mistyped --db and
// reporting success on it.
func TestMissingDatabaseIsAnError(t *testing.T) {
	for _, args := range [][]string{
		{"meetup", "list"},
		{"meetup", "export", "--ics"},
		{"shoutouts", "export", "--format", "csv"},
		{"privacy", "export", "--user", "jo"},
		{"privacy", "erase", "--user", "jo"},
		{"privacy", "prune"},
		{"backup", "copy.db"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "typo", "bothy.db")
			args := append(slices.Clone(args), "--db", db)
			if args[0] == "backup" {
				args[1] = filepath.Join(dir, "copy.db") // never written: the test's own folder
			}
			out, errOut, code := runCLI(t, args...)
			if code != 1 || !strings.Contains(errOut, "no database at "+db) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and \"no database at %s\"", code, out, errOut, db)
			}
			if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
				t.Errorf("the mistyped path's folder was created (%v)", err)
			}
		})
	}
}

// --json with --explain is one JSON object that carries the explanation,
// so a script asking for both still gets JSON; confidence is the number
// confident was decided on.
func TestAskJSONWithExplain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "explain.db")
	for _, tc := range []struct {
		args    []string
		explain bool
	}{
		{[]string{"ask", "--db", db, "--json", "what", "is", "purdah"}, false},
		{[]string{"ask", "--db", db, "--json", "--explain", "what", "is", "purdah"}, true},
	} {
		t.Run(strings.Join(tc.args[3:], " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got askJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if (got.Explain != "") != tc.explain {
				t.Errorf("explain field %q, want present: %v", got.Explain, tc.explain)
			}
			if !got.Confident || got.Confidence < 0.45 || got.Confidence > 1 {
				t.Errorf("confident %v with confidence %v", got.Confident, got.Confidence)
			}
		})
	}
}

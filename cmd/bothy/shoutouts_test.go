package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// soRun runs one bothy command line in-process with no environment
// variables, returning the exit status and output.
func soRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) (string, bool) { return "", false }}
	code := execute(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// soSeed runs a console session that gives shout-outs and returns the
// database path and the session's output.
func soSeed(t *testing.T) (dir, db, out string) {
	dir = t.TempDir()
	db = filepath.Join(dir, "bothy.db")
	cfg := filepath.Join(dir, "bothy.yaml")
	// The knowledge feature wants its folders to exist at start.
	if err := os.Mkdir(filepath.Join(dir, "kb"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("knowledge:\n  dirs: ["+filepath.Join(dir, "kb")+"]\nshoutouts:\n  daily_quota: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := strings.Join([]string{
		"shoutout @carol for the snow-day school closures thread #crisis",
		"kudos @dave, @erin for the accessible FOI guide",
		"shoutout @frank for one more great thread",
		"shoutout @alice for praising myself here",
		"shoutout retract 2 wrong person",
		"shoutout promote 1",
		"shoutouts",
		"mydata",
	}, "\n") + "\n"
	code, out, stderr := soRun(t, script, "run", "--config", cfg, "--db", db, "--as", "alice", "--organiser")
	if code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	return dir, db, out
}

func TestConsoleShoutouts(t *testing.T) {
	dir, _, out := soSeed(t)
	for _, want := range []string{
		`Shout-out recorded for carol (#1): "the snow-day school closures thread" #crisis.`,
		"(to carol) 🎉 You received a shout-out from alice",
		"Shout-out recorded for dave (#2) and erin (#3)",
		"You've already given 3 shout-outs today, which is the daily limit",
		"Retracted shout-out #2",
		"You can't give a shout-out to yourself",
		"Draft case study written to " + filepath.Join(dir, "kb", "case-study-shoutout-1.md"),
		"Shout-outs of all time: 2, from 1 person to 2 people.",
		`"user_id": "alice"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "kb", "case-study-shoutout-1.md")); err != nil {
		t.Error(err)
	}
}

func TestShoutoutsExportCLI(t *testing.T) {
	_, db, _ := soSeed(t)
	code, out, _ := soRun(t, "", "shoutouts", "export", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 3 {
		t.Fatalf("json export: %v, %d records\n%s", err, len(recs), out)
	}
	if recs[0]["recipient_id"] != "carol" || recs[0]["giver_id"] != "alice" || recs[0]["platform"] != "console" || recs[1]["retracted"] != true {
		t.Errorf("records = %v", recs)
	}

	code, out, _ = soRun(t, "", "shoutouts", "export", "--db", db, "--format", "csv", "--since", "2000-01-02")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 4 || rows[0][0] != "id" {
		t.Errorf("csv export: exit %d, %v, %d rows", code, err, len(rows))
	}
	code, out, _ = soRun(t, "", "shoutouts", "export", "--db", db, "--format", "markdown", "--since", "2999-01-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "No shout-outs in this period.") {
		t.Errorf("markdown export in the future: exit %d\n%s", code, out)
	}

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad since", []string{"shoutouts", "export", "--db", db, "--since", "last tuesday"}, 2, "--since"},
		{"bad format", []string{"shoutouts", "export", "--db", db, "--format", "xml"}, 2, "use csv, json or markdown"},
		{"no subcommand", []string{"shoutouts"}, 2, "say what to do"},
		{"stray argument", []string{"shoutouts", "export", "--db", db, "extra"}, 2, "unexpected argument"},
		{"help", []string{"shoutouts", "export", "--help"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := soRun(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d (%q), want %d with %q", code, stderr, tc.code, tc.msg)
			}
		})
	}
}

func TestPrivacyCLI(t *testing.T) {
	_, db, _ := soSeed(t)
	code, out, stderr := soRun(t, "", "privacy", "export", "--db", db, "--user", "carol")
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr)
	}
	var doc struct {
		UserID   string `json:"user_id"`
		Sections map[string]struct {
			Received []map[string]any `json:"received"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	if doc.UserID != "carol" || len(doc.Sections["shoutouts"].Received) != 1 {
		t.Errorf("export = %+v", doc)
	}

	code, out, stderr = soRun(t, "", "privacy", "erase", "--db", db, "--user", "carol", "--actor", "dpo")
	if code != 0 || !strings.Contains(out, "Erased carol: 1 records (admin 0, knowledge 0, matrix 0, meetups 0, records 0, shoutouts 1); kept records now say erased-") {
		t.Fatalf("erase: exit %d, %q %q", code, out, stderr)
	}
	_, out, _ = soRun(t, "", "shoutouts", "export", "--db", db, "--format", "csv")
	if strings.Contains(out, "carol") || !strings.Contains(out, "(erased)") {
		t.Errorf("carol still in the export after erasure:\n%s", out)
	}
	_, out, _ = soRun(t, "", "privacy", "prune", "--db", db, "--before", "2000-01-01")
	if !strings.Contains(out, "Pruned 0 records") {
		t.Errorf("prune: %q", out)
	}
	for _, args := range [][]string{
		{"privacy", "export", "--db", db},
		{"privacy", "erase", "--db", db, "--user", ""},
		{"privacy", "forget", "--user", "x"},
		{"privacy"},
		{"privacy", "prune", "--db", db, "--before", "soon"},
	} {
		if code, _, _ := soRun(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestConsoleQASession replays a tester's console sessions: each line's
// reply must contain its want, in order.
func TestConsoleQASession(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bothy.db")
	sessions := []struct {
		as    string
		lines []string
		want  []string
	}{
		{"hal", []string{
			"shoutouts for me",
			"shoutout me for being really great today",
			"shoutout @me for being really great today",
			"shoutout myself for being really great today",
			"shoutout @Hal for being really great today",
			"shoutout @cat @dan for the flood comms rota",
			"shoutout @bob for -2+3 more sums here",
			"awards open 'Single quoted' x crisis-comms",
			"nominate @cat @dan for crisis-comms because they handled the flood comms",
		}, []string{
			"You haven't received any shout-outs yet. Why not thank someone whose work helped you? shoutout @person for ...",
			"You can't give a shout-out to yourself",
			"You can't give a shout-out to yourself",
			"You can't give a shout-out to yourself",
			"You can't give a shout-out to yourself",
			"Shout-out recorded for cat (#1) and dan (#2)",
			`Shout-out recorded for bob (#3): "-2+3 more sums here"`,
			"The Single quoted awards round is open for nominations in #x, #crisis-comms.",
			"One person per nomination, please: nominate @cat for crisis-comms because ..., then nominate @dan for crisis-comms because ...",
		}},
		{"Bob", []string{
			"shoutout @bob for being really great",
			"shoutout @BOB for being really great",
		}, []string{
			"You can't give a shout-out to yourself",
			"You can't give a shout-out to yourself",
		}},
		{"ann", []string{
			"shoutout @BOB for being really great",
			"shoutout @Cat for the first flood rota",
			"shoutout @DAN for the second flood rota",
			"shoutouts",
		}, []string{
			"Shout-out recorded for BOB (#4)",
			"Shout-out recorded for Cat (#5)",
			"Shout-out recorded for DAN (#6)",
			"Shout-outs of all time: 6, from 2 people to 3 people.\nMost appreciated:\n1. BOB: 2\n1. Cat: 2\n1. DAN: 2",
		}},
	}
	for _, s := range sessions {
		code, out, stderr := soRun(t, strings.Join(s.lines, "\n")+"\n", "run", "--db", db, "--as", s.as, "--organiser")
		if code != 0 {
			t.Fatalf("as %s: run exited %d: %s", s.as, code, stderr)
		}
		rest := out
		for i, want := range s.want {
			at := strings.Index(rest, want)
			if at < 0 {
				t.Errorf("as %s, %q: reply lacks %q after the earlier replies:\n%s", s.as, s.lines[i], want, out)
				continue
			}
			rest = rest[at+len(want):]
		}
	}
}

// A configured organiser's console name matches whatever case it is
// written or typed in, now that console IDs are folded.
func TestConsoleOrganiserNameAnyCase(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bothy.yaml")
	if err := os.WriteFile(cfg, []byte("organisers: [Mo]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, as := range []string{"mo", "MO"} {
		code, out, stderr := soRun(t, "awards open Spring x\n", "run", "--config", cfg, "--db", filepath.Join(dir, as+".db"), "--as", as)
		if code != 0 || !strings.Contains(out, "The Spring awards round is open") {
			t.Errorf("as %s: exit %d, output %q (%s)", as, code, out, stderr)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bothyBin is the binary built once for the end-to-end tests.
var bothyBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bothy-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bothyBin = filepath.Join(dir, "bothy")
	args := []string{"build", "-o", bothyBin}
	// The binary gets the test's own build tags that change what bothy
	// does (goolm: encrypted Matrix rooms), so end-to-end tests cover it.
	if len(binaryTags) > 0 {
		args = append(args, "-tags", strings.Join(binaryTags, ","))
	}
	build := exec.Command("go", append(args, ".")...)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building bothy: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBothy runs the built binary in dir with stdin and a clean environment.
func runBothy(t *testing.T, dir, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bothyBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "USER=tester"}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running bothy: %v", err)
	}
	return out.String(), errb.String(), code
}

func TestConsoleScripted(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runBothy(t, dir, "help\n!hlep\nhelp help\n", nil)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "data in bothy.db") || !strings.Contains(errOut, "type help") {
		t.Errorf("banner missing from stderr: %q", errOut)
	}
	// Replies come in input order: the command list, the suggestion, then
	// help's own details.
	iList := strings.Index(out, "Commands (prefix with !")
	iUnknown := strings.Index(out, `Unknown command "hlep". Did you mean help?`)
	iDetail := strings.Index(out, "help [COMMAND]\nlist commands, or explain one")
	if iList < 0 || iUnknown < iList || iDetail < iUnknown {
		t.Fatalf("replies missing or out of order (%d, %d, %d):\n%s", iList, iUnknown, iDetail, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "bothy.db")); err != nil {
		t.Fatalf("default database not created in the working directory: %v", err)
	}
}

func TestConsoleDatabaseLocation(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"--db flag", nil, []string{"--db", "flag.db"}, "flag.db"},
		{"BOTHY_DB", []string{"BOTHY_DB=env.db"}, nil, "env.db"},
		{"flag beats env", []string{"BOTHY_DB=env.db"}, []string{"run", "--db", "both.db"}, "both.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, errOut, code := runBothy(t, dir, "help\n", tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if _, err := os.Stat(filepath.Join(dir, tt.want)); err != nil {
				t.Fatalf("%s not created: %v (stderr %s)", tt.want, err, errOut)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("community:\n  time_zome: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notdb.db"), bytes.Repeat([]byte("not sqlite\n"), 200), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"version", []string{"version"}, 0, "bothy " + version, ""},
		{"help", []string{"--help"}, 0, "Usage: bothy [COMMAND]", ""},
		{"run help", []string{"run", "--help"}, 0, "--organiser", ""},
		{"init help", []string{"init", "--help"}, 0, "Usage: bothy init", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"run", "--frob"}, 2, "", "flag provided but not defined: -frob"},
		{"stray argument", []string{"run", "what"}, 2, "", "unexpected argument"},
		{"init takes no file name", []string{"init", "my.yaml"}, 2, "", "use --config my.yaml"},
		{"version takes nothing", []string{"version", "extra"}, 2, "", "unexpected argument"},
		{"--version", []string{"--version"}, 0, "bothy " + version, ""},
		{"help COMMAND", []string{"help", "meetup"}, 0, "bothy meetup list", ""},
		{"command typo", []string{"metup"}, 2, "", `unknown command "metup"; did you mean "meetup"?`},
		{"config error names line", []string{"--config", "broken.yaml"}, 1, "", "broken.yaml:2: community.time_zome: unknown key (did you mean community.time_zone?)"},
		{"missing config file", []string{"--config", "nope.yaml"}, 1, "", "nope.yaml"},
		{"not a bothy database", []string{"--db", "notdb.db"}, 1, "", "not a Bothy database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runBothy(t, dir, "", nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if !strings.Contains(out, tt.inStdout) || !strings.Contains(errOut, tt.inStderr) {
				t.Fatalf("stdout %q / stderr %q; want %q / %q", out, errOut, tt.inStdout, tt.inStderr)
			}
			if tt.code != 0 && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("error output is more than one line: %q", errOut)
			}
		})
	}
}

func TestInitWritesLoadableConfig(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runBothy(t, dir, "", nil, "init")
	if code != 0 || !strings.Contains(out, "wrote bothy.yaml") {
		t.Fatalf("init: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := runBothy(t, dir, "", nil, "init"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second init: %d %q", code, errOut)
	}
	if _, errOut, code := runBothy(t, dir, "help\n", nil); code != 0 {
		t.Fatalf("run with the example config: %d %q", code, errOut)
	}
}

// TestExecuteInProcess covers the dispatcher without a subprocess.
func TestExecuteInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) (string, bool) { return "", false }}
	if code := execute(context.Background(), env, []string{"version"}); code != 0 || !strings.HasPrefix(out.String(), "bothy ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}

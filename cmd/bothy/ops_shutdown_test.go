//go:build integration

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMLosesNoAcknowledgedMessage builds the real binary, pipes a
// burst of commands into its console, sends SIGTERM part-way through and
// checks that every message the console accepted (handed to the bot,
// logged as "message accepted" at debug level) was answered, in order,
// before the process exited cleanly. Handlers here take microseconds, so
// the test holds its read of stdout while signalling: the bot is then
// blocked writing an accepted message's reply, which only a shutdown that
// waits for in-flight handlers delivers.
func TestSIGTERMLosesNoAcknowledgedMessage(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bothy")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	const lines = 20000
	const signalAfter = 300
	cmd := exec.Command(bin, "run", "--db", filepath.Join(dir, "bothy.db"), "--log-level", "debug", "--log-format", "json")
	cmd.Dir = dir
	// Only what the binary needs: no BOTHY_* from the host.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "USER=burst"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for i := 1; i <= lines; i++ {
			if _, err := fmt.Fprintf(w, "!unknowncmd-%d\n", i); err != nil {
				return // the bot stopped reading: expected after SIGTERM
			}
		}
		w.Flush()
		stdin.Close()
	}()

	var replies []string
	sc := bufio.NewScanner(stdout)
	signalled := false
	for sc.Scan() {
		replies = append(replies, sc.Text())
		if len(replies) == signalAfter && !signalled {
			// Stop reading so the stdout pipe fills and the bot is caught
			// with a message accepted but its reply not yet written. Then
			// signal, and give a bot that does not wait for in-flight work
			// time to exit and lose that reply, before reading again.
			time.Sleep(time.Second)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			signalled = true
			time.Sleep(300 * time.Millisecond)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("bothy exited with %v after SIGTERM (want a clean exit)\n%s", err, tail(stderr.String()))
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("bothy did not exit after SIGTERM")
	}
	if !signalled {
		t.Fatalf("only %d replies came before the output ended; SIGTERM was never sent\n%s", len(replies), tail(stderr.String()))
	}

	accepted := 0
	for _, l := range strings.Split(stderr.String(), "\n") {
		var rec struct {
			Msg       string `json:"msg"`
			Component string `json:"component"`
		}
		if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "message accepted" && rec.Component == "console" {
			accepted++
		}
	}
	t.Logf("%d lines sent, %d accepted by the console, %d replies", lines, accepted, len(replies))
	if accepted < signalAfter || accepted >= lines {
		t.Fatalf("SIGTERM did not land mid-burst: %d of %d accepted", accepted, lines)
	}
	if len(replies) != accepted {
		t.Fatalf("%d messages accepted but %d replies: acknowledged messages were lost", accepted, len(replies))
	}
	for i, r := range replies {
		want := fmt.Sprintf("Unknown command %q.", fmt.Sprintf("unknowncmd-%d", i+1))
		if !strings.HasPrefix(r, want) {
			t.Fatalf("reply %d = %q, want it to start %q", i+1, r, want)
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

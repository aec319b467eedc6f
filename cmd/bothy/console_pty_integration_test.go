//go:build integration && linux

package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// openPTY opens a pseudo-terminal pair: the bot gets the terminal end, the
// test reads and types on the other.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), req, uintptr(arg)); e != 0 {
			return e
		}
		return nil
	}
	var unlock int32
	if err := ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal(err)
	}
	var n uint32
	if err := ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	ws := struct{ row, col, x, y uint16 }{40, 120, 0, 0}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, s.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); e != 0 {
		t.Fatal(e)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// screen collects what the bot writes to its terminal.
type screen struct{ testenv.Buffer }

func (s *screen) waitFor(t *testing.T, want string, from int) int {
	t.Helper()
	at := -1
	testenv.Eventually(t, 20*time.Second, fmt.Sprintf("%q on the terminal", want), func() bool {
		at = strings.Index(s.String()[from:], want)
		return at >= 0
	})
	return from + at + len(want)
}

// In a real terminal, a log line that arrives while a person is typing is
// printed above the prompt, and the prompt comes back with what they had
// typed, so they can finish the line. The HTTP server's request lines
// stay out of the console at the default level.
func TestInteractiveConsoleRedrawsPromptAfterAsyncOutput(t *testing.T) {
	for _, level := range []string{"debug", "info"} {
		t.Run(level, func(t *testing.T) {
			master, tty := openPTY(t)
			dir := t.TempDir()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			cmd := exec.Command(bothyBin, "--log-level", level)
			cmd.Dir = dir
			cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "USER=tester", "TERM=xterm", "BOTHY_HTTP_LISTEN=" + addr}
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			scr := &screen{}
			go func() { _, _ = ioCopy(scr, master) }()

			at := scr.waitFor(t, "you> ", 0)
			if _, err := master.Write([]byte("what is pur")); err != nil {
				t.Fatal(err)
			}
			at = scr.waitFor(t, "what is pur", at)
			resp, err := http.Get("http://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if level == "debug" {
				// The request line, on a line of its own, then the prompt
				// again with the half-typed question.
				at = scr.waitFor(t, "\r\x1b[K", at)
				at = scr.waitFor(t, "msg=request", at)
				at = scr.waitFor(t, "you> what is pur", at)
			}
			if _, err := master.Write([]byte("dah\r")); err != nil {
				t.Fatal(err)
			}
			scr.waitFor(t, "Pre-election periods (purdah)", at)
			// The answer comes after the request was served, so a request
			// line the console should not show would be on screen by now.
			if level != "debug" && strings.Contains(scr.String(), "msg=request") {
				t.Fatalf("a request log line reached the console at info level:\n%q", scr.String())
			}
			if _, err := master.Write([]byte("quit\r")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func ioCopy(dst *screen, src *os.File) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			_, _ = dst.Write(buf[:k])
			n += int64(k)
		}
		if err != nil {
			return n, err
		}
	}
}

// Package browsertest drives Debian's headless Chromium from Go tests,
// through puppeteer-core (pinned in node/package.json), and checks pages
// with axe-core against the WCAG 2.2 A and AA rules. One Browser keeps
// its cookies across pages, so a test can sign in and walk a site as a
// person does.
//
// It needs Chromium (apt-get install chromium) and Node.js with npm; the
// first test installs the pinned packages itself (npm ci --prefix
// bot/web/browsertest/node, as .ci/run does too).
package browsertest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// opWait bounds one command; generous, because the machine is shared.
const opWait = 90 * time.Second

// Browser is one headless Chromium page.
type Browser struct {
	t testing.TB
	*proc
}

// proc is the driver process a Browser and its For copies share.
type proc struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	mu    sync.Mutex
	logs  *strings.Builder
}

// For returns the same browser reporting to t, for use in a subtest.
func (b *Browser) For(t testing.TB) *Browser { return &Browser{t: t, proc: b.proc} }

// Page is where the browser is after a command.
type Page struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Title  string `json:"title"`
}

// Violation is one axe-core rule a page breaks at a width.
type Violation struct {
	Width  int    `json:"width"`
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %dpx): %s", v.ID, v.Impact, v.Width, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// nodeDir is the folder with the driver script and its pinned packages.
func nodeDir() string {
	root, err := testenv.RepoDir()
	if err != nil {
		return "node"
	}
	return filepath.Join(root, "bot", "web", "browsertest", "node")
}

// Chromium finds Debian's Chromium, or ends the test saying how to get it
// (a failure in CI).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "Chromium is not installed, and pages are tested in a real browser: "+
		"install it (Debian: apt-get install chromium; .ci/run does this)")
	return ""
}

// Start launches a browser for the test and closes it when the test ends.
func Start(t testing.TB) *Browser {
	t.Helper()
	chromium := Chromium(t)
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "Node.js is not installed, and the browser tests drive Chromium with puppeteer-core: "+
			"install it (Debian: apt-get install nodejs npm; .ci/run does this)")
	}
	dir := nodeDir()
	testenv.NpmPackages(t, dir, "puppeteer-core")
	cmd := exec.Command(node, filepath.Join(dir, "driver.mjs"), chromium)
	cmd.Dir = dir
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{t: t, proc: &proc{cmd: cmd, in: in, lines: make(chan string, 1), logs: &strings.Builder{}}}
	cmd.Stderr = lockedWriter{&b.mu, b.logs}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the browser driver: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			b.lines <- sc.Text()
		}
		close(b.lines)
	}()
	t.Cleanup(b.close)
	return b
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (b *Browser) close() {
	_ = json.NewEncoder(b.in).Encode(map[string]any{"op": "close"})
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
}

// do sends one command and decodes the reply into v (may be nil).
func (b *Browser) do(v any, cmd map[string]any) error {
	b.t.Helper()
	if err := json.NewEncoder(b.in).Encode(cmd); err != nil {
		return fmt.Errorf("send %v: %w", cmd["op"], err)
	}
	var line string
	select {
	case l, ok := <-b.lines:
		if !ok {
			b.mu.Lock()
			defer b.mu.Unlock()
			return fmt.Errorf("the browser driver stopped:\n%s", b.logs.String())
		}
		line = l
	case <-time.After(opWait):
		return fmt.Errorf("no answer to %v within %s", cmd["op"], opWait)
	}
	var head struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(line), &head); err != nil {
		return fmt.Errorf("driver said %q: %w", line, err)
	}
	if !head.OK {
		return fmt.Errorf("%v %v: %s", cmd["op"], cmd["selector"], head.Error)
	}
	if v != nil {
		return json.Unmarshal([]byte(line), v)
	}
	return nil
}

func (b *Browser) must(v any, cmd map[string]any) {
	b.t.Helper()
	if err := b.do(v, cmd); err != nil {
		b.t.Fatal(err)
	}
}

// Goto opens a URL.
func (b *Browser) Goto(url string) Page {
	b.t.Helper()
	var p Page
	b.must(&p, map[string]any{"op": "goto", "url": url})
	return p
}

// Click clicks the first element matching selector and waits for the page
// it leads to.
func (b *Browser) Click(selector string) Page {
	b.t.Helper()
	var p Page
	b.must(&p, map[string]any{"op": "click", "selector": selector, "nav": true})
	return p
}

// Fill sets a form field's value as if typed.
func (b *Browser) Fill(selector, value string) {
	b.t.Helper()
	b.must(nil, map[string]any{"op": "fill", "selector": selector, "value": value})
}

// Type types text into a field, key by key.
func (b *Browser) Type(selector, text string) {
	b.t.Helper()
	b.must(nil, map[string]any{"op": "type", "selector": selector, "text": text})
}

// Select chooses an option of a select element by value.
func (b *Browser) Select(selector, value string) {
	b.t.Helper()
	b.must(nil, map[string]any{"op": "select", "selector": selector, "value": value})
}

// Value reads a form field's value.
func (b *Browser) Value(selector string) string {
	b.t.Helper()
	var r struct{ Value string }
	b.must(&r, map[string]any{"op": "value", "selector": selector})
	return r.Value
}

// Text is the visible text of the page, or of the element selector names.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	var r struct{ Text string }
	b.must(&r, map[string]any{"op": "text", "selector": selector})
	return r.Text
}

// HTML is the page's current DOM as HTML.
func (b *Browser) HTML() string {
	b.t.Helper()
	var r struct{ HTML string }
	b.must(&r, map[string]any{"op": "html"})
	return r.HTML
}

// WaitText waits until the element selector names shows text.
func (b *Browser) WaitText(selector, text string) {
	b.t.Helper()
	b.must(nil, map[string]any{"op": "waitText", "selector": selector, "text": text})
}

// Axe runs axe-core's WCAG 2.2 A and AA rules on the page at each width
// (default 1280 and 390 pixels) and returns the violations.
func (b *Browser) Axe(widths ...int) []Violation {
	b.t.Helper()
	if len(widths) == 0 {
		widths = []int{1280, 390}
	}
	var r struct{ Violations []Violation }
	b.must(&r, map[string]any{"op": "axe", "widths": widths})
	return r.Violations
}

// CheckAccessible fails the test for every axe violation on the page.
func (b *Browser) CheckAccessible(name string) {
	b.t.Helper()
	for _, v := range b.Axe() {
		b.t.Errorf("%s: %s", name, v)
	}
}

// Screenshot saves a PNG of the page at a width (and height; full takes
// the whole page).
func (b *Browser) Screenshot(path string, width, height int, full bool) {
	b.t.Helper()
	b.must(nil, map[string]any{"op": "screenshot", "path": path, "width": width, "height": height, "full": full})
}

// Errors returns and clears the script errors the pages logged.
func (b *Browser) Errors() []string {
	b.t.Helper()
	var r struct{ Errors []string }
	b.must(&r, map[string]any{"op": "errors"})
	return r.Errors
}

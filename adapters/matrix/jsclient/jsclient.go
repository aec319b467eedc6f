// Package jsclient runs a second Matrix client for the integration tests,
// one that is not mautrix: matrix-js-sdk with its Rust crypto, the SDK
// Element is built on, in a small Node script (client.mjs beside this
// file). A test starts one client per person and drives it with JSON
// lines; the client reports every room event it sees with the push
// actions, decryption failure and shield Element would show.
//
// The npm packages pinned by this folder's lock file are installed by the
// first test that needs them (npm ci, as .ci/run does too). Without Node
// or npm a test is skipped with a message, or fails when the CI variable
// is set, so CI cannot pass without it.
package jsclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// Dir is the folder holding client.mjs and package.json.
func Dir() string {
	root, err := testenv.RepoDir()
	if err != nil {
		return "."
	}
	return filepath.Join(root, "adapters", "matrix", "jsclient")
}

// Require returns the node binary, installing the pinned npm packages on
// first use; without Node it skips the test (or fails it under CI).
func Require(tb testing.TB) string {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(tb, "jsclient: node is not on PATH (Node 20 or later runs the matrix-js-sdk client; "+
			"Debian: apt-get install nodejs npm; .ci/run does this)")
		return ""
	}
	testenv.NpmPackages(tb, Dir(), "matrix-js-sdk")
	return node
}

// Options say who the client logs in as. The session (token and device)
// must be the client's own: two crypto stacks on one device break both.
type Options struct {
	BaseURL     string
	UserID      id.UserID
	AccessToken string
	DeviceID    id.DeviceID
	// Password answers the user-interactive auth of the cross-signing
	// upload.
	Password string
	// Strict is Element's "exclude insecure devices": room keys only to
	// devices their owner cross-signed, and messages from others refused
	// (OnlySignedDevicesIsolationMode, MSC4153).
	Strict bool
	// NoCrossSigning skips setting up cross-signing for this person.
	NoCrossSigning bool
}

// Event is a room event as the client saw it.
type Event struct {
	RoomID  id.RoomID       `json:"room_id"`
	ID      id.EventID      `json:"event_id"`
	Sender  id.UserID       `json:"sender"`
	Type    string          `json:"type"`
	Content json.RawMessage `json:"content"`
	// WireType is m.room.encrypted for an encrypted event.
	WireType  string     `json:"wire_type"`
	Encrypted bool       `json:"encrypted"`
	Redacts   id.EventID `json:"redacts"`
	// StateKey is set on state events (a member event's user).
	StateKey *string `json:"state_key"`
	// DecryptionFailure is the SDK's DecryptionFailureCode, e.g.
	// UNSIGNED_SENDER_DEVICE, when the event could not be decrypted.
	DecryptionFailure string `json:"decryption_failure"`
	// Notify and Highlight are the push rules' verdict, as Element
	// computes it for this account.
	Notify    bool `json:"notify"`
	Highlight bool `json:"highlight"`
	// Shield is the SDK's encryption shield colour (0 none, 1 grey, 2
	// red) and ShieldReason its reason code.
	Shield       int `json:"shield"`
	ShieldReason any `json:"shield_reason"`
}

// Message parses the content as a room message (nil if it is not one).
func (e Event) Message() *event.MessageEventContent {
	if e.Type != event.EventMessage.Type {
		return nil
	}
	var m event.MessageEventContent
	if json.Unmarshal(e.Content, &m) != nil {
		return nil
	}
	return &m
}

// Body is the message body ("" for other events).
func (e Event) Body() string {
	if m := e.Message(); m != nil {
		return m.Body
	}
	return ""
}

// Raw decodes the content into a map, for fields mautrix's types hide.
func (e Event) Raw() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(e.Content, &m)
	return m
}

// Client is one running client.mjs.
type Client struct {
	UserID id.UserID
	tb     testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer
	done   chan struct{}

	mu      sync.Mutex
	nextID  int
	pending map[int]chan reply
	events  []Event
	index   map[id.EventID]int
	exited  error
}

type reply struct {
	ID     int             `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
	Event  *Event          `json:"event"`
}

// Start runs a client, sets up its crypto and waits for its first sync.
func Start(tb testing.TB, o Options) *Client {
	tb.Helper()
	node := Require(tb)
	cmd := exec.Command(node, "client.mjs")
	cmd.Dir = Dir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	c := &Client{
		UserID: o.UserID, tb: tb, cmd: cmd, stdin: stdin, stderr: &lockedBuffer{},
		done: make(chan struct{}), pending: map[int]chan reply{}, index: map[id.EventID]int{},
	}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("jsclient: start node: %v", err)
	}
	go c.read(stdout)
	tb.Cleanup(func() {
		c.Stop()
		if tb.Failed() {
			tb.Logf("jsclient %s stderr (last lines):\n%s", o.UserID, tail(c.stderr.String(), 40))
		}
	})
	var res struct {
		DeviceID string `json:"device_id"`
		Ready    bool   `json:"cross_signing_ready"`
	}
	c.call(tb, 2*time.Minute, "start", map[string]any{
		"base_url": o.BaseURL, "user_id": o.UserID, "access_token": o.AccessToken,
		"device_id": o.DeviceID, "password": o.Password, "strict": o.Strict,
		"cross_sign": !o.NoCrossSigning,
	}, &res)
	if !o.NoCrossSigning && !res.Ready {
		tb.Fatalf("jsclient %s: cross-signing is not ready after bootstrapping", o.UserID)
	}
	return c
}

func (c *Client) read(stdout io.Reader) {
	defer close(c.done)
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var m reply
			if err := json.Unmarshal(line, &m); err != nil {
				c.stderr.Write([]byte("jsclient: unreadable line (" + err.Error() + "): " + string(line)))
			} else {
				c.handle(m)
			}
		}
		if err != nil {
			c.mu.Lock()
			c.exited = fmt.Errorf("client.mjs exited: %v", c.cmd.Wait())
			for _, ch := range c.pending {
				close(ch)
			}
			c.pending = map[int]chan reply{}
			c.mu.Unlock()
			return
		}
	}
}

func (c *Client) handle(m reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Event != nil {
		// An event reported again (it failed to decrypt, then keys came)
		// replaces the earlier report.
		if i, ok := c.index[m.Event.ID]; ok {
			c.events[i] = *m.Event
			return
		}
		c.index[m.Event.ID] = len(c.events)
		c.events = append(c.events, *m.Event)
		return
	}
	if ch, ok := c.pending[m.ID]; ok {
		delete(c.pending, m.ID)
		ch <- m
	}
}

// call runs one operation and decodes its result into out (if not nil).
func (c *Client) call(tb testing.TB, timeout time.Duration, op string, args any, out any) {
	tb.Helper()
	if err := c.Call(timeout, op, args, out); err != nil {
		tb.Fatalf("jsclient %s: %s: %v", c.UserID, op, err)
	}
}

// Call is call returning the error, for steps that are expected to fail.
func (c *Client) Call(timeout time.Duration, op string, args any, out any) error {
	c.mu.Lock()
	if c.exited != nil {
		c.mu.Unlock()
		return c.exited
	}
	c.nextID++
	n := c.nextID
	ch := make(chan reply, 1)
	c.pending[n] = ch
	c.mu.Unlock()
	line, err := json.Marshal(map[string]any{"id": n, "op": op, "args": args})
	if err != nil {
		return err
	}
	if _, err := c.stdin.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write to client.mjs: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case m, ok := <-ch:
		if !ok {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.exited
		}
		if !m.OK {
			return errors.New(m.Error)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s", timeout)
	}
}

// Join joins a room the person was invited to.
func (c *Client) Join(tb testing.TB, room id.RoomID) {
	tb.Helper()
	c.call(tb, time.Minute, "join", map[string]any{"room_id": room}, nil)
}

// Send sends a message (content as Element would build it) and returns
// its event ID. The SDK encrypts it in an encrypted room.
func (c *Client) Send(tb testing.TB, room id.RoomID, content any) id.EventID {
	tb.Helper()
	var res struct {
		EventID id.EventID `json:"event_id"`
	}
	c.call(tb, time.Minute, "send", map[string]any{"room_id": room, "content": content}, &res)
	return res.EventID
}

// Say sends plain text.
func (c *Client) Say(tb testing.TB, room id.RoomID, text string) id.EventID {
	tb.Helper()
	return c.Send(tb, room, map[string]any{"msgtype": "m.text", "body": text})
}

// Edit replaces an earlier message of this person with new text (m.replace),
// as Element does: a "* " fallback body and the new content in m.new_content.
func (c *Client) Edit(tb testing.TB, room id.RoomID, original id.EventID, newContent map[string]any) id.EventID {
	tb.Helper()
	body, _ := newContent["body"].(string)
	content := map[string]any{
		"msgtype":       "m.text",
		"body":          "* " + body,
		"m.new_content": newContent,
		"m.relates_to":  map[string]any{"rel_type": "m.replace", "event_id": original},
	}
	if m, ok := newContent["m.mentions"]; ok {
		content["m.mentions"] = m
	}
	return c.Send(tb, room, content)
}

// Redact removes one of the events in a room.
func (c *Client) Redact(tb testing.TB, room id.RoomID, ev id.EventID) {
	tb.Helper()
	c.call(tb, time.Minute, "redact", map[string]any{"room_id": room, "event_id": ev}, nil)
}

// React adds a reaction.
func (c *Client) React(tb testing.TB, room id.RoomID, ev id.EventID, key string) id.EventID {
	tb.Helper()
	var res struct {
		EventID id.EventID `json:"event_id"`
	}
	c.call(tb, time.Minute, "react", map[string]any{"room_id": room, "event_id": ev, "key": key}, &res)
	return res.EventID
}

// DeviceStatus is what this client knows of another user's device.
type DeviceStatus struct {
	Known                bool `json:"known"`
	SignedByOwner        bool `json:"signed_by_owner"`
	CrossSigningVerified bool `json:"cross_signing_verified"`
	UserHasCrossSigning  bool `json:"user_has_cross_signing_keys"`
}

// DeviceStatus asks the client (downloading keys afresh) about a device.
func (c *Client) DeviceStatus(tb testing.TB, user id.UserID, device id.DeviceID) DeviceStatus {
	tb.Helper()
	var s DeviceStatus
	c.call(tb, time.Minute, "device_status", map[string]any{"user_id": user, "device_id": device}, &s)
	return s
}

// PushRules lists the push rule IDs the client evaluates ("override:.m.rule.master(off)").
func (c *Client) PushRules(tb testing.TB) []string {
	tb.Helper()
	var res struct {
		Rules []string `json:"rules"`
	}
	c.call(tb, time.Minute, "push_rules", nil, &res)
	return res.Rules
}

// Events returns the events seen so far that match pred, oldest first.
func (c *Client) Events(pred func(Event) bool) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Event
	for _, e := range c.events {
		if pred == nil || pred(e) {
			out = append(out, e)
		}
	}
	return out
}

// WaitFor waits until an event matching pred has been seen.
func (c *Client) WaitFor(tb testing.TB, timeout time.Duration, what string, pred func(Event) bool) Event {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if got := c.Events(pred); len(got) > 0 {
			return got[0]
		}
		c.mu.Lock()
		exited := c.exited
		c.mu.Unlock()
		if exited != nil || time.Now().After(deadline) {
			tb.Fatalf("jsclient %s did not see %s within %s (%v); saw:\n%s", c.UserID, what, timeout, exited, c.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Client) describe() string {
	var b strings.Builder
	for _, e := range c.Events(nil) {
		fmt.Fprintf(&b, "  %s %s %s %s", e.RoomID, e.ID, e.Sender, e.Type)
		if e.DecryptionFailure != "" {
			fmt.Fprintf(&b, " (undecryptable: %s)", e.DecryptionFailure)
		}
		if body := e.Body(); body != "" {
			fmt.Fprintf(&b, ": %q", body)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Stop ends the client.
func (c *Client) Stop() {
	_ = c.Call(5*time.Second, "stop", nil, nil)
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// maxLog bounds the kept stderr: the Rust crypto logs every step, and
// only the end matters when a test fails.
const maxLog = 1 << 20

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len()+len(p) > maxLog {
		keep := l.b.Bytes()[l.b.Len()/2:]
		l.b = *bytes.NewBuffer(append([]byte(nil), keep...))
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

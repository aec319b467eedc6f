// Package slacktest runs a local server on 127.0.0.1 that speaks Slack's
// wire protocol closely enough to test a real client against it: the Web
// API methods Bothy calls (form and JSON bodies, bearer tokens, ok/error
// envelopes, HTTP 429 with Retry-After), response_url endpoints, and a
// Socket Mode websocket that sends hello, events_api, slash_commands,
// interactive and disconnect envelopes, pings, and checks every ack.
//
// Every Web API call is recorded with its parameters, so tests assert what
// the client actually sent rather than what a fake returned.
package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Default identities the server reports.
const (
	BotToken  = "xoxb-test-bot-token"
	AppToken  = "xapp-test-app-token"
	BotUserID = "UBOTHY0001"
	BotID     = "BBOTHY0001"
	TeamID    = "T0000TEST"
	AppID     = "A0000TEST"
)

// Call is one recorded request.
type Call struct {
	// Method is the Web API method ("chat.postMessage"), or "response_url".
	Method string
	// Params holds form fields, or a JSON body's top-level fields (strings
	// as they are, anything else re-encoded as JSON).
	Params url.Values
	Body   []byte
	// Status is the HTTP status the server answered with (429 when rate
	// limited); Error is the Slack error code when ok was false.
	Status int
	Error  string
	At     time.Time
}

// User is a workspace member users.info knows.
type User struct {
	ID, Name, RealName, DisplayName string
}

// Server is the fake Slack. Create it with New and Close it when done.
type Server struct {
	// APIURL is the Web API base, ending in a slash as slack-go needs.
	APIURL string
	// URL is the server root.
	URL string

	srv          *httptest.Server
	pingInterval time.Duration

	mu        sync.Mutex
	changed   chan struct{}
	calls     []Call
	limits    map[string]*limit
	users     map[string]User
	channels  map[string]string
	reactions map[string]bool
	noDM      map[string]string
	ts        int64
	envelope  int64
	conns     []*sockConn
	opens     int
	sentEnv   map[string]time.Time
	acks      map[string]json.RawMessage
	closed    bool
}

type limit struct {
	n          int
	retryAfter time.Duration
}

type sockConn struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	open   bool
	hello  bool
	closed chan struct{}
}

// Options tune the server.
type Options struct {
	// PingInterval is how often the socket is pinged (default 2s).
	PingInterval time.Duration
}

// New starts a server on 127.0.0.1.
func New(opts Options) *Server {
	if opts.PingInterval <= 0 {
		opts.PingInterval = 2 * time.Second
	}
	s := &Server{
		pingInterval: opts.PingInterval,
		changed:      make(chan struct{}),
		limits:       map[string]*limit{},
		users:        map[string]User{},
		channels:     map[string]string{},
		reactions:    map[string]bool{},
		noDM:         map[string]string{},
		sentEnv:      map[string]time.Time{},
		acks:         map[string]json.RawMessage{},
		ts:           1700000000000100,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/response/", s.serveResponseURL)
	mux.HandleFunc("/link", s.serveSocket)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	s.APIURL = s.srv.URL + "/api/"
	return s
}

// Close stops the server and every socket.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	conns := append([]*sockConn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.srv.Close()
}

// AddUser makes users.info know a member.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// AddChannel makes conversations.info know a channel.
func (s *Server) AddChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = name
}

// RefuseDirect makes conversations.open with userID fail with errCode,
// as Slack does for a deactivated account or one the workspace keeps from
// direct messages ("user_disabled", "cannot_dm_bot").
func (s *Server) RefuseDirect(userID, errCode string) {
	s.mu.Lock()
	s.noDM[userID] = errCode
	s.mu.Unlock()
}

// RateLimit answers the next n calls to method with HTTP 429 and a
// Retry-After header (whole seconds, rounded up, as Slack sends it).
func (s *Server) RateLimit(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = &limit{n: n, retryAfter: retryAfter}
}

// ResponseURL returns a response_url on this server for a slash command or
// interaction; posts to it are recorded as method "response_url".
func (s *Server) ResponseURL(id string) string { return s.URL + "/response/" + url.PathEscape(id) }

// Calls returns the recorded calls to method ("" for all), oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(method)
}

func (s *Server) callsLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Successful returns the calls to method that Slack answered with ok.
func (s *Server) Successful(method string) []Call {
	var out []Call
	for _, c := range s.Calls(method) {
		if c.Status == http.StatusOK && c.Error == "" {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until at least n successful calls to method were made.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	var got []Call
	err := s.wait(ctx, func() bool {
		got = got[:0]
		for _, c := range s.callsLocked(method) {
			if c.Status == http.StatusOK && c.Error == "" {
				got = append(got, c)
			}
		}
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("slacktest: waiting for %d %s calls, have %d: %w", n, method, len(got), err)
	}
	return got, nil
}

// wait blocks until cond (called with s.mu held) is true or ctx ends.
func (s *Server) wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notifyLocked wakes waiters; call with s.mu held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notifyLocked()
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	params := url.Values{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if len(body) > 0 {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				s.answer(w, Call{Method: method, Body: body, Params: params}, "invalid_json", nil)
				return
			}
			for k, v := range m {
				if str, ok := v.(string); ok {
					params.Set(k, str)
				} else {
					js, _ := json.Marshal(v)
					params.Set(k, string(js))
				}
			}
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			s.answer(w, Call{Method: method, Body: body, Params: params}, "invalid_form_data", nil)
			return
		}
		for k, v := range r.URL.Query() {
			form[k] = v
		}
		params = form
	}
	call := Call{Method: method, Params: params, Body: body, At: time.Now()}

	s.mu.Lock()
	if l := s.limits[method]; l != nil && l.n > 0 {
		l.n--
		s.mu.Unlock()
		call.Status = http.StatusTooManyRequests
		call.Error = "ratelimited"
		s.record(call)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(l.retryAfter.Seconds()))))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		return
	}
	s.mu.Unlock()

	token := params.Get("token")
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = b
	}
	want := BotToken
	if method == "apps.connections.open" {
		want = AppToken
	}
	if token == "" {
		s.answer(w, call, "not_authed", nil)
		return
	}
	if token != want {
		s.answer(w, call, "invalid_auth", nil)
		return
	}
	errCode, result := s.method(method, params)
	s.answer(w, call, errCode, result)
}

// answer writes Slack's envelope: {"ok":true,...} or {"ok":false,"error":...}.
func (s *Server) answer(w http.ResponseWriter, call Call, errCode string, result map[string]any) {
	call.Status = http.StatusOK
	call.Error = errCode
	if call.At.IsZero() {
		call.At = time.Now()
	}
	s.record(call)
	out := map[string]any{"ok": errCode == ""}
	if errCode != "" {
		out["error"] = errCode
	}
	for k, v := range result {
		out[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) nextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ts += 100
	return fmt.Sprintf("%d.%06d", s.ts/1000000, s.ts%1000000)
}

func (s *Server) method(method string, p url.Values) (string, map[string]any) {
	switch method {
	case "auth.test":
		return "", map[string]any{
			"url": "https://bothy-test.slack.com/", "team": "Bothy Test", "user": "bothy",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID,
		}
	case "chat.postMessage":
		ch := p.Get("channel")
		if ch == "" {
			return "channel_not_found", nil
		}
		if code := validateMessage(p); code != "" {
			return code, nil
		}
		ts := s.nextTS()
		msg := map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "text": p.Get("text"), "ts": ts}
		if th := p.Get("thread_ts"); th != "" {
			msg["thread_ts"] = th
		}
		return "", map[string]any{"channel": ch, "ts": ts, "message": msg}
	case "chat.update":
		if p.Get("channel") == "" {
			return "channel_not_found", nil
		}
		if p.Get("ts") == "" {
			return "message_not_found", nil
		}
		if code := validateMessage(p); code != "" {
			return code, nil
		}
		return "", map[string]any{"channel": p.Get("channel"), "ts": p.Get("ts"), "text": p.Get("text")}
	case "reactions.add":
		if p.Get("name") == "" {
			return "invalid_name", nil
		}
		if p.Get("channel") == "" || p.Get("timestamp") == "" {
			return "message_not_found", nil
		}
		key := p.Get("channel") + "/" + p.Get("timestamp") + "/" + p.Get("name")
		s.mu.Lock()
		dup := s.reactions[key]
		s.reactions[key] = true
		s.mu.Unlock()
		if dup {
			return "already_reacted", nil
		}
		return "", nil
	case "users.info":
		s.mu.Lock()
		u, ok := s.users[p.Get("user")]
		s.mu.Unlock()
		if !ok {
			return "user_not_found", nil
		}
		return "", map[string]any{"user": map[string]any{
			"id": u.ID, "team_id": TeamID, "name": u.Name, "real_name": u.RealName,
			"profile": map[string]any{"real_name": u.RealName, "display_name": u.DisplayName},
		}}
	case "conversations.info":
		s.mu.Lock()
		name, ok := s.channels[p.Get("channel")]
		s.mu.Unlock()
		if !ok {
			return "channel_not_found", nil
		}
		return "", map[string]any{"channel": map[string]any{
			"id": p.Get("channel"), "name": name, "is_channel": true, "is_member": true,
		}}
	case "conversations.open":
		users := p.Get("users")
		if users == "" || strings.Contains(users, ",") {
			return "user_not_found", nil
		}
		s.mu.Lock()
		code := s.noDM[users]
		s.mu.Unlock()
		if code != "" {
			return code, nil
		}
		return "", map[string]any{"channel": map[string]any{"id": "D" + strings.TrimPrefix(users, "U"), "is_im": true}}
	case "apps.connections.open":
		s.mu.Lock()
		ticket := s.opens + 1
		s.mu.Unlock()
		ws := "ws" + strings.TrimPrefix(s.URL, "http") + "/link?ticket=" + strconv.Itoa(ticket)
		return "", map[string]any{"url": ws}
	}
	return "unknown_method", nil
}

// validateMessage applies the checks Slack makes on a message's blocks, so
// a client that builds invalid Block Kit fails here as it would for real.
func validateMessage(p url.Values) string {
	text, blocks := p.Get("text"), p.Get("blocks")
	if text == "" && (blocks == "" || blocks == "[]") {
		return "no_text"
	}
	if blocks == "" {
		if len(text) > 40000 {
			return "msg_too_long"
		}
		return ""
	}
	var bs []map[string]any
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		return "invalid_blocks_format"
	}
	if len(bs) > 50 {
		return "invalid_blocks"
	}
	for _, b := range bs {
		switch b["type"] {
		case "section":
			t, _ := b["text"].(map[string]any)
			s, _ := t["text"].(string)
			if s == "" || len(s) > 3000 {
				return "invalid_blocks"
			}
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				return "invalid_blocks"
			}
		case "actions":
			els, _ := b["elements"].([]any)
			if len(els) == 0 || len(els) > 25 {
				return "invalid_blocks"
			}
			seen := map[string]bool{}
			for _, e := range els {
				em, _ := e.(map[string]any)
				id, _ := em["action_id"].(string)
				if seen[id] {
					return "invalid_blocks"
				}
				seen[id] = true
				t, _ := em["text"].(map[string]any)
				label, _ := t["text"].(string)
				if label == "" || len([]rune(label)) > 75 {
					return "invalid_blocks"
				}
			}
		case "divider", "header", "image", "rich_text", "input", "markdown":
		default:
			return "invalid_blocks"
		}
	}
	return ""
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	params := url.Values{}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		s.record(Call{Method: "response_url", Body: body, Params: params, Status: http.StatusBadRequest, Error: "invalid_payload", At: time.Now()})
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	for k, v := range m {
		if str, ok := v.(string); ok {
			params.Set(k, str)
		} else {
			js, _ := json.Marshal(v)
			params.Set(k, string(js))
		}
	}
	params.Set("response_id", strings.TrimPrefix(r.URL.Path, "/response/"))
	s.record(Call{Method: "response_url", Params: params, Body: body, Status: http.StatusOK, At: time.Now()})
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

var upgrader = websocket.Upgrader{
	// slack-go sends Origin: https://api.slack.com, which is not this host.
	CheckOrigin: func(*http.Request) bool { return true },
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &sockConn{ws: ws, open: true, closed: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.opens++
	s.conns = append(s.conns, c)
	n := s.opens
	s.mu.Unlock()

	hello := map[string]any{
		"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "slacktest", "build_number": 1, "approximate_connection_time": 3600},
		"connection_info": map[string]any{"app_id": AppID},
	}
	if err := c.write(hello); err != nil {
		ws.Close()
		return
	}
	s.mu.Lock()
	c.hello = true
	s.notifyLocked()
	s.mu.Unlock()
	_ = n

	go s.ping(c)
	// Read acks until the socket closes.
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			s.mu.Lock()
			s.acks[ack.EnvelopeID] = ack.Payload
			s.notifyLocked()
			s.mu.Unlock()
		}
	}
	s.mu.Lock()
	c.open = false
	close(c.closed)
	s.notifyLocked()
	s.mu.Unlock()
	ws.Close()
}

func (s *Server) ping(c *sockConn) {
	t := time.NewTicker(s.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-t.C:
			c.wmu.Lock()
			err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second))
			c.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

func (c *sockConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// Connections reports how many sockets were opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens
}

// WaitConnected waits until the n-th socket is open and has said hello.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	err := s.wait(ctx, func() bool {
		if s.opens < n {
			return false
		}
		c := s.conns[len(s.conns)-1]
		return c.open && c.hello
	})
	if err != nil {
		return fmt.Errorf("slacktest: waiting for socket connection %d (have %d): %w", n, s.Connections(), err)
	}
	return nil
}

// current returns the newest open socket.
func (s *Server) current() (*sockConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.conns) - 1; i >= 0; i-- {
		if s.conns[i].open {
			return s.conns[i], nil
		}
	}
	return nil, fmt.Errorf("slacktest: no open socket")
}

// send writes an envelope of the given type and returns its envelope ID.
func (s *Server) send(typ string, payload any, extra map[string]any) (string, error) {
	c, err := s.current()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.envelope++
	id := fmt.Sprintf("env-%04d-%d", s.envelope, time.Now().UnixNano()%100000)
	s.sentEnv[id] = time.Now()
	s.mu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api"}
	if typ == "events_api" {
		env["retry_attempt"] = 0
		env["retry_reason"] = ""
	}
	for k, v := range extra {
		env[k] = v
	}
	if err := c.write(env); err != nil {
		return "", fmt.Errorf("slacktest: send %s: %w", typ, err)
	}
	return id, nil
}

// SendEvent sends an events_api envelope wrapping inner (an event such as
// AppMention builds) in an event_callback with eventID.
func (s *Server) SendEvent(eventID string, inner map[string]any) (string, error) {
	return s.send("events_api", EventCallback(eventID, inner), nil)
}

// SendEventRetry sends the same event again as Slack does when an ack is
// late: a new envelope with retry_attempt set.
func (s *Server) SendEventRetry(eventID string, inner map[string]any, attempt int) (string, error) {
	return s.send("events_api", EventCallback(eventID, inner), map[string]any{"retry_attempt": attempt, "retry_reason": "timeout"})
}

// SendSlashCommand sends a slash_commands envelope.
func (s *Server) SendSlashCommand(cmd map[string]string) (string, error) {
	return s.send("slash_commands", cmd, nil)
}

// SendInteractive sends an interactive envelope (a block_actions payload,
// for example).
func (s *Server) SendInteractive(payload map[string]any) (string, error) {
	return s.send("interactive", payload, nil)
}

// SendDisconnect asks the client to reconnect, as Slack does before it
// recycles a connection. The socket is closed a little later, as Slack
// does, if the client has not closed it.
func (s *Server) SendDisconnect(reason string) error {
	c, err := s.current()
	if err != nil {
		return err
	}
	err = c.write(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "slacktest"}})
	go func() {
		select {
		case <-c.closed:
		case <-time.After(10 * time.Second):
			c.ws.Close()
		}
	}()
	return err
}

// DropConnection cuts the newest socket without a close frame, like a
// network failure.
func (s *Server) DropConnection() error {
	c, err := s.current()
	if err != nil {
		return err
	}
	return c.ws.UnderlyingConn().Close()
}

// WaitAck waits for the client to acknowledge an envelope.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) error {
	err := s.wait(ctx, func() bool { _, ok := s.acks[envelopeID]; return ok })
	if err != nil {
		return fmt.Errorf("slacktest: envelope %s was not acknowledged: %w", envelopeID, err)
	}
	return nil
}

// WaitAllAcked waits until every envelope sent so far is acknowledged.
func (s *Server) WaitAllAcked(ctx context.Context) error {
	err := s.wait(ctx, func() bool {
		for id := range s.sentEnv {
			if _, ok := s.acks[id]; !ok {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("slacktest: unacknowledged envelopes %v: %w", s.Unacked(), err)
	}
	return nil
}

// Unacked lists envelopes sent but not acknowledged, sorted.
func (s *Server) Unacked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.sentEnv {
		if _, ok := s.acks[id]; !ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Wait waits until cond (given the recorded calls) holds.
func (s *Server) Wait(ctx context.Context, cond func(calls []Call) bool) error {
	return s.wait(ctx, func() bool { return cond(s.calls) })
}

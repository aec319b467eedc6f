package llmtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Model names the server lists; any model name is accepted in requests.
const (
	ChatModel      = "bothy-test-chat"
	EmbeddingModel = "bothy-test-embed"
)

// maxBody bounds a request body, as real servers do.
const maxBody = 8 << 20

// Message is one chat message as received.
type Message struct {
	Role    string
	Content string
}

// ChatRequest is a decoded POST /v1/chat/completions body.
type ChatRequest struct {
	Model       string
	Messages    []Message
	Stream      bool
	Temperature *float64
}

// System returns the first system message's text.
func (r ChatRequest) System() string {
	for _, m := range r.Messages {
		if m.Role == "system" || m.Role == "developer" {
			return m.Content
		}
	}
	return ""
}

// LastUser returns the last user message's text.
func (r ChatRequest) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// EmbeddingRequest is a decoded POST /v1/embeddings body.
type EmbeddingRequest struct {
	Model          string
	Input          []string
	EncodingFormat string
}

// Request is one request the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Status       int               // the status the server answered with
	Chat         *ChatRequest      // set for chat completions that parsed
	Embedding    *EmbeddingRequest // set for embeddings that parsed
	Chunks       []string          // content pieces streamed, in order
}

// Error is an API error in OpenAI's shape. A ReplyFunc may return one to
// choose the status; any other error becomes a 500 server_error.
type Error struct {
	Status  int
	Type    string
	Code    string // empty is sent as null
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message) }

// ReplyFunc writes the assistant's reply to a chat request.
type ReplyFunc func(ChatRequest) (string, error)

// Server is a running fake endpoint.
type Server struct {
	// URL is the base URL to configure clients with; it ends in /v1.
	URL string

	srv *httptest.Server

	mu         sync.Mutex
	reply      ReplyFunc
	delay      time.Duration
	chunkDelay time.Duration
	failLeft   int
	failWith   *Error
	breakAfter int // -1: streams run to the end
	breakMsg   string
	key        string
	models     []string
	requests   []Request
	seq        int
}

// New starts a server on 127.0.0.1 and closes it when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := Start()
	tb.Cleanup(s.Close)
	return s
}

// Start starts a server on 127.0.0.1; call Close when done.
func Start() *Server {
	s := &Server{breakAfter: -1, models: []string{ChatModel, EmbeddingModel}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close stops the server, ending any delayed requests first.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetReply scripts the chat replies; nil restores the default.
func (s *Server) SetReply(f ReplyFunc) { s.mu.Lock(); s.reply = f; s.mu.Unlock() }

// SetDelay makes every POST wait d before answering.
func (s *Server) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// SetChunkDelay pauses d between streamed chunks.
func (s *Server) SetChunkDelay(d time.Duration) { s.mu.Lock(); s.chunkDelay = d; s.mu.Unlock() }

// FailNext makes the next n /v1 requests fail with status and message, in
// OpenAI's error shape (type and code follow the status, as OpenAI's do).
func (s *Server) FailNext(n, status int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft = n
	s.failWith = errorFor(status, message)
}

// BreakStreamAfter stops streams after n content chunks: with an in-stream
// error event carrying message, or, when message is empty, by dropping the
// connection. n < 0 turns it off.
func (s *Server) BreakStreamAfter(n int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.breakAfter, s.breakMsg = n, message
}

// RequireKey makes requests without "Authorization: Bearer key" fail with
// 401; "" accepts anything.
func (s *Server) RequireKey(key string) { s.mu.Lock(); s.key = key; s.mu.Unlock() }

// SetModels sets what GET /v1/models lists.
func (s *Server) SetModels(names ...string) { s.mu.Lock(); s.models = names; s.mu.Unlock() }

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat completion requests that parsed.
func (s *Server) ChatRequests() []ChatRequest {
	var out []ChatRequest
	for _, r := range s.Requests() {
		if r.Chat != nil {
			out = append(out, *r.Chat)
		}
	}
	return out
}

// EmbeddingRequests returns the embeddings requests that parsed.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	var out []EmbeddingRequest
	for _, r := range s.Requests() {
		if r.Embedding != nil {
			out = append(out, *r.Embedding)
		}
	}
	return out
}

// ClearRequests forgets the requests recorded so far.
func (s *Server) ClearRequests() { s.mu.Lock(); s.requests = nil; s.mu.Unlock() }

// record stores a request and returns a function that updates it.
func (s *Server) record(r Request) func(func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.requests)
	s.requests = append(s.requests, r)
	return func(f func(*Request)) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if i < len(s.requests) { // ClearRequests may have run meanwhile
			f(&s.requests[i])
		}
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	update := s.record(Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	fail := func(e *Error) {
		update(func(q *Request) { q.Status = e.Status })
		writeError(w, e)
	}
	if err != nil {
		fail(errorFor(http.StatusRequestEntityTooLarge, "the request body is too large"))
		return
	}

	route := r.Method + " " + r.URL.Path
	switch r.URL.Path {
	case "/v1/chat/completions", "/v1/embeddings", "/v1/models":
	default:
		fail(&Error{Status: 404, Type: "invalid_request_error", Message: "unknown URL " + route})
		return
	}

	s.mu.Lock()
	key := s.key
	var injected *Error
	if s.failLeft > 0 {
		s.failLeft--
		injected = s.failWith
	}
	s.mu.Unlock()

	if key != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case !ok || got == "":
			fail(&Error{Status: 401, Type: "invalid_request_error",
				Message: "No API key was sent. Send it in the Authorization header as 'Bearer KEY'."})
			return
		case got != key:
			fail(&Error{Status: 401, Type: "invalid_request_error", Code: "invalid_api_key",
				Message: "Incorrect API key provided: " + mask(got) + "."})
			return
		}
	}
	if injected != nil {
		fail(injected)
		return
	}
	switch route {
	case "POST /v1/chat/completions":
		s.chat(r.Context(), w, body, update, fail)
	case "POST /v1/embeddings":
		s.embeddings(r.Context(), w, body, update, fail)
	case "GET /v1/models":
		s.listModels(w, update)
	default:
		fail(&Error{Status: 405, Type: "invalid_request_error", Message: r.Method + " is not allowed on " + r.URL.Path})
	}
}

// mask shows a key the way OpenAI does: a few characters at each end.
func mask(key string) string {
	if len(key) <= 8 {
		return "****"
	}
	return key[:3] + "****" + key[len(key)-4:]
}

// wait sleeps for the configured delay; false means the client gave up.
func (s *Server) wait(ctx context.Context, update func(func(*Request))) bool {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-ctx.Done():
		update(func(q *Request) { q.Status = 499 }) // nginx's "client closed request"
		return false
	}
}

func (s *Server) nextID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%s-llmtest%d", prefix, s.seq)
}

// wireChat is the part of the chat request body the server reads.
type wireChat struct {
	Model         string            `json:"model"`
	Messages      []json.RawMessage `json:"messages"`
	Stream        bool              `json:"stream"`
	Temperature   *float64          `json:"temperature"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// decodeMessage reads a message whose content is a string or a list of
// typed parts (the newer OpenAI form).
func decodeMessage(raw json.RawMessage) (Message, error) {
	var m struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Message{}, err
	}
	out := Message{Role: m.Role}
	if len(m.Content) == 0 || string(m.Content) == "null" {
		return out, nil
	}
	if err := json.Unmarshal(m.Content, &out.Content); err == nil {
		return out, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return Message{}, errors.New("content must be a string or a list of parts")
	}
	for _, p := range parts {
		if p.Type == "text" {
			out.Content += p.Text
		}
	}
	return out, nil
}

func (s *Server) chat(ctx context.Context, w http.ResponseWriter, body []byte, update func(func(*Request)), fail func(*Error)) {
	var wc wireChat
	if err := json.Unmarshal(body, &wc); err != nil {
		fail(errorFor(400, "We could not parse the JSON body of your request: "+err.Error()))
		return
	}
	if wc.Model == "" {
		fail(errorFor(400, "you must provide a model parameter"))
		return
	}
	if len(wc.Messages) == 0 {
		fail(errorFor(400, "'messages' must contain at least one message"))
		return
	}
	req := ChatRequest{Model: wc.Model, Stream: wc.Stream, Temperature: wc.Temperature}
	for i, raw := range wc.Messages {
		m, err := decodeMessage(raw)
		if err != nil {
			fail(errorFor(400, fmt.Sprintf("messages[%d]: %v", i, err)))
			return
		}
		req.Messages = append(req.Messages, m)
	}
	update(func(q *Request) { q.Chat = &req })
	if !s.wait(ctx, update) {
		return
	}

	s.mu.Lock()
	reply, chunkDelay, breakAfter, breakMsg := s.reply, s.chunkDelay, s.breakAfter, s.breakMsg
	s.mu.Unlock()
	if reply == nil {
		reply = DefaultReply
	}
	text, err := reply(req)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = errorFor(500, err.Error())
		}
		fail(e)
		return
	}

	id, created := s.nextID("chatcmpl"), time.Now().Unix()
	usage := map[string]int{"prompt_tokens": countTokens(req), "completion_tokens": len(strings.Fields(text))}
	usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
	if !wc.Stream {
		update(func(q *Request) { q.Status = 200 })
		writeJSON(w, 200, map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": wc.Model,
			"system_fingerprint": "fp_llmtest",
			"choices": []any{map[string]any{
				"index":         0,
				"message":       map[string]any{"role": "assistant", "content": text, "refusal": nil},
				"logprobs":      nil,
				"finish_reason": "stop",
			}},
			"usage": usage,
		})
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(200)
	update(func(q *Request) { q.Status = 200 })
	flusher, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": wc.Model,
			"system_fingerprint": "fp_llmtest",
			"choices":            []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
		}
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for i, piece := range Pieces(text) {
		if i == breakAfter {
			if breakMsg == "" {
				panic(http.ErrAbortHandler) // drop the connection mid-stream
			}
			send(map[string]any{"error": errorBody(errorFor(500, breakMsg))})
			return
		}
		if chunkDelay > 0 && i > 0 {
			select {
			case <-time.After(chunkDelay):
			case <-ctx.Done():
				return
			}
		}
		send(chunk(map[string]any{"content": piece}, nil))
		update(func(q *Request) { q.Chunks = append(q.Chunks, piece) })
	}
	send(chunk(map[string]any{}, "stop"))
	if wc.StreamOptions != nil && wc.StreamOptions.IncludeUsage {
		send(map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": wc.Model,
			"choices": []any{}, "usage": usage,
		})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

var pieceRE = regexp.MustCompile(`\s+|\S+\s*`)

// Pieces splits a reply into the chunks the server streams: one word with
// its trailing space each. Joined, they give back the reply exactly.
func Pieces(text string) []string { return pieceRE.FindAllString(text, -1) }

func countTokens(req ChatRequest) int {
	n := 0
	for _, m := range req.Messages {
		n += len(strings.Fields(m.Content)) + 3
	}
	return n
}

var firstSourceRE = regexp.MustCompile(`(?m)^\[1\][^\n]*\n([^\n]+)`)
var sentenceEndRE = regexp.MustCompile(`[.!?](\s|$)`)

// DefaultReply answers with the first sentence of source [1], citing it,
// or, when there is no [1], declines as Bothy's prompt asks a model to
// (llm.NotCovered, spelt out: llm's own tests import this package).
func DefaultReply(req ChatRequest) (string, error) {
	m := firstSourceRE.FindStringSubmatch(req.LastUser())
	if m == nil {
		return "NOT_COVERED", nil
	}
	first := strings.TrimSpace(m[1])
	if loc := sentenceEndRE.FindStringIndex(first); loc != nil {
		first = first[:loc[0]]
	}
	return first + " [1].", nil
}

type wireEmbed struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
}

func (s *Server) embeddings(ctx context.Context, w http.ResponseWriter, body []byte, update func(func(*Request)), fail func(*Error)) {
	var we wireEmbed
	if err := json.Unmarshal(body, &we); err != nil {
		fail(errorFor(400, "We could not parse the JSON body of your request: "+err.Error()))
		return
	}
	if we.Model == "" {
		fail(errorFor(400, "you must provide a model parameter"))
		return
	}
	var inputs []string
	var one string
	if err := json.Unmarshal(we.Input, &one); err == nil {
		inputs = []string{one}
	} else if err := json.Unmarshal(we.Input, &inputs); err != nil {
		fail(errorFor(400, "'input' must be a string or a list of strings (token input is not supported here)"))
		return
	}
	switch {
	case len(inputs) == 0:
		fail(errorFor(400, "'input' must not be empty"))
		return
	case len(inputs) > 2048:
		fail(errorFor(400, "'input' may hold at most 2048 items"))
		return
	}
	for i, in := range inputs {
		if in == "" {
			fail(errorFor(400, fmt.Sprintf("'input[%d]' must not be an empty string", i)))
			return
		}
	}
	if we.EncodingFormat != "" && we.EncodingFormat != "float" && we.EncodingFormat != "base64" {
		fail(errorFor(400, "'encoding_format' must be float or base64"))
		return
	}
	req := EmbeddingRequest{Model: we.Model, Input: inputs, EncodingFormat: we.EncodingFormat}
	update(func(q *Request) { q.Embedding = &req })
	if !s.wait(ctx, update) {
		return
	}
	update(func(q *Request) { q.Status = 200 })

	data := make([]any, len(inputs))
	tokens := 0
	for i, in := range inputs {
		tokens += len(strings.Fields(in))
		var vec any = Embed(in)
		if we.EncodingFormat == "base64" {
			var buf bytes.Buffer
			for _, x := range Embed(in) {
				_ = binary.Write(&buf, binary.LittleEndian, math.Float32bits(x))
			}
			vec = base64.StdEncoding.EncodeToString(buf.Bytes())
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": vec}
	}
	writeJSON(w, 200, map[string]any{
		"object": "list", "data": data, "model": we.Model,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}

func (s *Server) listModels(w http.ResponseWriter, update func(func(*Request))) {
	s.mu.Lock()
	names := append([]string(nil), s.models...)
	s.mu.Unlock()
	data := make([]any, len(names))
	for i, n := range names {
		data[i] = map[string]any{"id": n, "object": "model", "created": 1700000000, "owned_by": "llmtest"}
	}
	update(func(q *Request) { q.Status = 200 })
	writeJSON(w, 200, map[string]any{"object": "list", "data": data})
}

// errorFor gives an error the type and code OpenAI uses for that status.
func errorFor(status int, message string) *Error {
	e := &Error{Status: status, Type: "invalid_request_error", Message: message}
	switch {
	case status == 401:
		e.Code = "invalid_api_key"
	case status == 404:
		e.Code = "model_not_found"
	case status == 429:
		e.Type, e.Code = "requests", "rate_limit_exceeded"
	case status >= 500:
		e.Type = "server_error"
	}
	return e
}

func errorBody(e *Error) map[string]any {
	var code any
	if e.Code != "" {
		code = e.Code
	}
	return map[string]any{"message": e.Message, "type": e.Type, "param": nil, "code": code}
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, map[string]any{"error": errorBody(e)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

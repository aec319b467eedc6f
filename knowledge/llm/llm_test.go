package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/metrics"
	"github.com/bothy-chat/bothy/knowledge/llm/llmtest"
)

const testKey = "sk-bothy-test-4f1c9a7e2b"

var sources = []Passage{
	{N: 1, Title: "When IT blocks social media", Text: "Ask IT for a documented exception for the comms team. Explain the business need."},
	{N: 2, Title: "Personal devices", Text: "Only post from a personal phone if your policy allows it."},
	{N: 3, Title: "Records and FOI", Text: "Posts and direct messages can be requested under FOI."},
}

// newClient starts a fake endpoint and a client pointed at it, logging
// into the returned buffer.
func newClient(t *testing.T, timeout time.Duration) (*Client, *llmtest.Server, *bytes.Buffer) {
	t.Helper()
	srv := llmtest.New(t)
	srv.RequireKey(testKey)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := New(Config{
		BaseURL: srv.URL, APIKey: testKey, Model: llmtest.ChatModel,
		EmbeddingsModel: llmtest.EmbeddingModel, Timeout: timeout, Metrics: testMetrics,
	}, log)
	return c, srv, &logs
}

// testMetrics counts every test client's calls; tests compare before and
// after.
var testMetrics = metrics.New()

func counter(kind, result string) float64 {
	v, _ := testMetrics.Value("bothy_llm_calls_total", map[string]string{"kind": kind, "result": result})
	return v
}

func TestAnswerKeepsValidCitationsAndRemovesInvalid(t *testing.T) {
	c, srv, _ := newClient(t, 10*time.Second)
	srv.SetReply(func(llmtest.ChatRequest) (string, error) {
		return "Ask IT for a documented exception [1][7]. Post from a personal phone only if policy allows [2, 9]. Keep records [3] [12].", nil
	})
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			var onDelta func(string)
			if stream {
				onDelta = func(string) {}
			}
			okBefore := counter("chat", "ok")
			got, err := c.Answer(context.Background(), "IT have blocked Twitter, what do I do?", sources, onDelta)
			if err != nil {
				t.Fatal(err)
			}
			want := "Ask IT for a documented exception [1]. Post from a personal phone only if policy allows [2]. Keep records [3]."
			if got != want {
				t.Errorf("answer\n got %q\nwant %q", got, want)
			}
			for _, n := range Citations(got) {
				if n < 1 || n > len(sources) {
					t.Errorf("citation [%d] survived", n)
				}
			}
			if d := counter("chat", "ok") - okBefore; d != 1 {
				t.Errorf("chat ok counter rose by %v, want 1", d)
			}
		})
	}
}

func TestAnswerPromptCarriesSourcesAndQuestion(t *testing.T) {
	c, srv, _ := newClient(t, 10*time.Second)
	question := "Can the council account retweet a councillor during purdah?"
	srcs := []Passage{
		{N: 1, Title: "Pre-election periods", Text: "During the pre-election period, do not share content from candidates."},
		{N: 4, Title: "Elected members", Text: "Councillors' own accounts are theirs, not the council's."},
	}
	srv.SetReply(func(r llmtest.ChatRequest) (string, error) {
		return "No: do not share candidates' posts [1]. Their accounts are their own [4][2].", nil
	})
	got, err := c.Answer(context.Background(), question, srcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	// [4] is a given source even though it is not the fourth in the list.
	if want := "No: do not share candidates' posts [1]. Their accounts are their own [4]."; got != want {
		t.Errorf("answer %q, want %q", got, want)
	}

	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/chat/completions" || reqs[0].Method != http.MethodPost {
		t.Fatalf("requests = %+v", reqs)
	}
	chat := reqs[0].Chat
	if chat == nil || chat.Model != llmtest.ChatModel || chat.Stream {
		t.Fatalf("chat request = %+v", chat)
	}
	if len(chat.Messages) != 2 || chat.Messages[0].Role != "system" || chat.Messages[1].Role != "user" {
		t.Fatalf("messages = %+v", chat.Messages)
	}
	for _, want := range []string{"only", "[1]", "do not answer", "exactly " + NotCovered, "UK English", "brief and practical"} {
		if !strings.Contains(chat.System(), want) {
			t.Errorf("system prompt lacks %q:\n%s", want, chat.System())
		}
	}
	user := chat.LastUser()
	for _, want := range []string{
		"[1] Pre-election periods\nDuring the pre-election period, do not share content from candidates.",
		"[4] Elected members\nCouncillors' own accounts are theirs, not the council's.",
		"Question: " + question,
	} {
		if !strings.Contains(user, want) {
			t.Errorf("user message lacks %q:\n%s", want, user)
		}
	}
	if strings.Index(user, "[1] Pre-election") > strings.Index(user, "Question:") {
		t.Error("sources should come before the question")
	}
}

func TestAnswerNumbersSourcesWithoutN(t *testing.T) {
	c, srv, _ := newClient(t, 10*time.Second)
	got, err := c.Answer(context.Background(), "What about FOI?", []Passage{
		{Title: "Records", Text: "Keep records of posts. They can be requested."},
		{Title: "Other", Text: "Something else."},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != "Keep records of posts [1]." { // llmtest's default reply
		t.Errorf("answer %q", got)
	}
	if user := srv.ChatRequests()[0].LastUser(); !strings.Contains(user, "[2] Other\n") {
		t.Errorf("second source not numbered 2:\n%s", user)
	}
}

func TestAnswerStreamsDeltasInOrder(t *testing.T) {
	c, srv, _ := newClient(t, 10*time.Second)
	reply := strings.Repeat("Ask IT for a documented exception for the comms team [1]. ", 6) +
		"Keep a record of what you post [3]."
	srv.SetReply(func(llmtest.ChatRequest) (string, error) { return reply, nil })

	var deltas []string
	got, err := c.Answer(context.Background(), "IT blocked Facebook", sources, func(p string) {
		deltas = append(deltas, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Chat == nil || !reqs[0].Chat.Stream {
		t.Fatalf("want one streaming request, got %+v", reqs)
	}
	if ct := reqs[0].Status; ct != 200 {
		t.Fatalf("status %d", ct)
	}
	chunks := reqs[0].Chunks
	if len(chunks) < 20 {
		t.Fatalf("server streamed only %d chunks", len(chunks))
	}
	joined := strings.TrimSpace(strings.Join(chunks, ""))
	if got != joined {
		t.Errorf("answer %q\nwant the streamed text %q", got, joined)
	}
	if len(deltas) < 2 {
		t.Fatalf("want several deltas, got %d", len(deltas))
	}
	if len(deltas) >= len(chunks) {
		t.Errorf("deltas were not throttled: %d deltas for %d chunks", len(deltas), len(chunks))
	}
	for i := 1; i < len(deltas); i++ {
		if !strings.HasPrefix(deltas[i], deltas[i-1]) || deltas[i] == deltas[i-1] {
			t.Errorf("delta %d does not extend delta %d:\n%q\n%q", i, i-1, deltas[i-1], deltas[i])
		}
	}
	if last := deltas[len(deltas)-1]; last != joined {
		t.Errorf("final delta %q, want %q", last, joined)
	}
}

func TestAnswerStreamsSlowTextByTime(t *testing.T) {
	// Short pieces that arrive slowly still show up: the 300ms rule, not
	// the 80-character one, releases them.
	c, srv, _ := newClient(t, 10*time.Second)
	srv.SetReply(func(llmtest.ChatRequest) (string, error) { return "Alpha beta gamma [1].", nil })
	srv.SetChunkDelay(350 * time.Millisecond)
	var deltas []string
	got, err := c.Answer(context.Background(), "q", sources, func(p string) { deltas = append(deltas, p) })
	if err != nil {
		t.Fatal(err)
	}
	n := len(deltas)
	if n < 3 || deltas[n-3] != "Alpha beta" || deltas[n-2] != "Alpha beta gamma" || deltas[n-1] != got || got != "Alpha beta gamma [1]." {
		t.Fatalf("deltas %q, answer %q", deltas, got)
	}
}

func TestAnswerTimesOut(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			c, srv, _ := newClient(t, 100*time.Millisecond)
			const serverDelay = time.Minute
			srv.SetDelay(serverDelay)
			var onDelta func(string)
			if stream {
				onDelta = func(string) { t.Error("no text should arrive") }
			}
			before := counter("chat", "timeout")
			start := time.Now()
			_, err := c.Answer(context.Background(), "Anything?", sources, onDelta)
			if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want ErrTimeout", err)
			}
			// It gave up at its own deadline, long before the server replied.
			if took := time.Since(start); took >= serverDelay/2 {
				t.Errorf("took %s", took)
			}
			if d := counter("chat", "timeout") - before; d != 1 {
				t.Errorf("timeout counter rose by %v, want 1", d)
			}
		})
	}
}

func TestAnswerStreamTimesOutMidway(t *testing.T) {
	c, srv, _ := newClient(t, 300*time.Millisecond)
	srv.SetChunkDelay(time.Minute)
	srv.SetReply(func(llmtest.ChatRequest) (string, error) { return "First words then a long wait [1].", nil })
	_, err := c.Answer(context.Background(), "Anything?", sources, func(string) {})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

func TestAnswerSurfacesErrorBodies(t *testing.T) {
	tests := []struct {
		status   int
		message  string
		code     string
		typ      string
		retryish bool
	}{
		{401, "Incorrect API key provided: sk-****abcd.", "invalid_api_key", "invalid_request_error", false},
		{429, "Rate limit reached for requests. Try again in 2s.", "rate_limit_exceeded", "requests", true},
		{500, "The server had an error while processing your request.", "", "server_error", true},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/stream=%v", tt.status, stream), func(t *testing.T) {
				c, srv, _ := newClient(t, 10*time.Second)
				srv.FailNext(1, tt.status, tt.message)
				var onDelta func(string)
				if stream {
					onDelta = func(string) {}
				}
				before := counter("chat", "error")
				_, err := c.Answer(context.Background(), "Anything?", sources, onDelta)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v (%T), want *APIError", err, err)
				}
				if apiErr.StatusCode != tt.status || apiErr.Message != tt.message || apiErr.Code != tt.code || apiErr.Type != tt.typ {
					t.Errorf("APIError = %+v", apiErr)
				}
				if apiErr.retryable() != tt.retryish {
					t.Errorf("retryable = %v", apiErr.retryable())
				}
				if !strings.Contains(err.Error(), tt.message) || !strings.HasPrefix(err.Error(), "llm: chat: ") {
					t.Errorf("error text %q", err)
				}
				if errors.Is(err, ErrTimeout) {
					t.Error("an HTTP error is not a timeout")
				}
				if d := counter("chat", "error") - before; d != 1 {
					t.Errorf("error counter rose by %v, want 1", d)
				}
				if n := len(srv.Requests()); n != 1 {
					t.Errorf("chat should not retry: %d requests", n)
				}
			})
		}
	}
}

func TestAnswerWrongKeyIsRejected(t *testing.T) {
	c, srv, _ := newClient(t, 10*time.Second)
	srv.RequireKey("sk-a-different-key-9999")
	_, err := c.Answer(context.Background(), "Anything?", sources, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !strings.HasPrefix(apiErr.Message, "Incorrect API key provided") {
		t.Fatalf("err = %v", err)
	}
}

func TestAnswerStreamBreaks(t *testing.T) {
	t.Run("connection dropped", func(t *testing.T) {
		c, srv, _ := newClient(t, 10*time.Second)
		srv.BreakStreamAfter(3, "")
		_, err := c.Answer(context.Background(), "Anything?", sources, func(string) {})
		if err == nil || errors.Is(err, ErrTimeout) {
			t.Fatalf("err = %v, want a broken-stream error", err)
		}
	})
	t.Run("error event", func(t *testing.T) {
		c, srv, _ := newClient(t, 10*time.Second)
		srv.BreakStreamAfter(2, "The model is overloaded.")
		_, err := c.Answer(context.Background(), "Anything?", sources, func(string) {})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Message != "The model is overloaded." {
			t.Fatalf("err = %v, want the in-stream error message", err)
		}
	})
}

func TestAnswerEmpty(t *testing.T) {
	for _, reply := range []string{"", "   \n", "<think>the sources say little</think>", "[7]"} {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%q/stream=%v", reply, stream), func(t *testing.T) {
				c, srv, _ := newClient(t, 10*time.Second)
				srv.SetReply(func(llmtest.ChatRequest) (string, error) { return reply, nil })
				var onDelta func(string)
				if stream {
					onDelta = func(p string) { t.Errorf("unexpected delta %q", p) }
				}
				_, err := c.Answer(context.Background(), "Anything?", sources, onDelta)
				if !errors.Is(err, ErrEmptyAnswer) {
					t.Fatalf("err = %v, want ErrEmptyAnswer", err)
				}
			})
		}
	}
}

// TestAnswerNotCovered checks that the model's refusal comes back as
// ErrNotCovered in the shapes small models give it, that none of it is
// streamed, and that an answer merely opening with "Not covered" is kept.
func TestAnswerNotCovered(t *testing.T) {
	long := NotCovered + "\n\nThe sources are about IT blocking social media and personal devices; none of them says how to renew a passport."
	for _, tc := range []struct {
		reply    string
		declined bool
	}{
		{NotCovered, true},
		{"not_covered", true},
		{"**" + NotCovered + "**", true},
		{"`" + NotCovered + "`.", true},
		{"<think>Nothing here is about passports.</think>\n" + NotCovered, true},
		{long, true},
		{"Not covered by the usual rules: only post from a personal phone if your policy allows it [2].", false},
	} {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%.30q/stream=%v", tc.reply, stream), func(t *testing.T) {
				c, srv, _ := newClient(t, 10*time.Second)
				srv.SetReply(func(llmtest.ChatRequest) (string, error) { return tc.reply, nil })
				var deltas []string
				var onDelta func(string)
				if stream {
					onDelta = func(p string) { deltas = append(deltas, p) }
				}
				before := counter("chat", "not_covered")
				got, err := c.Answer(context.Background(), "How do I renew my passport?", sources, onDelta)
				if !tc.declined {
					if err != nil || !strings.HasPrefix(got, "Not covered by") {
						t.Fatalf("answer %q, %v; want it kept", got, err)
					}
					if stream && len(deltas) == 0 {
						t.Errorf("an answer was not streamed")
					}
					return
				}
				if !errors.Is(err, ErrNotCovered) || got != "" {
					t.Fatalf("answer %q, err %v; want ErrNotCovered", got, err)
				}
				if len(deltas) > 0 {
					t.Errorf("the refusal was streamed: %q", deltas)
				}
				if after := counter("chat", "not_covered"); after != before+1 {
					t.Errorf("not_covered counter %v -> %v, want +1", before, after)
				}
			})
		}
	}
}

func TestAnswerWithoutModel(t *testing.T) {
	c := New(Config{BaseURL: "http://127.0.0.1:1"}, nil)
	if _, err := c.Answer(context.Background(), "q", sources, nil); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("err = %v", err)
	}
}

func TestAnswerUnreachable(t *testing.T) {
	// A port nothing listens on: the transport error is returned, not hidden.
	l := httptest.NewServer(http.NotFoundHandler())
	url := l.URL
	l.Close()
	c := New(Config{BaseURL: url, Model: "m", Timeout: 5 * time.Second}, nil)
	_, err := c.Answer(context.Background(), "q", sources, nil)
	var apiErr *APIError
	if err == nil || errors.As(err, &apiErr) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want a connection error", err)
	}
}

func TestEmbedBatchesAndKeepsOrder(t *testing.T) {
	c, srv, _ := newClient(t, 10*time.Second)
	if !c.CanEmbed() {
		t.Fatal("CanEmbed = false with an embeddings model set")
	}
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = fmt.Sprintf("passage %d about crisis posting and severe weather number%d", i, i)
	}
	texts[10] = "" // empty text still gets a slot
	vecs, err := c.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		if len(v) != llmtest.Dims {
			t.Fatalf("vector %d has %d dims", i, len(v))
		}
		if want := llmtest.Embed(texts[i]); i != 10 && llmtest.Cosine(v, want) < 0.9999 {
			t.Fatalf("vector %d is not the one for its text", i)
		}
	}
	var sizes []int
	for _, r := range srv.EmbeddingRequests() {
		sizes = append(sizes, len(r.Input))
		if r.Model != llmtest.EmbeddingModel {
			t.Errorf("model %q", r.Model)
		}
	}
	if fmt.Sprint(sizes) != "[64 64 22]" {
		t.Errorf("batch sizes %v, want [64 64 22]", sizes)
	}
}

func TestEmbedNotConfigured(t *testing.T) {
	c := New(Config{BaseURL: "http://127.0.0.1:1", Model: "m"}, nil)
	if c.CanEmbed() {
		t.Error("CanEmbed = true without an embeddings model")
	}
	if _, err := c.Embed(context.Background(), []string{"x"}); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("err = %v", err)
	}
}

func TestEmbedRetriesRateLimits(t *testing.T) {
	saved := retryDelays
	retryDelays = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(func() { retryDelays = saved })

	t.Run("recovers", func(t *testing.T) {
		c, srv, _ := newClient(t, 10*time.Second)
		srv.FailNext(1, 429, "Rate limit reached.")
		vecs, err := c.Embed(context.Background(), []string{"a moderation policy", "abusive comments"})
		if err != nil || len(vecs) != 2 {
			t.Fatalf("vecs %d, err %v", len(vecs), err)
		}
		if n := len(srv.Requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("gives up", func(t *testing.T) {
		c, srv, _ := newClient(t, 10*time.Second)
		srv.FailNext(10, 500, "Internal failure.")
		_, err := c.Embed(context.Background(), []string{"x"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Message != "Internal failure." {
			t.Fatalf("err = %v", err)
		}
		if n := len(srv.Requests()); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
	})
	t.Run("auth errors are not retried", func(t *testing.T) {
		c, srv, _ := newClient(t, 10*time.Second)
		srv.FailNext(10, 401, "Bad key.")
		if _, err := c.Embed(context.Background(), []string{"x"}); err == nil {
			t.Fatal("want an error")
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

func TestEmbedRejectsWrongCount(t *testing.T) {
	// A server that answers two texts with one vector.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"object": "list", "model": "m",
			"data": []any{map[string]any{"object": "embedding", "index": 0, "embedding": []float32{1, 0}}},
		})
	}))
	t.Cleanup(srv.Close)
	c := New(Config{BaseURL: srv.URL, EmbeddingsModel: "m", Metrics: testMetrics}, nil)
	before := counter("embeddings", "error")
	_, err := c.Embed(context.Background(), []string{"one", "two"})
	if err == nil || !strings.Contains(err.Error(), "asked for 2 vectors, got 1") {
		t.Fatalf("err = %v", err)
	}
	if d := counter("embeddings", "error") - before; d != 1 {
		t.Errorf("error counter rose by %v", d)
	}
}

func TestEmbedTimesOut(t *testing.T) {
	c, srv, _ := newClient(t, 100*time.Millisecond)
	srv.SetDelay(time.Minute)
	before := counter("embeddings", "timeout")
	if _, err := c.Embed(context.Background(), []string{"x"}); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if d := counter("embeddings", "timeout") - before; d != 1 {
		t.Errorf("timeout counter rose by %v", d)
	}
}

func TestAPIKeySentAsBearerAndNeverLogged(t *testing.T) {
	c, srv, logs := newClient(t, 10*time.Second)
	ctx := context.Background()
	if _, err := c.Answer(ctx, "What is FOI?", sources, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Embed(ctx, []string{"records"}); err != nil {
		t.Fatal(err)
	}
	// A server that echoes the whole key back in its error message.
	srv.FailNext(1, 401, "Key "+testKey+" is not valid here.")
	_, err := c.Answer(ctx, "What is FOI?", sources, func(string) {})
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error text shows the key: %v", err)
	}
	c.log.Info("config", "cfg", c.cfg) // as a careless caller might

	for _, r := range srv.Requests() {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
			t.Errorf("%s: Authorization = %q", r.Path, got)
		}
	}
	out := logs.String()
	if strings.Contains(out, testKey) || strings.Contains(out, "4f1c9a7e2b") {
		t.Errorf("logs contain the API key:\n%s", out)
	}
	if !strings.Contains(out, `"component":"llm"`) || !strings.Contains(out, "[redacted]") {
		t.Errorf("logs lack the component or the redaction marker:\n%s", out)
	}
	if s := fmt.Sprint(c.cfg) + fmt.Sprintf("%+v", c.cfg); strings.Contains(s, testKey) {
		t.Errorf("Config formats with its key: %s", s)
	}
}

func TestBaseURLWithoutV1Works(t *testing.T) {
	srv := llmtest.New(t)
	c := New(Config{BaseURL: strings.TrimSuffix(srv.URL, "/v1"), Model: llmtest.ChatModel}, nil)
	if _, err := c.Answer(context.Background(), "What is FOI?", sources, nil); err != nil {
		t.Fatal(err)
	}
	if srv.Requests()[0].Path != "/v1/chat/completions" {
		t.Errorf("path %q", srv.Requests()[0].Path)
	}
}

// Package llm is Bothy's client for an OpenAI-compatible endpoint: OpenAI
// itself, Ollama, llama.cpp server or vLLM, chosen by base URL. It writes
// grounded, cited answers from retrieved passages and computes embeddings
// for vector search. The SDK (go-openai) stays behind the private endpoint
// interface in sdk.go, so callers only see this package's types and errors.
package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config says where the endpoint is and which models to use.
type Config struct {
	// BaseURL of the OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1
	// for Ollama. A URL with no path gets /v1 added.
	BaseURL string
	// APIKey is sent as a Bearer token when set. It is never logged.
	APIKey string
	// Model writes answers (chat completions).
	Model string
	// EmbeddingsModel computes vectors; empty means no vector search.
	EmbeddingsModel string
	// Timeout bounds one Answer call, or one embeddings request. Zero
	// means no limit beyond the caller's context.
	Timeout time.Duration
	// Metrics counts calls; nil counts nothing.
	Metrics CallObserver
}

// CallObserver counts calls to the endpoint by kind (chat, embeddings)
// and result (ok, error, timeout); *metrics.Metrics is one.
type CallObserver interface {
	LLMCall(kind, result string)
}

type nopObserver struct{}

func (nopObserver) LLMCall(string, string) {}

// String describes the config with the API key redacted, so printing a
// Config by mistake cannot leak it.
func (c Config) String() string {
	return fmt.Sprintf("llm.Config{BaseURL:%q Model:%q EmbeddingsModel:%q Timeout:%s APIKey:%s}",
		redactURL(c.BaseURL), c.Model, c.EmbeddingsModel, c.Timeout, keyState(c.APIKey))
}

// LogValue keeps the API key out of logs even if a Config is logged whole.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", redactURL(c.BaseURL)),
		slog.String("model", c.Model),
		slog.String("embeddings_model", c.EmbeddingsModel),
		slog.Duration("timeout", c.Timeout),
		slog.String("api_key", keyState(c.APIKey)),
	)
}

func keyState(key string) string {
	if key == "" {
		return "unset"
	}
	return "[redacted]"
}

// redactURL hides any user:password in a base URL before it is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparseable url]"
	}
	return u.Redacted()
}

// Errors the caller can test with errors.Is to decide how to fall back.
var (
	// ErrTimeout: the call ran past Config.Timeout (or the caller's deadline).
	ErrTimeout = errors.New("timed out")
	// ErrEmptyAnswer: the model replied with nothing usable.
	ErrEmptyAnswer = errors.New("the model returned an empty answer")
	// ErrNotConfigured: no model is set for what was asked.
	ErrNotConfigured = errors.New("no model configured")
	// ErrNotCovered: the model read the sources and said they do not
	// answer the question (it replied NotCovered).
	ErrNotCovered = errors.New("the sources do not answer the question")
)

// APIError is an HTTP error from the endpoint, carrying the endpoint's own
// message (OpenAI's {"error":{"message":...}} body). Use errors.As.
type APIError struct {
	// StatusCode is the HTTP status; 0 when the error arrived inside a stream.
	StatusCode int
	// Type and Code are the endpoint's error type and code, when given.
	Type, Code string
	// Message is the endpoint's message, with the API key blanked out.
	Message string
	err     error
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("endpoint returned ")
	if e.StatusCode > 0 {
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	} else {
		b.WriteString("an error")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	return b.String()
}

// Unwrap gives the SDK's error, for logging detail.
func (e *APIError) Unwrap() error { return e.err }

// retryable says whether trying again later may help (rate limits and
// server errors).
func (e *APIError) retryable() bool {
	return e.StatusCode == 429 || e.StatusCode >= 500
}

// Client talks to one endpoint. It is safe for concurrent use.
type Client struct {
	cfg Config
	ep  endpoint
	log *slog.Logger
}

// New builds a client. It does not contact the endpoint.
func New(cfg Config, log *slog.Logger) *Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.BaseURL = normaliseBaseURL(cfg.BaseURL)
	if cfg.Metrics == nil {
		cfg.Metrics = nopObserver{}
	}
	c := &Client{
		cfg: cfg,
		ep:  newSDKEndpoint(cfg.BaseURL, cfg.APIKey),
		log: log.With("component", "llm"),
	}
	c.log.Debug("llm client ready", "config", cfg)
	return c
}

// normaliseBaseURL lets people paste the server's address as they know it
// (http://localhost:11434) and still reach the /v1 API that go-openai
// expects. A URL that already has a path is kept as given.
func normaliseBaseURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return DefaultBaseURL
	}
	raw = strings.TrimRight(raw, "/")
	u, err := url.Parse(raw)
	if err == nil && u.Scheme != "" && u.Host != "" && u.Path == "" {
		return raw + "/v1"
	}
	return raw
}

// CanEmbed reports whether an embeddings model is configured.
func (c *Client) CanEmbed() bool { return c.cfg.EmbeddingsModel != "" }

// Model is the chat model answers come from, for display and logs.
func (c *Client) Model() string { return c.cfg.Model }

// withTimeout applies Config.Timeout to one call.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.cfg.Timeout > 0 {
		return context.WithTimeout(ctx, c.cfg.Timeout)
	}
	return context.WithCancel(ctx)
}

// classify turns a failed call into the error the caller sees and the
// metrics result label. ctx is the call's own (timed) context.
func (c *Client) classify(ctx context.Context, kind string, started time.Time, err error) (error, string) {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		took := time.Since(started).Round(time.Millisecond)
		return fmt.Errorf("llm: %s: %w after %s (%w)", kind, ErrTimeout, took, context.DeadlineExceeded), "timeout"
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("llm: %s: %w", kind, apiErr), "error"
	}
	return fmt.Errorf("llm: %s: %w", kind, err), "error"
}

func (c *Client) count(kind, result string) { c.cfg.Metrics.LLMCall(kind, result) }

package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// message is one chat turn.
type message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// chatRequest is what Answer asks of the endpoint.
type chatRequest struct {
	Model       string
	Messages    []message
	Temperature float32 // 0 leaves the server's default
}

// endpoint is all Client needs from an OpenAI-compatible API. Only this
// file knows about go-openai; errors come back as *APIError where the
// endpoint sent one.
type endpoint interface {
	chat(ctx context.Context, req chatRequest) (string, error)
	// chatStream calls onText with each new piece of text, in order.
	chatStream(ctx context.Context, req chatRequest, onText func(piece string)) error
	embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// sdkEndpoint is the endpoint implemented with go-openai.
type sdkEndpoint struct {
	c   *openai.Client
	key string // only to blank it out of error messages
}

func newSDKEndpoint(baseURL, apiKey string) *sdkEndpoint {
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = baseURL
	// No client-wide timeout: each call's context carries Config.Timeout,
	// and a streaming answer must not be cut by a fixed limit.
	cfg.HTTPClient = &http.Client{}
	return &sdkEndpoint{c: openai.NewClientWithConfig(cfg), key: apiKey}
}

func (e *sdkEndpoint) request(req chatRequest) openai.ChatCompletionRequest {
	msgs := make([]openai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	return openai.ChatCompletionRequest{Model: req.Model, Messages: msgs, Temperature: req.Temperature}
}

func (e *sdkEndpoint) chat(ctx context.Context, req chatRequest) (string, error) {
	resp, err := e.c.CreateChatCompletion(ctx, e.request(req))
	if err != nil {
		return "", e.convert(err)
	}
	if len(resp.Choices) == 0 {
		return "", nil
	}
	return resp.Choices[0].Message.Content, nil
}

func (e *sdkEndpoint) chatStream(ctx context.Context, req chatRequest, onText func(string)) error {
	stream, err := e.c.CreateChatCompletionStream(ctx, e.request(req))
	if err != nil {
		return e.convert(err)
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return e.convert(err)
		}
		for _, ch := range chunk.Choices {
			if ch.Index == 0 && ch.Delta.Content != "" {
				onText(ch.Delta.Content)
			}
		}
	}
}

func (e *sdkEndpoint) embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	resp, err := e.c.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: texts, Model: openai.EmbeddingModel(model),
	})
	if err != nil {
		return nil, e.convert(err)
	}
	out := make([][]float32, len(texts))
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("asked for %d vectors, got %d", len(texts), len(resp.Data))
	}
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("vector index %d is out of range or repeated", d.Index)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// convert maps go-openai's error types onto *APIError, keeping the
// endpoint's own message, so nothing outside this file sees SDK types.
func (e *sdkEndpoint) convert(err error) error {
	var oe *openai.APIError
	if errors.As(err, &oe) {
		return &APIError{
			StatusCode: oe.HTTPStatusCode,
			Type:       oe.Type,
			Code:       codeString(oe.Code),
			Message:    e.redact(oe.Message),
			err:        err,
		}
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		// The body was not OpenAI's error shape (a proxy's HTML page, say):
		// keep a short, single-line excerpt of it as the message.
		msg := strings.Join(strings.Fields(string(re.Body)), " ")
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		if msg == "" {
			msg = http.StatusText(re.HTTPStatusCode)
		}
		return &APIError{StatusCode: re.HTTPStatusCode, Message: e.redact(msg), err: err}
	}
	return err
}

func (e *sdkEndpoint) redact(s string) string {
	if e.key == "" {
		return s
	}
	return strings.ReplaceAll(s, e.key, "[redacted]")
}

func codeString(code any) string {
	switch v := code.(type) {
	case nil:
		return ""
	case int:
		// go-openai turns a JSON null code into 0.
		if v == 0 {
			return ""
		}
		return fmt.Sprint(v)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// embedBatch is how many texts go in one embeddings request; servers cap
// the batch size (and local ones slow down with big batches).
const embedBatch = 64

// retryDelays are the pauses before retrying an embeddings request that
// hit a rate limit or server error. Indexing can wait; answers cannot, so
// chat is never retried (it falls back instead).
var retryDelays = []time.Duration{500 * time.Millisecond, 2 * time.Second}

// Embed returns one vector per text, in order, asking in batches of 64.
// Each request gets Config.Timeout.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if !c.CanEmbed() {
		return nil, fmt.Errorf("llm: embeddings: %w", ErrNotConfigured)
	}
	out := make([][]float32, 0, len(texts))
	dims := 0
	for start := 0; start < len(texts); start += embedBatch {
		batch := texts[start:min(start+embedBatch, len(texts))]
		vecs, err := c.embedBatch(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("%w (texts %d-%d of %d)", err, start+1, start+len(batch), len(texts))
		}
		for i, v := range vecs {
			if dims == 0 {
				dims = len(v)
			}
			if len(v) == 0 || len(v) != dims {
				return nil, fmt.Errorf("llm: embeddings: text %d got a %d-dimension vector, want %d", start+i+1, len(v), dims)
			}
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (c *Client) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	// OpenAI rejects empty strings; a space embeds as "nothing" instead
	// and keeps the positions lined up.
	input := make([]string, len(batch))
	for i, t := range batch {
		if strings.TrimSpace(t) == "" {
			t = " "
		}
		input[i] = t
	}
	for attempt := 0; ; attempt++ {
		vecs, err := c.embedOnce(ctx, input)
		var apiErr *APIError
		if err == nil || attempt >= len(retryDelays) || !errors.As(err, &apiErr) || !apiErr.retryable() {
			return vecs, err
		}
		c.log.Info("embeddings request failed, retrying", "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("llm: embeddings: %w", ctx.Err())
		case <-time.After(retryDelays[attempt]):
		}
	}
}

func (c *Client) embedOnce(ctx context.Context, input []string) ([][]float32, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	started := time.Now()
	vecs, err := c.ep.embed(ctx, c.cfg.EmbeddingsModel, input)
	if err != nil {
		err, result := c.classify(ctx, "embeddings", started, err)
		c.count("embeddings", result)
		c.log.Warn("embeddings failed", "model", c.cfg.EmbeddingsModel, "texts", len(input), "err", err)
		return nil, err
	}
	c.count("embeddings", "ok")
	c.log.Debug("embedded", "model", c.cfg.EmbeddingsModel, "texts", len(input),
		"took", time.Since(started).Round(time.Millisecond))
	return vecs, nil
}

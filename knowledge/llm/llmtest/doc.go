// Package llmtest runs a real local HTTP server (httptest, 127.0.0.1) that
// speaks the OpenAI API wire format, for tests that exercise Bothy's LLM
// path end to end without a model:
//
//   - POST /v1/chat/completions: a JSON reply, or with "stream": true a
//     text/event-stream of `data: {chunk}` lines ending in `data: [DONE]`
//   - POST /v1/embeddings: deterministic vectors (see Embed)
//   - GET /v1/models: the model list
//   - errors in OpenAI's shape: {"error":{"message","type","param","code"}}
//
// Use it from any package's tests:
//
//	srv := llmtest.New(t)                  // closed by t.Cleanup
//	srv.SetReply(func(r llmtest.ChatRequest) (string, error) {
//		if !strings.Contains(r.LastUser(), "[1] Blocked by IT") { ... }
//		return "Ask IT for an exception [1].", nil
//	})
//	c := llm.New(llm.Config{BaseURL: srv.URL, Model: llmtest.ChatModel,
//		EmbeddingsModel: llmtest.EmbeddingModel, APIKey: "k"}, logger)
//
// Behaviours, all safe to change while requests run:
//   - SetReply: scripted answers; it sees the request's messages. The
//     default reply quotes the first sentence of source [1] and cites it,
//     or declines (NOT_COVERED, as Bothy's prompt asks) when there is none.
//   - SetDelay: wait before answering (for timeout tests); the wait ends
//     early when the client goes away.
//   - SetChunkDelay: pause between streamed chunks.
//   - FailNext(n, status, message): the next n requests on any /v1 path
//     get that HTTP error in OpenAI's shape (401, 429, 500, ...).
//   - BreakStreamAfter(n, message): streams stop after n content chunks,
//     with an in-stream error event when message is set, or by dropping
//     the connection when it is empty.
//   - RequireKey(key): requests without "Authorization: Bearer key" get 401.
//   - Requests / ChatRequests / EmbeddingRequests: what was received,
//     including headers, so tests can check the prompt and the Bearer key.
//
// Embeddings are a hashed bag of words in Dims (64) dimensions, L2
// normalised: texts that share words score a higher cosine, the same text
// always gives the same vector, and Embed(text) computes it directly for
// retrieval tests that need a query vector without a server.
package llmtest

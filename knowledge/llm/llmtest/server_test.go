package llmtest

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestListensOnLoopback(t *testing.T) {
	s := New(t)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || !strings.HasSuffix(s.URL, "/v1") {
		t.Fatalf("URL %q", s.URL)
	}
}

func TestChatJSON(t *testing.T) {
	s := New(t)
	s.SetReply(func(r ChatRequest) (string, error) { return "Reply to: " + r.LastUser(), nil })
	resp := post(t, s.URL+"/chat/completions",
		`{"model":"m","messages":[{"role":"system","content":"rules"},{"role":"user","content":[{"type":"text","text":"hello"}]}]}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var out struct {
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Message      struct{ Role, Content string } `json:"message"`
			FinishReason string                         `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			TotalTokens int `json:"total_tokens"`
		} `json:"usage"`
	}
	decode(t, resp, &out)
	if out.Object != "chat.completion" || out.Model != "m" || len(out.Choices) != 1 ||
		out.Choices[0].Message.Role != "assistant" || out.Choices[0].Message.Content != "Reply to: hello" ||
		out.Choices[0].FinishReason != "stop" || out.Usage.TotalTokens == 0 {
		t.Fatalf("response %+v", out)
	}
	reqs := s.ChatRequests()
	if len(reqs) != 1 || reqs[0].System() != "rules" || reqs[0].LastUser() != "hello" {
		t.Fatalf("recorded %+v", reqs)
	}
}

func TestChatStream(t *testing.T) {
	s := New(t)
	const reply = "Ask IT for an exception [1]. Keep records."
	s.SetReply(func(ChatRequest) (string, error) { return reply, nil })
	resp := post(t, s.URL+"/chat/completions",
		`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"q"}]}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() != "" {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) < 4 || lines[len(lines)-1] != "data: [DONE]" {
		t.Fatalf("lines %q", lines)
	}
	var text strings.Builder
	finished, usage := false, false
	for _, l := range lines[:len(lines)-1] {
		payload, ok := strings.CutPrefix(l, "data: ")
		if !ok {
			t.Fatalf("line %q lacks the data: prefix", l)
		}
		var c struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *struct {
				TotalTokens int `json:"total_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(payload), &c); err != nil {
			t.Fatalf("%q: %v", payload, err)
		}
		if c.Object != "chat.completion.chunk" {
			t.Errorf("object %q", c.Object)
		}
		if c.Usage != nil {
			usage = c.Usage.TotalTokens > 0
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
			if ch.FinishReason != nil && *ch.FinishReason == "stop" {
				finished = true
			}
		}
	}
	if text.String() != reply || !finished || !usage {
		t.Fatalf("text %q, finished %v, usage %v", text.String(), finished, usage)
	}
	if got := strings.Join(s.Requests()[0].Chunks, ""); got != reply {
		t.Errorf("recorded chunks join to %q", got)
	}
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		status     int
		typ        string
		code       any
		wantStatus int
	}{
		{401, "invalid_request_error", "invalid_api_key", 401},
		{429, "requests", "rate_limit_exceeded", 429},
		{500, "server_error", nil, 500},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			s := New(t)
			s.FailNext(1, tt.status, "explained here")
			resp := post(t, s.URL+"/embeddings", `{"model":"m","input":"x"}`)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var body map[string]map[string]any
			decode(t, resp, &body)
			e := body["error"]
			if e["message"] != "explained here" || e["type"] != tt.typ || e["code"] != tt.code {
				t.Errorf("error body %v", e)
			}
			if _, ok := e["param"]; !ok {
				t.Error("param missing")
			}
			// Only the next one fails.
			if resp := post(t, s.URL+"/embeddings", `{"model":"m","input":"x"}`); resp.StatusCode != 200 {
				t.Errorf("second request status %d", resp.StatusCode)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	s := New(t)
	for _, tt := range []struct{ path, body string }{
		{"/chat/completions", `{not json`},
		{"/chat/completions", `{"model":"m","messages":[]}`},
		{"/chat/completions", `{"messages":[{"role":"user","content":"q"}]}`},
		{"/embeddings", `{"model":"m","input":[""]}`},
		{"/embeddings", `{"model":"m","input":[[1,2,3]]}`},
	} {
		resp := post(t, s.URL+tt.path, tt.body)
		var body map[string]map[string]any
		decode(t, resp, &body)
		if resp.StatusCode != 400 || body["error"]["message"] == "" {
			t.Errorf("%s %s: status %d, body %v", tt.path, tt.body, resp.StatusCode, body)
		}
	}
	resp, err := http.Get(s.URL + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: status %d", resp.StatusCode)
	}
}

func TestRequireKey(t *testing.T) {
	s := New(t)
	s.RequireKey("sk-right-key-123456")
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/models", nil)
	req.Header.Set("Authorization", "Bearer sk-wrong-key-654321")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]map[string]any
	decode(t, resp, &body)
	resp.Body.Close()
	msg, _ := body["error"]["message"].(string)
	if resp.StatusCode != 401 || strings.Contains(msg, "sk-wrong-key-654321") || !strings.Contains(msg, "sk-****4321") {
		t.Fatalf("status %d, message %q", resp.StatusCode, msg)
	}
	req.Header.Set("Authorization", "Bearer sk-right-key-123456")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("right key: status %d", resp.StatusCode)
	}
}

func TestModels(t *testing.T) {
	s := New(t)
	resp, err := http.Get(s.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Object string
		Data   []struct{ ID, Object string }
	}
	decode(t, resp, &out)
	if out.Object != "list" || len(out.Data) != 2 || out.Data[0].ID != ChatModel || out.Data[1].ID != EmbeddingModel {
		t.Fatalf("models %+v", out)
	}
}

func TestEmbeddingsWire(t *testing.T) {
	s := New(t)
	resp := post(t, s.URL+"/embeddings", `{"model":"e","input":["severe weather posts","staff guidance"]}`)
	var out struct {
		Object string
		Data   []struct {
			Index     int
			Embedding []float32
		}
	}
	decode(t, resp, &out)
	if out.Object != "list" || len(out.Data) != 2 || out.Data[1].Index != 1 {
		t.Fatalf("response %+v", out)
	}
	if Cosine(out.Data[0].Embedding, Embed("severe weather posts")) < 0.9999 {
		t.Error("vector differs from Embed")
	}

	// base64: little-endian float32s, as OpenAI sends them.
	resp = post(t, s.URL+"/embeddings", `{"model":"e","input":"staff guidance","encoding_format":"base64"}`)
	var b64 struct{ Data []struct{ Embedding string } }
	decode(t, resp, &b64)
	raw, err := base64.StdEncoding.DecodeString(b64.Data[0].Embedding)
	if err != nil || len(raw) != 4*Dims {
		t.Fatalf("base64 vector: %d bytes, %v", len(raw), err)
	}
	want := Embed("staff guidance")
	for i := range Dims {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); got != want[i] {
			t.Fatalf("dim %d: %v, want %v", i, got, want[i])
		}
	}
}

func TestEmbed(t *testing.T) {
	a := Embed("Posting during severe weather and floods")
	if len(a) != Dims {
		t.Fatalf("%d dims", len(a))
	}
	var norm float64
	for _, x := range a {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Errorf("norm² %v, want 1", norm)
	}
	if Cosine(a, Embed("Posting during severe weather and floods")) < 0.9999 {
		t.Error("not deterministic")
	}
	near := Cosine(a, Embed("What to post about flood warnings in severe weather"))
	far := Cosine(a, Embed("Running an unconference for comms teams"))
	if near <= far {
		t.Errorf("related text scored %.3f, unrelated %.3f", near, far)
	}
	for _, empty := range []string{"", "the and of", "?!"} {
		for _, x := range Embed(empty) {
			if x != 0 {
				t.Fatalf("Embed(%q) is not the zero vector", empty)
			}
		}
	}
}

func TestDefaultReply(t *testing.T) {
	tests := []struct{ user, want string }{
		{"Sources:\n\n[1] Blocked\nAsk IT for an exception. Then wait.\n\nQuestion: q", "Ask IT for an exception [1]."},
		{"Sources: none were found.\n\nQuestion: q", "NOT_COVERED"},
	}
	for _, tt := range tests {
		got, err := DefaultReply(ChatRequest{Messages: []Message{{Role: "user", Content: tt.user}}})
		if err != nil || got != tt.want {
			t.Errorf("DefaultReply = %q, %v; want %q", got, err, tt.want)
		}
	}
}

func TestPieces(t *testing.T) {
	for _, s := range []string{"", "one", " lead and trail ", "a\n\nb  c"} {
		if got := strings.Join(Pieces(s), ""); got != s {
			t.Errorf("Pieces(%q) joins to %q", s, got)
		}
	}
}

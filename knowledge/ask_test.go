package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/privacy"
)

// evalKB opens a base over testdata/evalkb.
func evalKB(t testing.TB, opts Options) *Base {
	t.Helper()
	b := openBase(t, Options{NoStarter: true, Writer: opts.Writer, Embedder: opts.Embedder, WriterTimeout: opts.WriterTimeout,
		MinConfidence: opts.MinConfidence, WriterMinConfidence: opts.WriterMinConfidence})
	if _, err := b.Ingest(context.Background(), filepath.Join("testdata", "evalkb")); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAskBadInputNeverErrors(t *testing.T) {
	b := evalKB(t, Options{})
	huge := strings.Repeat("purdah councillor retweet ", 4200) // ~100 KB
	tests := map[string]string{
		"fts quotes":       `"purdah`,
		"fts star":         `purd*`,
		"fts near":         `NEAR(purdah councillor)`,
		"fts or and not":   `purdah OR AND NOT -councillor`,
		"fts column":       `title:purdah body:retweet`,
		"fts caret parens": `^(purdah) {a b}`,
		"apostrophe":       `don't we retweet councillors?`,
		"c plus plus":      `C++ and C# jobs`,
		"emoji only":       `🤔🤔🙏`,
		"rtl":              `هل يمكننا إعادة تغريد مستشار؟`,
		"hebrew":           `שאלה על רשתות חברתיות`,
		"control chars":    "purdah\x00\x07\x1b[31m",
		"invalid utf8":     "purdah \xff\xfe caf\xe9",
		"empty":            "",
		"spaces":           "   \t\n ",
		"sql":              `'; DROP TABLE kb_documents; --`,
		"100 KB":           huge,
		"only stop words":  "what is it and how do I do it?",
	}
	for name, q := range tests {
		t.Run(name, func(t *testing.T) {
			ans, err := b.Ask(context.Background(), Question{Text: q, Record: true, UserID: "u"})
			if err != nil {
				t.Fatalf("Ask(%q) error: %v", clipTest(q), err)
			}
			if strings.TrimSpace(ans.Text) == "" {
				t.Fatalf("Ask(%q) gave an empty answer", clipTest(q))
			}
		})
	}
	// The knowledge base is intact after all that.
	ans, err := b.Ask(context.Background(), Question{Text: "can we retweet a councillor during purdah"})
	if err != nil || !ans.Confident || ans.Sources[0].ID != "pre-election" {
		t.Fatalf("after bad input: %+v %v", ans, err)
	}
	if !strings.Contains(huge, "purdah") {
		t.Fatal("unreachable")
	}
}

func clipTest(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func TestAskUnderstandsCommunityWording(t *testing.T) {
	b := evalKB(t, Options{})
	tests := []struct{ q, want string }{
		{"IT have blocked Twitter, what do I do?", "access-blocked"},
		{"freedom of information request for our DMs", "foi-records"},
		{"are direct messages covered by FOI", "foi-records"},
		{"can we quote an elected member before the election", "pre-election"},
		{"purdah rules", "pre-election"},
		{"FB page pretending to be the council", "fake-accounts"},
		{"pasword manager for acounts", "account-handover"}, // typos
		{"GRITTING ROUTES", "severe-weather"},               // capitals
		{"unconferences", "unconference"},                   // plural
		{"boosting posts", "paid-ads"},                      // stem
		{"using chatgpt to draft", "ai-drafting"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			ans, err := b.Ask(context.Background(), Question{Text: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if len(ans.Sources) == 0 || ans.Sources[0].ID != tt.want {
				ex, _ := b.Explain(context.Background(), tt.q)
				t.Fatalf("top source %v, want %s\n%s", ids(ans.Sources), tt.want, ex)
			}
		})
	}
}

func ids(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.ID)
	}
	return out
}

func TestAnswerAndAbstain(t *testing.T) {
	ctx := context.Background()
	b := evalKB(t, Options{})
	ans, err := b.Ask(ctx, Question{Text: "Can the council account retweet a councillor during purdah?", Record: true, UserID: "u1", Platform: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Confident || ans.QuestionID == 0 || !strings.Contains(ans.Text, "Social media in the pre-election period") {
		t.Fatalf("answer = %+v", ans)
	}
	if !strings.Contains(strings.ToLower(ans.Text), "retweet") {
		t.Errorf("extract does not quote the relevant line: %q", ans.Text)
	}
	// Sources are one per document, best first.
	seen := map[string]bool{}
	for i, h := range ans.Sources {
		if seen[h.ID] {
			t.Errorf("document %s listed twice", h.ID)
		}
		seen[h.ID] = true
		if i > 0 && h.Score > ans.Sources[i-1].Score {
			t.Errorf("sources not best first: %v", ans.Sources)
		}
	}

	out, err := b.Ask(ctx, Question{Text: "How do I renew my passport?", Record: true, UserID: "u2"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Confident || !strings.Contains(out.Text, "doesn't cover") || !strings.Contains(out.Text, "organisers") {
		t.Fatalf("abstain = %+v", out)
	}
	gaps, err := b.Gaps(ctx, 10)
	if err != nil || len(gaps) != 1 || gaps[0].ID != out.QuestionID || gaps[0].Text != "How do I renew my passport?" {
		t.Fatalf("gaps = %+v, %v", gaps, err)
	}
}

func TestAbstainOffersNearestDocuments(t *testing.T) {
	b := evalKB(t, Options{})
	ans, err := b.Ask(context.Background(), Question{Text: "which colour of paint for the gritting lorries"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Confident {
		t.Fatalf("answered confidently (%.2f): %s", ans.Confidence, ans.Text)
	}
	if len(ans.Sources) == 0 || ans.Sources[0].ID != "severe-weather" || !strings.Contains(ans.Text, "nearest") {
		t.Fatalf("no nearest documents offered: %+v", ans)
	}
}

// An abstention says the question was noted for the organisers only when
// it was recorded, and then it is in kb gaps.
func TestAbstainSaysNotedOnlyWhenRecorded(t *testing.T) {
	for _, record := range []bool{false, true} {
		t.Run(fmt.Sprint("record=", record), func(t *testing.T) {
			ctx := context.Background()
			b := evalKB(t, Options{})
			ans, err := b.Ask(ctx, Question{Text: "which colour of paint for the gritting lorries", Record: record})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Confident {
				t.Fatalf("answered confidently (%.2f): %s", ans.Confidence, ans.Text)
			}
			gaps, err := b.Gaps(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if noted := strings.Contains(ans.Text, "noted the question"); noted != record || len(gaps) > 0 != record {
				t.Errorf("says noted: %v, gaps listed: %d; want both %v:\n%s", noted, len(gaps), record, ans.Text)
			}
		})
	}
}

// The nearest documents offered when abstaining name the section nearest
// the question, so a reader knows where to look.
func TestAbstainNamesTheNearestSection(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"grit.md": doc("grit", "Winter gritting", "guidance", "winter",
			"# Winter gritting\n\nThe council grits roads in winter.\n\n"+
				"## Which routes are gritted first?\n\nPrimary routes and bus routes are gritted first when frost is forecast.\n\n"+
				"## When do we post updates?\n\nPost the evening before, with a map.\n"),
	})
	b := openBase(t, Options{Dirs: []string{dir}, NoStarter: true})
	ans, err := b.Ask(context.Background(), Question{Text: "what colour of paint do the lorries on the bus routes and primary routes use"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Confident || len(ans.Sources) == 0 {
		t.Fatalf("the test needs an abstention offering grit: confident %v (%.2f), sources %+v", ans.Confident, ans.Confidence, ans.Sources)
	}
	if want := "- Winter gritting › Which routes are gritted first? (grit)"; !strings.Contains(ans.Text, want) {
		t.Errorf("abstain text does not name the nearest section %q:\n%s", want, ans.Text)
	}
}

func TestAnswerGapWritesFAQ(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": doc("a", "Alpha", "guidance", "", "Gritting text.\n")})
	b := openBase(t, Options{Dirs: []string{dir}})
	q, err := b.Ask(ctx, Question{Text: "How do we run a Christmas card competition?", Record: true})
	if err != nil || q.Confident {
		t.Fatalf("ask = %+v, %v", q, err)
	}
	id, path, err := b.AnswerGap(ctx, q.QuestionID, "Ask schools to enter, pick a judge, and get consent for every child's name.", "Carol")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("x.md", data)
	if err != nil || d.ID != id || d.Kind != "faq" || d.Title != "How do we run a Christmas card competition?" {
		t.Fatalf("written faq parses as %+v, %v\n%s", d, err, data)
	}
	again, err := b.Ask(ctx, Question{Text: "how do we run a christmas card competition"})
	if err != nil || !again.Confident || again.Sources[0].ID != id {
		t.Fatalf("after answering: %+v, %v", again, err)
	}
	if gaps, _ := b.Gaps(ctx, 10); len(gaps) != 0 {
		t.Fatalf("gap still listed: %+v", gaps)
	}
	if _, _, err := b.AnswerGap(ctx, 999, "x", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	nofolder := openBase(t, Options{})
	if _, _, err := nofolder.AnswerGap(ctx, 1, "x", ""); !errors.Is(err, ErrNoFolder) {
		t.Fatalf("no folder: %v", err)
	}
}

func TestFeedbackAndPrivacy(t *testing.T) {
	ctx := context.Background()
	b := evalKB(t, Options{})
	ans, err := b.Ask(ctx, Question{Text: "how to run an unconference", Record: true, UserID: "alice", Platform: "matrix"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetAnswerMessage(ctx, ans.QuestionID, "matrix", "$evt"); err != nil {
		t.Fatal(err)
	}
	qid, ok, err := b.QuestionForMessage(ctx, "matrix", "$evt")
	if err != nil || !ok || qid != ans.QuestionID {
		t.Fatalf("QuestionForMessage = %d %v %v", qid, ok, err)
	}
	if err := b.Feedback(ctx, qid, "bob", true); err != nil {
		t.Fatal(err)
	}
	if err := b.Feedback(ctx, qid, "alice", true); err != nil {
		t.Fatal(err)
	}
	if err := b.Feedback(ctx, qid, "alice", false); err != nil { // changes her vote
		t.Fatal(err)
	}
	if h, u, err := b.FeedbackCounts(ctx, qid); err != nil || h != 1 || u != 1 {
		t.Fatalf("counts %d/%d %v", h, u, err)
	}
	if err := b.Feedback(ctx, 12345, "bob", true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("feedback on unknown question: %v", err)
	}

	p := b.Privacy()
	exp, err := p.ExportUser(ctx, privacy.NewSubject("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.ToLower(strings.ReplaceAll(fmtAny(exp), " ", "")); !strings.Contains(s, "howtorunanunconference") {
		t.Fatalf("export lacks the question: %s", fmtAny(exp))
	}
	n, err := p.EraseUser(ctx, privacy.NewSubject("alice", privacy.NewPseudonym()))
	if err != nil || n != 2 {
		t.Fatalf("erase = %d, %v (want question + vote)", n, err)
	}
	if h, u, _ := b.FeedbackCounts(ctx, qid); h != 1 || u != 1 {
		t.Fatalf("erasure changed the counts: %d/%d", h, u)
	}
	exp, _ = p.ExportUser(ctx, privacy.NewSubject("alice", ""))
	if strings.Contains(fmtAny(exp), "unconference") {
		t.Fatalf("erased data still exported: %s", fmtAny(exp))
	}
	pruned, err := p.Prune(ctx, time.Now().Add(time.Hour))
	if err != nil || pruned != 1 {
		t.Fatalf("prune = %d, %v", pruned, err)
	}
}

func fmtAny(v any) string { return strings.ReplaceAll(strings.TrimSpace(sprint(v)), "\n", " ") }

// fakeWriter records calls and answers from its sources.
type fakeWriter struct {
	mu      sync.Mutex
	calls   int
	sources []Source
	err     error
	delay   time.Duration
	text    string
}

func (f *fakeWriter) Answer(ctx context.Context, question string, sources []Source, onDelta func(string)) (string, error) {
	f.mu.Lock()
	f.calls++
	f.sources = sources
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if f.err != nil {
		return "", f.err
	}
	if onDelta != nil {
		onDelta("Do not")
		onDelta("Do not retweet")
	}
	return f.text, nil
}

func TestWriterAnswersAndFallsBack(t *testing.T) {
	ctx := context.Background()
	q := "Can the council account retweet a councillor during purdah?"
	t.Run("used when confident, with numbered sources and streaming", func(t *testing.T) {
		w := &fakeWriter{text: "Do not retweet councillors during purdah [1]."}
		b := evalKB(t, Options{Writer: w})
		var deltas []string
		ans, err := b.Ask(ctx, Question{Text: q, OnDelta: func(p string) { deltas = append(deltas, p) }})
		if err != nil || !ans.ByLLM || ans.Text != w.text {
			t.Fatalf("ans = %+v, %v", ans, err)
		}
		if len(w.sources) == 0 || w.sources[0].N != 1 || w.sources[0].Title != "Social media in the pre-election period" || !strings.Contains(w.sources[0].Text, "retweet") {
			t.Fatalf("sources given = %+v", w.sources)
		}
		if len(deltas) != 2 {
			t.Fatalf("deltas = %v", deltas)
		}
	})
	t.Run("not called for a question that may not use models (the web page)", func(t *testing.T) {
		w := &fakeWriter{text: "Do not retweet councillors during purdah [1]."}
		b := evalKB(t, Options{Writer: w})
		ans, err := b.Ask(ctx, Question{Text: q, NoModel: true})
		if err != nil || !ans.Confident || ans.ByLLM || w.calls != 0 {
			t.Fatalf("ans = %+v, %v, writer calls %d", ans, err, w.calls)
		}
	})
	t.Run("not called when abstaining", func(t *testing.T) {
		w := &fakeWriter{text: "made up"}
		b := evalKB(t, Options{Writer: w})
		ans, err := b.Ask(ctx, Question{Text: "How do I renew my passport?"})
		if err != nil || ans.Confident || w.calls != 0 {
			t.Fatalf("ans = %+v calls %d", ans, w.calls)
		}
	})
	t.Run("abstains when the model finds the passages do not answer", func(t *testing.T) {
		w := &fakeWriter{err: fmt.Errorf("llm: chat: %w", ErrNotCovered)}
		b := evalKB(t, Options{Writer: w})
		ans, err := b.Ask(ctx, Question{Text: q, Record: true})
		if err != nil || ans.Confident || !ans.Declined || ans.ByLLM || w.calls != 1 {
			t.Fatalf("ans = %+v, %v, writer calls %d", ans, err, w.calls)
		}
		if ans.Confidence < b.opts.MinConfidence {
			t.Fatalf("confidence %.2f: retrieval was not confident, so this tests nothing", ans.Confidence)
		}
		if !strings.Contains(ans.Text, "none of them answers") || strings.Contains(ans.Text, "retweet") {
			t.Fatalf("text = %q", ans.Text)
		}
		// The passages stay (ask --json shows what the model was given),
		// and the nearest documents are offered.
		if len(ans.Passages) == 0 || len(ans.Sources) == 0 || ans.Sources[0].ID != ans.Ranked[0].ID {
			t.Fatalf("passages %d, sources %+v", len(ans.Passages), ans.Sources)
		}
		gaps, err := b.Gaps(ctx, 5)
		if err != nil || len(gaps) != 1 || gaps[0].ID != ans.QuestionID {
			t.Fatalf("gaps = %+v, %v; want question %d", gaps, err, ans.QuestionID)
		}
	})
	for name, w := range map[string]*fakeWriter{
		"error":   {err: errors.New("HTTP 500: model overloaded")},
		"timeout": {delay: 5 * time.Second, text: "late"},
		"empty":   {text: "  "},
	} {
		t.Run("falls back on "+name, func(t *testing.T) {
			b := evalKB(t, Options{Writer: w, WriterTimeout: 50 * time.Millisecond})
			ans, err := b.Ask(ctx, Question{Text: q})
			if err != nil || ans.ByLLM || !ans.Confident || !strings.Contains(ans.Text, "pre-election") {
				t.Fatalf("ans = %+v, %v", ans, err)
			}
		})
	}
}

// TestWriterDecidesDoubtedQuestions: with WriterMinConfidence, a question
// retrieval doubts, though not by much, goes to the Writer, and is answered
// only when the Writer finds the answer in the passages.
func TestWriterDecidesDoubtedQuestions(t *testing.T) {
	ctx := context.Background()
	q := "Can the council account retweet a councillor during purdah?"
	plain, err := evalKB(t, Options{}).Ask(ctx, Question{Text: q})
	if err != nil || plain.Confidence <= 0 {
		t.Fatalf("plain = %+v, %v", plain, err)
	}
	c := plain.Confidence
	// Thresholds that put q's confidence between the two.
	doubting := Options{MinConfidence: c + (1-c)/2, WriterMinConfidence: c / 2}
	tests := []struct {
		name      string
		writer    *fakeWriter
		writerMin float64 // overrides doubting's, when not 0
		confident bool
		declined  bool
		calls     int
		text      string
	}{
		{name: "answered when the model answers", writer: &fakeWriter{text: "Do not retweet councillors during purdah [1]."},
			confident: true, calls: 1, text: "Do not retweet councillors during purdah [1]."},
		{name: "abstained when the model declines", writer: &fakeWriter{err: fmt.Errorf("llm: %w", ErrNotCovered)},
			declined: true, calls: 1, text: "none of them answers"},
		{name: "abstained when the model fails", writer: &fakeWriter{err: errors.New("HTTP 500")},
			calls: 1, text: "doesn't cover that yet"},
		{name: "not asked below the band", writer: &fakeWriter{text: "made up [1]."}, writerMin: c + (1-c)/4,
			calls: 0, text: "doesn't cover that yet"},
		{name: "not asked when the band is off", writer: &fakeWriter{text: "made up [1]."}, writerMin: -1,
			calls: 0, text: "doesn't cover that yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := doubting
			opts.Writer = tt.writer
			switch {
			case tt.writerMin < 0:
				opts.WriterMinConfidence = 0
			case tt.writerMin > 0:
				opts.WriterMinConfidence = tt.writerMin
			}
			b := evalKB(t, opts)
			ans, err := b.Ask(ctx, Question{Text: q, Record: true})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Confident != tt.confident || ans.Declined != tt.declined || ans.ByLLM != tt.confident || tt.writer.calls != tt.calls {
				t.Fatalf("confident %v declined %v byLLM %v calls %d; want %v %v %v %d", ans.Confident, ans.Declined, ans.ByLLM, tt.writer.calls,
					tt.confident, tt.declined, tt.confident, tt.calls)
			}
			if !strings.Contains(ans.Text, tt.text) {
				t.Fatalf("text %q, want it to contain %q", ans.Text, tt.text)
			}
			if ans.Confidence != c {
				t.Errorf("confidence %v, want retrieval's %v whatever the model said", ans.Confidence, c)
			}
			gaps, err := b.Gaps(ctx, 5)
			if err != nil {
				t.Fatal(err)
			}
			if isGap := len(gaps) == 1 && gaps[0].ID == ans.QuestionID; isGap == tt.confident {
				t.Errorf("gaps %+v: an answered question must not be a gap, an abstained one must", gaps)
			}
		})
	}
}

// fakeEmbedder maps texts to vectors by keyword, so a question can be
// "semantically" close to a document it shares no words with.
type fakeEmbedder struct {
	mu    sync.Mutex
	calls int
	fail  bool
}

func (f *fakeEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if f.fail {
		return nil, errors.New("embeddings endpoint down")
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		t = strings.ToLower(t)
		v := []float32{0.01, 0.01, 0.01}
		if strings.Contains(t, "rumour") || strings.Contains(t, "gossip") {
			v[0] = 1
		}
		if strings.Contains(t, "gaelic") {
			v[1] = 1
		}
		if strings.Contains(t, "snow") {
			v[2] = 1
		}
		out[i] = v
	}
	return out, nil
}

func TestEmbeddingsFuseWithBM25(t *testing.T) {
	ctx := context.Background()
	e := &fakeEmbedder{}
	b := evalKB(t, Options{Embedder: e})
	var n int
	if err := b.db.Read.QueryRowContext(ctx, "SELECT count(*) FROM kb_vectors").Scan(&n); err != nil || n == 0 {
		t.Fatalf("vectors stored: %d, %v", n, err)
	}
	// "gossip" shares no word with any document; only the vector side can
	// find the misinformation document, which is offered but not answered
	// from (lexical coverage decides confidence).
	r, err := b.retrieve(ctx, "gossip")
	if err != nil {
		t.Fatal(err)
	}
	if hits := r.Hits(); len(hits) == 0 || hits[0].ID != "misinformation" || r.Confidence() >= DefaultMinConfidence {
		t.Fatalf("fused hits %v confidence %.2f", ids(hits), r.Confidence())
	}
	plain := evalKB(t, Options{})
	if r, _ := plain.retrieve(ctx, "gossip"); len(r.Hits()) != 0 {
		t.Fatalf("keyword search alone found %v", ids(r.Hits()))
	}
	// Both lists count: a keyword hit ranked 1 by BM25 stays in the list.
	ans, err := b.Ask(ctx, Question{Text: "snow gritting routes"})
	if err != nil || len(ans.Sources) == 0 || ans.Sources[0].ID != "severe-weather" {
		t.Fatalf("fused ask: %+v, %v", ans.Sources, err)
	}
	// A failing endpoint leaves keyword search working.
	bad := evalKB(t, Options{Embedder: &fakeEmbedder{fail: true}})
	ans, err = bad.Ask(ctx, Question{Text: "can we retweet councillors in purdah"})
	if err != nil || !ans.Confident || ans.Sources[0].ID != "pre-election" {
		t.Fatalf("with failing embedder: %+v, %v", ans, err)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// An organiser's answer to a question another document half answers is
// what the next person asking that way reads: quoted first, and its
// document the first source, though the answer shares no word with the
// question and the other document's section shares many.
func TestAnsweredGapIsQuotedFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tools, err := os.ReadFile(filepath.Join("starter", "scheduling-management-tools.md"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"tools.md": string(tools)})
	b := openBase(t, Options{Dirs: []string{dir}, NoStarter: true})
	const q = "what budget should we set for paid facebook ads during winter"
	first, err := b.Ask(ctx, Question{Text: q, Record: true, UserID: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := b.AnswerGap(ctx, first.QuestionID, "There is no set figure: start at fifty pounds a week and measure.", "Mo")
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Ask(ctx, Question{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Confident || len(again.Passages) == 0 || again.Passages[0].ID != id || again.Sources[0].ID != id || !strings.Contains(again.Text, "fifty pounds") {
		t.Errorf("after kb answer: confident %v, passages %+v, sources %+v:\n%s", again.Confident, again.Passages, again.Sources, again.Text)
	}
}

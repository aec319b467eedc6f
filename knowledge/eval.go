package knowledge

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// EvalQuestion is one line of an eval file: a question and the ids of the
// documents that answer it (none: out of scope, the bot should abstain).
type EvalQuestion struct {
	Q      string   `json:"q"`
	Expect []string `json:"expect"`
	// Section, when set, is the heading (or, for a lead, the document
	// title) of the section of Expect[0] that answers; Must are short
	// phrases of that section that carry the answer, one of which the
	// answer should quote.
	Section string   `json:"section,omitempty"`
	Must    []string `json:"must,omitempty"`
	// Line is where the question is in its file, and Warn what looks
	// wrong with the line without making it unreadable (CheckEval).
	Line int    `json:"-"`
	Warn string `json:"-"`
}

// EvalResult holds retrieval quality figures for one system.
type EvalResult struct {
	System            string
	InScope, OutScope int
	Recall1, Recall3  float64
	MRR               float64
	// Answered is the share of in-scope questions answered confidently;
	// Abstained the share of out-of-scope questions abstained on.
	Answered, Abstained float64
	// WithSection counts the in-scope questions that name a section;
	// Section1 and Section3 are the shares of them whose section is the
	// first passage or among the first three. WithMust counts those with
	// must phrases, and Quotes is the share whose answer text holds one.
	WithSection, WithMust int
	Section1, Section3    float64
	Quotes                float64
	// Misses lists questions ranked wrongly or answered wrongly, for
	// tuning by hand.
	Misses []string
	// Lines has one line per question: expected, ranked ids, confidence.
	Lines []string
	// P50 and P99 are the time to rank one question, measured on the
	// same run as the quality figures.
	P50, P99 time.Duration
}

// ReadEvalFile reads a JSONL eval file; a bad line is an error naming it.
func ReadEvalFile(path string) ([]EvalQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadEval(f, path)
}

// ReadEval reads JSONL eval questions from r.
func ReadEval(r io.Reader, name string) ([]EvalQuestion, error) {
	var out []EvalQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") {
			continue
		}
		var q EvalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %s", name, n, evalLineError(err))
		}
		if strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("%s:%d: the question (q) is empty", name, n)
		}
		q.Line, q.Warn = n, evalKeys(line)
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no questions (one JSON object a line: {\"q\": ..., \"expect\": [...]})", name)
	}
	return out, nil
}

// evalLineError says what is wrong with a line in the file's own terms
// rather than Go's ("json: cannot unmarshal number into Go struct field").
func evalLineError(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		want := map[string]string{"q": "a string", "expect": "a list of document ids", "section": "a string", "must": "a list of phrases"}[typ.Field]
		if want == "" {
			want = typ.Type.String()
		}
		return fmt.Sprintf("%s must be %s, not a JSON %s", typ.Field, want, typ.Value)
	}
	return "not a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")
}

// evalKeys warns of a line whose keys will not be read as meant: a
// misspelt key is ignored, and a line without expect counts as out of
// scope. Other keys (notes, ids) are the file's own business.
func evalKeys(line string) string {
	var keys map[string]json.RawMessage
	if json.Unmarshal([]byte(line), &keys) != nil {
		return ""
	}
	var warns []string
	for k := range keys {
		switch k {
		case "q", "expect", "section", "must":
			continue
		}
		for _, known := range []string{"expect", "section", "must"} {
			if bot.EditDistance(strings.ToLower(k), known) <= 2 {
				warns = append(warns, fmt.Sprintf("%q is not read (did you mean %q?)", k, known))
			}
		}
	}
	if _, ok := keys["expect"]; !ok {
		warns = append(warns, `no "expect", so it counts as out of scope (write "expect": [] to say so)`)
	}
	slices.Sort(warns)
	return strings.Join(warns, "; ")
}

// CheckEval lists what looks wrong in eval questions against this
// knowledge base, one line each: keys that will not be read, expected
// documents it does not hold and sections those documents do not have.
// Such a question still counts, but never as found.
func (b *Base) CheckEval(ctx context.Context, qs []EvalQuestion, name string) ([]string, error) {
	sections := map[string][]string{}
	titles := map[string]string{}
	docs, err := b.Documents(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		titles[d.ID] = d.Title
	}
	var out []string
	for _, q := range qs {
		var warns []string
		if q.Warn != "" {
			warns = append(warns, q.Warn)
		}
		for _, id := range q.Expect {
			if _, ok := titles[id]; !ok {
				warns = append(warns, fmt.Sprintf("no document %q in the knowledge base", id))
			}
		}
		if len(q.Expect) > 0 && q.Section != "" {
			id := q.Expect[0]
			if _, ok := titles[id]; ok {
				if _, ok := sections[id]; !ok {
					if sections[id], err = b.DocumentSections(ctx, id); err != nil {
						return nil, err
					}
				}
				if !sameSection(q.Section, titles[id]) && !slices.ContainsFunc(sections[id], func(h string) bool { return h != "" && sameSection(h, q.Section) }) {
					warns = append(warns, fmt.Sprintf("%s has no section %q", id, q.Section))
				}
			}
		}
		if len(warns) > 0 {
			out = append(out, fmt.Sprintf("%s:%d: %s", name, q.Line, strings.Join(warns, "; ")))
		}
	}
	return out, nil
}

// outcome is what eval reads of one system's handling of a question: the
// documents ranked, whether it would answer, the passages it would quote
// or hand to a model, and the answer text a person would read.
type outcome struct {
	ids        []string
	confidence float64
	confident  bool
	passages   []evalPassage
	answer     string
}

type evalPassage struct{ doc, section string }

// ranker is what eval compares.
type ranker func(ctx context.Context, q string) (outcome, error)

// sameSection compares headings as a person would: case, spacing and
// trailing punctuation aside.
func sameSection(a, b string) bool {
	norm := func(s string) string {
		return strings.TrimRight(strings.Join(strings.Fields(strings.ToLower(s)), " "), "?.:!")
	}
	return norm(a) == norm(b)
}

// quotes reports whether text holds one of the phrases, ignoring case,
// spacing and Markdown emphasis.
func quotes(text string, phrases []string) bool {
	norm := func(s string) string {
		s = strings.NewReplacer("**", "", "__", "", "’", "'").Replace(strings.ToLower(s))
		return strings.Join(strings.Fields(s), " ")
	}
	t := norm(text)
	for _, p := range phrases {
		if p = norm(p); p != "" && strings.Contains(t, p) {
			return true
		}
	}
	return false
}

func score(ctx context.Context, system string, qs []EvalQuestion, rank ranker) (EvalResult, error) {
	res := EvalResult{System: system}
	var r1, r3, mrr, answered, abstained, s1, s3, quoted float64
	if len(qs) > 0 {
		// One untimed question first: loading the index or compiling the
		// query is start-up, not ranking.
		if _, err := rank(ctx, qs[0].Q); err != nil {
			return res, fmt.Errorf("eval %q: %w", qs[0].Q, err)
		}
	}
	took := make([]time.Duration, 0, len(qs))
	for _, q := range qs {
		start := time.Now()
		o, err := rank(ctx, q.Q)
		took = append(took, time.Since(start))
		if err != nil {
			return res, fmt.Errorf("eval %q: %w", q.Q, err)
		}
		ids, conf, confident := o.ids, o.confidence, o.confident
		res.Lines = append(res.Lines, fmt.Sprintf("%.2f %-5v want %v got %v %q", conf, confident, q.Expect, first(ids, 3), q.Q))
		if len(q.Expect) == 0 {
			res.OutScope++
			if !confident {
				abstained++
			} else {
				res.Misses = append(res.Misses, fmt.Sprintf("answered out-of-scope (confidence %.2f) %q with %v", conf, q.Q, first(ids, 3)))
			}
			continue
		}
		res.InScope++
		want := map[string]bool{}
		for _, id := range q.Expect {
			want[id] = true
		}
		rank := 0
		for i, id := range ids {
			if want[id] {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			r1++
		}
		if rank >= 1 && rank <= 3 {
			r3++
		}
		if rank > 0 {
			mrr += 1 / float64(rank)
		}
		if confident {
			answered++
		}
		if rank != 1 || !confident {
			res.Misses = append(res.Misses, fmt.Sprintf("rank %d confidence %.2f for %q (want %v, got %v)", rank, conf, q.Q, q.Expect, first(ids, 3)))
		}
		if q.Section != "" {
			res.WithSection++
			at := 0
			for i, p := range o.passages {
				if want[p.doc] && sameSection(p.section, q.Section) {
					at = i + 1
					break
				}
			}
			if at == 1 {
				s1++
			}
			if at >= 1 && at <= 3 {
				s3++
			}
			if at != 1 && rank == 1 {
				got := ""
				if len(o.passages) > 0 {
					got = o.passages[0].section
				}
				res.Misses = append(res.Misses, fmt.Sprintf("section at %d for %q (want %q, got %q)", at, q.Q, q.Section, got))
			}
		}
		if len(q.Must) > 0 {
			res.WithMust++
			if confident && quotes(o.answer, q.Must) {
				quoted++
			}
		}
	}
	if res.InScope > 0 {
		n := float64(res.InScope)
		res.Recall1, res.Recall3, res.MRR, res.Answered = r1/n, r3/n, mrr/n, answered/n
	}
	if res.WithSection > 0 {
		res.Section1, res.Section3 = s1/float64(res.WithSection), s3/float64(res.WithSection)
	}
	if res.WithMust > 0 {
		res.Quotes = quoted / float64(res.WithMust)
	}
	if res.OutScope > 0 {
		res.Abstained = abstained / float64(res.OutScope)
	}
	if len(took) > 0 {
		slices.Sort(took)
		res.P50 = took[len(took)/2]
		res.P99 = took[min(len(took)-1, len(took)*99/100)]
	}
	return res, nil
}

func first(ids []string, n int) []string {
	if len(ids) > n {
		return ids[:n]
	}
	return ids
}

// Eval scores the knowledge base and a plain FTS5 bm25 baseline (one row
// per document, no field weights, no synonyms, no stemming beyond the
// unicode61 tokenizer, all question words OR-ed) on the same questions.
func (b *Base) Eval(ctx context.Context, qs []EvalQuestion) (bothy, baseline EvalResult, err error) {
	bothy, err = score(ctx, "bothy", qs, func(ctx context.Context, q string) (outcome, error) {
		a, r, err := b.ask(ctx, Question{Text: q})
		if err != nil {
			return outcome{}, err
		}
		o := outcome{confidence: a.Confidence, confident: a.Confident, answer: a.Text}
		for _, h := range r.Hits() {
			o.ids = append(o.ids, h.ID)
		}
		for _, p := range a.Passages {
			o.passages = append(o.passages, evalPassage{p.DocID(), p.Section})
		}
		return o, nil
	})
	if err != nil {
		return bothy, baseline, err
	}
	bl, err := b.newBaseline(ctx)
	if err != nil {
		return bothy, baseline, err
	}
	defer bl.Close()
	baseline, err = score(ctx, "fts5 bm25 baseline", qs, func(ctx context.Context, q string) (outcome, error) {
		var terms []string
		for _, w := range retrieval.Words(q) {
			terms = append(terms, `"`+w+`"`)
		}
		if len(terms) == 0 {
			return outcome{}, nil
		}
		match := strings.Join(terms, " OR ")
		o := outcome{confidence: 1}
		var err error
		if o.ids, err = store.List(ctx, bl, store.Column[string], "SELECT id FROM base WHERE base MATCH ? ORDER BY bm25(base) LIMIT 10", match); err != nil {
			return o, err
		}
		// Its passages are the sections bm25 ranks best, its answer the
		// first of them whole.
		secs, err := store.List(ctx, bl, func(sc store.Scanner) (baselineSection, error) {
			var s baselineSection
			err := sc.Scan(&s.doc, &s.section, &s.text)
			return s, err
		}, "SELECT doc, section, body FROM secs WHERE secs MATCH ? ORDER BY bm25(secs) LIMIT 5", match)
		if err != nil {
			return o, err
		}
		for _, s := range secs {
			o.passages = append(o.passages, evalPassage{s.doc, s.section})
		}
		o.confident = len(o.ids) > 0
		if len(secs) > 0 {
			o.answer = secs[0].text
		}
		return o, nil
	})
	return bothy, baseline, err
}

// baselineSection is a section the baseline found: its document, its
// name and its text.
type baselineSection struct{ doc, section, text string }

// newBaseline copies the corpus into in-memory FTS5 tables: one row per
// document for ranking documents, one per section for passages.
func (b *Base) newBaseline(ctx context.Context) (*sql.DB, error) {
	bl, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	bl.SetMaxOpenConns(1)
	fail := func(err error) (*sql.DB, error) {
		bl.Close()
		return nil, fmt.Errorf("knowledge: baseline: %w", err)
	}
	for _, q := range []string{
		"CREATE VIRTUAL TABLE base USING fts5(id UNINDEXED, title, body)",
		"CREATE VIRTUAL TABLE secs USING fts5(doc UNINDEXED, section UNINDEXED, title, body)",
	} {
		if _, err := bl.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	type section struct{ id, title, headings, body string }
	secs, err := store.List(ctx, b.db.Read, func(sc store.Scanner) (section, error) {
		var s section
		err := sc.Scan(&s.id, &s.title, &s.headings, &s.body)
		return s, err
	}, `SELECT d.id, d.title, c.headings, c.body FROM kb_documents d JOIN kb_chunks c ON c.doc_id = d.id ORDER BY d.id, c.ord`)
	if err != nil {
		return fail(err)
	}
	docs := map[string]*strings.Builder{}
	var order []string
	titles := map[string]string{}
	for _, s := range secs {
		name := retrieval.SectionName(s.headings)
		if name == "" {
			name = s.title
		}
		if _, err := bl.ExecContext(ctx, "INSERT INTO secs(doc, section, title, body) VALUES (?, ?, ?, ?)", s.id, name, s.title, s.headings+"\n"+s.body); err != nil {
			return fail(err)
		}
		d := docs[s.id]
		if d == nil {
			d = &strings.Builder{}
			docs[s.id], titles[s.id] = d, s.title
			order = append(order, s.id)
		}
		d.WriteString(s.headings + "\n" + s.body + "\n")
	}
	for _, id := range order {
		if _, err := bl.ExecContext(ctx, "INSERT INTO base(id, title, body) VALUES (?, ?, ?)", id, titles[id], docs[id].String()); err != nil {
			return fail(err)
		}
	}
	return bl, nil
}

// FormatEval prints the two results side by side.
func FormatEval(w io.Writer, a, b EvalResult) {
	fmt.Fprintf(w, "%-22s %10s %10s %8s\n", "metric", "bothy", "baseline", "ratio")
	row := func(name string, x, y float64) {
		ratio := "-"
		if y > 0 {
			ratio = fmt.Sprintf("%.2fx", x/y)
		}
		fmt.Fprintf(w, "%-22s %10.3f %10.3f %8s\n", name, x, y, ratio)
	}
	row("recall@1", a.Recall1, b.Recall1)
	row("recall@3", a.Recall3, b.Recall3)
	row("MRR", a.MRR, b.MRR)
	row("in-scope answered", a.Answered, b.Answered)
	row("out-of-scope abstain", a.Abstained, b.Abstained)
	if a.WithSection > 0 {
		row("section@1", a.Section1, b.Section1)
		row("section@3", a.Section3, b.Section3)
	}
	if a.WithMust > 0 {
		row("quotes the answer", a.Quotes, b.Quotes)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	row("ms per question, p50", ms(a.P50), ms(b.P50))
	row("ms per question, p99", ms(a.P99), ms(b.P99))
	fmt.Fprintf(w, "questions: %d in scope, %d out of scope", a.InScope, a.OutScope)
	if a.WithSection > 0 || a.WithMust > 0 {
		fmt.Fprintf(w, "; %d name a section, %d have must phrases", a.WithSection, a.WithMust)
	}
	fmt.Fprintln(w)
}

package knowledge

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// EvalQuestion is one line of an eval file: a question and the ids of the
// documents that answer it (none: out of scope, the bot should abstain).
type EvalQuestion struct {
	Q      string   `json:"q"`
	Expect []string `json:"expect"`
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
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		if strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("%s:%d: the question (q) is empty", name, n)
		}
		out = append(out, q)
	}
	return out, sc.Err()
}

// ranker is what eval compares: a ranked list of document ids and whether
// the system would answer.
type ranker func(ctx context.Context, q string) (ids []string, confidence float64, confident bool, err error)

func score(ctx context.Context, system string, qs []EvalQuestion, rank ranker) (EvalResult, error) {
	res := EvalResult{System: system}
	var r1, r3, mrr, answered, abstained float64
	if len(qs) > 0 {
		// One untimed question first: loading the index or compiling the
		// query is start-up, not ranking.
		if _, _, _, err := rank(ctx, qs[0].Q); err != nil {
			return res, fmt.Errorf("eval %q: %w", qs[0].Q, err)
		}
	}
	took := make([]time.Duration, 0, len(qs))
	for _, q := range qs {
		start := time.Now()
		ids, conf, confident, err := rank(ctx, q.Q)
		took = append(took, time.Since(start))
		if err != nil {
			return res, fmt.Errorf("eval %q: %w", q.Q, err)
		}
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
	}
	if res.InScope > 0 {
		n := float64(res.InScope)
		res.Recall1, res.Recall3, res.MRR, res.Answered = r1/n, r3/n, mrr/n, answered/n
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
	bothy, err = score(ctx, "bothy", qs, func(ctx context.Context, q string) ([]string, float64, bool, error) {
		r, err := b.retrieve(ctx, strings.ToValidUTF8(q, ""))
		if err != nil {
			return nil, 0, false, err
		}
		ids := make([]string, len(r.hits))
		for i, h := range r.hits {
			ids[i] = h.ID
		}
		return ids, r.confidence, len(r.hits) > 0 && r.confidence >= b.opts.MinConfidence, nil
	})
	if err != nil {
		return bothy, baseline, err
	}
	bl, err := b.newBaseline(ctx)
	if err != nil {
		return bothy, baseline, err
	}
	defer bl.Close()
	baseline, err = score(ctx, "fts5 bm25 baseline", qs, func(ctx context.Context, q string) ([]string, float64, bool, error) {
		var terms []string
		for _, t := range tokenize(q) {
			terms = append(terms, `"`+t.word+`"`)
		}
		if len(terms) == 0 {
			return nil, 0, false, nil
		}
		rows, err := bl.QueryContext(ctx, "SELECT id FROM base WHERE base MATCH ? ORDER BY bm25(base) LIMIT 10", strings.Join(terms, " OR "))
		if err != nil {
			return nil, 0, false, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, 0, false, err
			}
			ids = append(ids, id)
		}
		return ids, 1, len(ids) > 0, rows.Err()
	})
	return bothy, baseline, err
}

// newBaseline copies the corpus into an in-memory FTS5 table.
func (b *Base) newBaseline(ctx context.Context) (*sql.DB, error) {
	bl, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	bl.SetMaxOpenConns(1)
	if _, err := bl.ExecContext(ctx, "CREATE VIRTUAL TABLE base USING fts5(id UNINDEXED, title, body)"); err != nil {
		bl.Close()
		return nil, fmt.Errorf("knowledge: baseline: %w", err)
	}
	rows, err := b.db.Read.QueryContext(ctx, `SELECT d.id, d.title, group_concat(c.headings || char(10) || c.body, char(10))
		FROM kb_documents d JOIN kb_chunks c ON c.doc_id = d.id GROUP BY d.id`)
	if err != nil {
		bl.Close()
		return nil, fmt.Errorf("knowledge: baseline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, title, body string
		if err := rows.Scan(&id, &title, &body); err != nil {
			bl.Close()
			return nil, err
		}
		if _, err := bl.ExecContext(ctx, "INSERT INTO base(id, title, body) VALUES (?, ?, ?)", id, title, body); err != nil {
			bl.Close()
			return nil, err
		}
	}
	return bl, rows.Err()
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
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	row("ms per question, p50", ms(a.P50), ms(b.P50))
	row("ms per question, p99", ms(a.P99), ms(b.P99))
	fmt.Fprintf(w, "questions: %d in scope, %d out of scope\n", a.InScope, a.OutScope)
}

package knowledge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestDumpFeatures writes the ranking features of every question in the
// eval sets to the JSONL file named by BOTHY_DUMP_FEATURES, for fitting
// the ranking and confidence weights offline (see .notes/knowledge.md).
// It is a tool, not a check: without the variable it does nothing.
func TestDumpFeatures(t *testing.T) {
	out := os.Getenv("BOTHY_DUMP_FEATURES")
	if out == "" {
		t.Skip("set BOTHY_DUMP_FEATURES=FILE to dump ranking features")
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	shared := os.Getenv("BOTHY_SHARED_EVAL")
	if shared == "" {
		shared = filepath.Join(repoRoot(t), "..", "shared", "eval")
	}
	sets := []struct{ name, kb, questions string }{
		{"starter", "", "testdata/starter_questions.jsonl"},
		{"holdout", "", "testdata/starter_questions_holdout.jsonl"},
		{"evalkb", "testdata/evalkb", "testdata/eval_questions.jsonl"},
		{"shared", filepath.Join(shared, "kb"), filepath.Join(shared, "questions.jsonl")},
		{"generalise", "testdata/generalise/kb", "testdata/generalise/questions.jsonl"},
	}
	ctx := context.Background()
	for _, s := range sets {
		b := openBase(t, Options{NoStarter: s.kb != ""})
		if s.kb != "" {
			if _, err := b.Ingest(ctx, s.kb); err != nil {
				t.Fatal(err)
			}
		}
		qs, err := ReadEvalFile(s.questions)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			r, err := b.retrieve(ctx, q.Q)
			if err != nil {
				t.Fatal(err)
			}
			type hit struct {
				ID    string
				Score float64
				F     features
			}
			var hs []hit
			for _, h := range r.hits {
				hs = append(hs, hit{h.ID, h.Score, h.feats})
			}
			if err := enc.Encode(map[string]any{"set": s.name, "q": q.Q, "expect": q.Expect, "qf": r.q, "hits": hs, "n": len(r.concepts)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

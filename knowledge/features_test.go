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
// the ranking and confidence weights offline (see testdata/fit_confidence.py).
// Without the variable it writes to a temporary file and checks that every
// set produced rows with features, so the tool cannot rot unnoticed.
func TestDumpFeatures(t *testing.T) {
	out := os.Getenv("BOTHY_DUMP_FEATURES")
	if out == "" {
		out = filepath.Join(t.TempDir(), "features.jsonl")
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
		{"shared_more", filepath.Join(shared, "kb"), "testdata/shared_more/questions.jsonl"},
		{"generalise", "testdata/generalise/kb", "testdata/generalise/questions.jsonl"},
		{"fresh_a", "testdata/fresh_a/kb", "testdata/fresh_a/questions.jsonl"},
		{"fresh_b", "testdata/fresh_b/kb", "testdata/fresh_b/questions.jsonl"},
		{"fresh_c", "testdata/fresh_c/kb", "testdata/fresh_c/questions.jsonl"},
		{"fresh_e", "testdata/fresh_e/kb", "testdata/fresh_e/questions.jsonl"},
		// Never fitted on: the fit script scores them as unseen bases.
		{"fresh_d", "testdata/fresh_d/kb", "testdata/fresh_d/questions.jsonl"},
		{"fresh_f", "testdata/fresh_f/kb", "testdata/fresh_f/questions.jsonl"},
	}
	ctx := context.Background()
	rows, withHits := map[string]int{}, map[string]int{}
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
			rows[s.name]++
			if len(r.hits) > 0 {
				withHits[s.name]++
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
	for _, s := range sets {
		// Every set has in-scope questions, so a set with no ranked hits
		// at all means the dump lost its features.
		if rows[s.name] == 0 || withHits[s.name] == 0 {
			t.Errorf("set %s: %d rows, %d with hits", s.name, rows[s.name], withHits[s.name])
		}
	}
}

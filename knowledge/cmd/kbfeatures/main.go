// Command kbfeatures writes the ranking features of every question in the
// eval sets as JSON lines, the input of knowledge/testdata/fit_confidence.py,
// which fits the ranking and confidence weights offline. Run it from the
// repository root:
//
//	go run ./knowledge/cmd/kbfeatures -o /tmp/features.jsonl
//	python3 knowledge/testdata/fit_confidence.py /tmp/features.jsonl final
//
// Each set is ingested into its own temporary database. The shared sample
// (../shared/eval beside the repository, or -shared DIR) is needed for the
// "shared" and "shared_more" sets; without it they are left out, with a
// note on standard error, and the fit runs on the others.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kbfeatures:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

// sets lists the eval sets in the order the fit script expects them, paths
// relative to the testdata folder; "shared:" marks paths in the shared
// sample.
var sets = []knowledge.FeatureSet{
	{Name: "starter", Questions: "starter_questions.jsonl"},
	{Name: "holdout", Questions: "starter_questions_holdout.jsonl"},
	{Name: "evalkb", KB: "evalkb", Questions: "eval_questions.jsonl"},
	{Name: "shared", KB: "shared:kb", Questions: "shared:questions.jsonl"},
	{Name: "shared_more", KB: "shared:kb", Questions: "shared_more/questions.jsonl"},
	{Name: "generalise", KB: "generalise/kb", Questions: "generalise/questions.jsonl"},
	{Name: "fresh_a", KB: "fresh_a/kb", Questions: "fresh_a/questions.jsonl"},
	{Name: "fresh_b", KB: "fresh_b/kb", Questions: "fresh_b/questions.jsonl"},
	{Name: "fresh_c", KB: "fresh_c/kb", Questions: "fresh_c/questions.jsonl"},
	{Name: "fresh_e", KB: "fresh_e/kb", Questions: "fresh_e/questions.jsonl"},
	// Written blind at section level (section and must phrases).
	{Name: "sections_starter", Questions: "sections_starter/questions.jsonl"},
	{Name: "sections_g", KB: "sections_g/kb", Questions: "sections_g/questions.jsonl"},
	{Name: "sec_fresh_a", KB: "fresh_a/kb", Questions: "sec_fresh_a/questions.jsonl"},
	{Name: "sec_fresh_b", KB: "fresh_b/kb", Questions: "sec_fresh_b/questions.jsonl"},
	{Name: "sec_fresh_c", KB: "fresh_c/kb", Questions: "sec_fresh_c/questions.jsonl"},
	{Name: "sec_fresh_e", KB: "fresh_e/kb", Questions: "sec_fresh_e/questions.jsonl"},
	{Name: "sections_j", KB: "sections_j/kb", Questions: "sections_j/questions.jsonl"},
	{Name: "sections_k", KB: "sections_k/kb", Questions: "sections_k/questions.jsonl"},
	{Name: "sections_l", KB: "sections_l/kb", Questions: "sections_l/questions.jsonl"},
	{Name: "sections_m", KB: "sections_m/kb", Questions: "sections_m/questions.jsonl"},
	{Name: "sections_n", KB: "sections_n/kb", Questions: "sections_n/questions.jsonl"},
	{Name: "sections_o", KB: "sections_o/kb", Questions: "sections_o/questions.jsonl"},
	{Name: "sections_t", KB: "sections_t/kb", Questions: "sections_t/questions.jsonl"},
	{Name: "sections_u", KB: "sections_u/kb", Questions: "sections_u/questions.jsonl"},
	{Name: "sections_v", KB: "sections_v/kb", Questions: "sections_v/questions.jsonl"},
	{Name: "sections_w", KB: "sections_w/kb", Questions: "sections_w/questions.jsonl"},
	{Name: "sections_x", KB: "sections_x/kb", Questions: "sections_x/questions.jsonl"},
	{Name: "sections_y", KB: "sections_y/kb", Questions: "sections_y/questions.jsonl"},
	{Name: "sections_z", KB: "sections_z/kb", Questions: "sections_z/questions.jsonl"},
	// Never fitted on: the fit scripts score them as unseen bases.
	// sections_h, sections_p to sections_s and sections_aa to sections_aj are the untouched honest
	// sets: their questions are never read one by one.
	{Name: "fresh_d", KB: "fresh_d/kb", Questions: "fresh_d/questions.jsonl"},
	{Name: "fresh_f", KB: "fresh_f/kb", Questions: "fresh_f/questions.jsonl"},
	{Name: "sections_i", KB: "sections_i/kb", Questions: "sections_i/questions.jsonl"},
	{Name: "sections_h", KB: "sections_h/kb", Questions: "sections_h/questions.jsonl"},
	{Name: "sections_p", KB: "sections_p/kb", Questions: "sections_p/questions.jsonl"},
	{Name: "sections_q", KB: "sections_q/kb", Questions: "sections_q/questions.jsonl"},
	{Name: "sections_r", KB: "sections_r/kb", Questions: "sections_r/questions.jsonl"},
	{Name: "sections_s", KB: "sections_s/kb", Questions: "sections_s/questions.jsonl"},
	{Name: "sections_aa", KB: "sections_aa/kb", Questions: "sections_aa/questions.jsonl"},
	{Name: "sections_ab", KB: "sections_ab/kb", Questions: "sections_ab/questions.jsonl"},
	{Name: "sections_ac", KB: "sections_ac/kb", Questions: "sections_ac/questions.jsonl"},
	{Name: "sections_ad", KB: "sections_ad/kb", Questions: "sections_ad/questions.jsonl"},
	{Name: "sections_ae", KB: "sections_ae/kb", Questions: "sections_ae/questions.jsonl"},
	{Name: "sections_af", KB: "sections_af/kb", Questions: "sections_af/questions.jsonl"},
	{Name: "sections_ag", KB: "sections_ag/kb", Questions: "sections_ag/questions.jsonl"},
	{Name: "sections_ah", KB: "sections_ah/kb", Questions: "sections_ah/questions.jsonl"},
	{Name: "sections_ai", KB: "sections_ai/kb", Questions: "sections_ai/questions.jsonl"},
	{Name: "sections_aj", KB: "sections_aj/kb", Questions: "sections_aj/questions.jsonl"},
	{Name: "sections_starter_b", Questions: "sections_starter_b/questions.jsonl"},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kbfeatures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the JSON lines to this file (default: standard output)")
	testdata := fs.String("testdata", filepath.Join("knowledge", "testdata"), "the eval sets' folder")
	shared := fs.String("shared", filepath.Join("..", "shared", "eval"), "the shared eval sample (kb/ and questions.jsonl)")
	only := fs.String("set", "", "write only this set (default: all)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if _, err := os.Stat(filepath.Join(*testdata, "starter_questions.jsonl")); err != nil {
		return usageError{fmt.Errorf("%s has no eval sets (run from the repository root, or give -testdata): %w", *testdata, err)}
	}
	_, sharedErr := os.Stat(filepath.Join(*shared, "questions.jsonl"))
	tmp, err := os.MkdirTemp("", "kbfeatures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	w, file := stdout, (*os.File)(nil)
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	matched, wrote := 0, 0
	for i, s := range sets {
		if *only != "" && s.Name != *only {
			continue
		}
		matched++
		resolve := func(p string) string {
			if rest, ok := strings.CutPrefix(p, "shared:"); ok {
				return filepath.Join(*shared, rest)
			}
			return filepath.Join(*testdata, p)
		}
		if (strings.HasPrefix(s.KB, "shared:") || strings.HasPrefix(s.Questions, "shared:")) && sharedErr != nil {
			fmt.Fprintf(stderr, "kbfeatures: set %s left out: the shared sample is not at %s (-shared DIR)\n", s.Name, *shared)
			continue
		}
		if s.KB != "" {
			s.KB = resolve(s.KB)
		}
		s.Questions = resolve(s.Questions)
		if err := writeSet(ctx, w, filepath.Join(tmp, fmt.Sprintf("set%d.db", i)), s); err != nil {
			return fmt.Errorf("set %s: %w", s.Name, err)
		}
		wrote++
	}
	switch {
	case matched == 0:
		return usageError{fmt.Errorf("no set named %q", *only)}
	case wrote == 0:
		return errors.New("no set written")
	}
	if file != nil {
		return file.Close()
	}
	return nil
}

// writeSet ingests one set's knowledge base into a fresh database (or
// uses the starter) and writes its questions' features.
func writeSet(ctx context.Context, w io.Writer, dbPath string, s knowledge.FeatureSet) error {
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	base, err := knowledge.Open(ctx, db, knowledge.Options{NoStarter: s.KB != ""})
	if err != nil {
		return err
	}
	if s.KB != "" {
		if _, err := base.Ingest(ctx, s.KB); err != nil {
			return err
		}
	}
	qs, err := knowledge.ReadEvalFile(s.Questions)
	if err != nil {
		return err
	}
	withHits, err := base.WriteFeatures(ctx, w, s.Name, qs)
	if err != nil {
		return err
	}
	// Every set has in-scope questions, so none with a hit means the
	// features were lost.
	if len(qs) == 0 || withHits == 0 {
		return fmt.Errorf("%d questions, %d with hits: the features were lost", len(qs), withHits)
	}
	return nil
}

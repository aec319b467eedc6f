package knowledge

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/internal/testenv"
)

// The issue's targets for in-scope and out-of-scope questions.
const (
	targetRecall1  = 0.85
	targetRecall3  = 0.95
	targetMRR      = 0.9
	targetAnswered = 0.9
	targetAbstain  = 0.8
)

func runEval(t *testing.T, b *Base, questions string, targets EvalResult) {
	t.Helper()
	qs, err := ReadEvalFile(questions)
	if err != nil {
		t.Fatal(err)
	}
	mine, base, err := b.Eval(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	FormatEval(&out, mine, base)
	t.Logf("%s\n%s", questions, out.String())
	failed := false
	check := func(name string, got, want float64) {
		if got < want {
			t.Errorf("%s = %.3f, want >= %.2f", name, got, want)
			failed = true
		}
	}
	check("recall@1", mine.Recall1, targets.Recall1)
	check("recall@3", mine.Recall3, targets.Recall3)
	check("MRR", mine.MRR, targets.MRR)
	for _, r := range []EvalResult{mine, base} {
		if r.P50 <= 0 || r.P99 < r.P50 {
			t.Errorf("%s: ranking time p50 %v p99 %v, want 0 < p50 <= p99", r.System, r.P50, r.P99)
		}
	}
	check("answered", mine.Answered, targets.Answered)
	if mine.OutScope > 0 {
		check("abstained", mine.Abstained, targets.Abstained)
	}
	if targets.Section1 > 0 || targets.Section3 > 0 || targets.Quotes > 0 {
		if mine.WithSection == 0 {
			t.Errorf("no question names a section, so section figures cannot be checked")
		}
		check("section@1", mine.Section1, targets.Section1)
		check("section@3", mine.Section3, targets.Section3)
		check("quotes the answer", mine.Quotes, targets.Quotes)
	}
	// The untouched sets' questions are never read one by one, so their
	// misses are not printed even when a floor fails.
	if failed && !untouched[filepath.Base(filepath.Dir(questions))] {
		for _, m := range mine.Misses {
			t.Log("miss:", m)
		}
	}
}

// untouched are the sets never fitted on nor read question by question.
var untouched = map[string]bool{"sections_h": true, "sections_p": true, "sections_q": true, "sections_r": true, "sections_s": true, "sections_aa": true,
	"sections_ab": true, "sections_ac": true, "sections_ad": true,
	"sections_ae": true, "sections_af": true, "sections_ag": true, "sections_ah": true, "sections_ai": true, "sections_aj": true,
	"sections_starter_b": true}

var issueTargets = EvalResult{Recall1: targetRecall1, Recall3: targetRecall3, MRR: targetMRR, Answered: targetAnswered, Abstained: targetAbstain}

// TestEvalSharedSample runs the project's sample set, which lives beside
// the repository (../shared/eval) on the team's machines and in CI. A plain
// clone has nothing beside it: there the test skips and says so, and only
// fails when CI is set.
func TestEvalSharedSample(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "..", "shared", "eval")
	if _, err := os.Stat(filepath.Join(dir, "questions.jsonl")); err != nil {
		testenv.Missing(t, "the shared eval sample is not beside the repository (%v)", err)
	}
	b := openBase(t, Options{NoStarter: true})
	if _, err := b.Ingest(context.Background(), filepath.Join(dir, "kb")); err != nil {
		t.Fatal(err)
	}
	runEval(t, b, filepath.Join(dir, "questions.jsonl"), issueTargets)
	// More questions for the same knowledge base, written blind in the
	// chattier style of the fresh sets (longer, with backstory): floors
	// just under what is achieved.
	t.Run("more questions", func(t *testing.T) {
		runEval(t, b, filepath.Join("testdata", "shared_more", "questions.jsonl"),
			EvalResult{Recall1: 0.91, Recall3: 0.95, MRR: 0.93, Answered: 0.85, Abstained: 0.87})
	})
}

// TestEvalOwnSet runs a larger, deliberately harder set written for
// testdata/evalkb: plain wording, abbreviations, typos, and out-of-scope
// questions chosen to share words with the documents ("when is my next bin
// collection" against a page that mentions bin collection changes). Its
// floors sit just under what the ranking achieves, so a regression fails.
func TestEvalOwnSet(t *testing.T) {
	b := evalKB(t, Options{})
	runEval(t, b, filepath.Join("testdata", "eval_questions.jsonl"),
		EvalResult{Recall1: 0.96, Recall3: 0.98, MRR: 0.97, Answered: 0.94, Abstained: 0.72})
}

// TestEvalStarter checks the embedded starter knowledge base against its
// question set.
func TestEvalStarter(t *testing.T) {
	b := openBase(t, Options{})
	// Issue 9's targets. With the errand feature it refuses 28 of its 33
	// off-topic questions (0.848); before it, 25 (0.758, under the target).
	runEval(t, b, filepath.Join("testdata", "starter_questions.jsonl"), issueTargets)
}

// TestEvalStarterHoldout runs questions on the starter knowledge base that
// were kept out of every ranking decision; the confidence model has seen
// them since it was refitted on every set (its unseen-base figures come
// from leaving one base out, see retrieval's confModel). Floors sit at what was
// measured, so a regression fails; abstain is below the issue's target,
// which is known and reported.
func TestEvalStarterHoldout(t *testing.T) {
	b := openBase(t, Options{})
	runEval(t, b, filepath.Join("testdata", "starter_questions_holdout.jsonl"),
		EvalResult{Recall1: 0.96, Recall3: 1, MRR: 0.97, Answered: 0.96, Abstained: 0.5})
}

// TestEvalGeneralise runs an independent set written before the scoring
// changes: its own small knowledge base on other areas of comms practice
// (internal comms, monitoring, brand, podcasts, email, consultations, web
// writing, commissioning) and questions that were never tuned on. It
// stood in for an unseen knowledge base until the confidence model was
// refitted on every set. Floors are the measured figures.
func TestEvalGeneralise(t *testing.T) {
	b := openBase(t, Options{NoStarter: true})
	if _, err := b.Ingest(context.Background(), filepath.Join("testdata", "generalise", "kb")); err != nil {
		t.Fatal(err)
	}
	runEval(t, b, filepath.Join("testdata", "generalise", "questions.jsonl"),
		EvalResult{Recall1: 1, Recall3: 1, MRR: 1, Answered: 0.88, Abstained: 0.8})
}

// TestEvalFreshBases runs four sets written last, each with its own
// knowledge base of short guidance notes (recruitment, vaccination, brand,
// school closures, translation, hacked accounts, BSL and more) and
// questions in chat style: typos, shorthand, first person, near misses.
// They were written without sight of the ranking code. The first three
// were measured before anything changed for them, then shaped synonyms
// and the confidence fit; fresh_d came after all that and stays untouched.
// Floors are the measured figures, so a regression fails.
func TestEvalFreshBases(t *testing.T) {
	for _, tc := range []struct {
		set  string
		want EvalResult
	}{
		{"fresh_a", EvalResult{Recall1: 0.95, Recall3: 0.97, MRR: 0.96, Answered: 0.86, Abstained: 0.84}},
		{"fresh_b", EvalResult{Recall1: 0.98, Recall3: 1, MRR: 0.99, Answered: 0.91, Abstained: 0.85}},
		{"fresh_c", EvalResult{Recall1: 0.9, Recall3: 0.98, MRR: 0.94, Answered: 0.87, Abstained: 0.86}},
		// fresh_d was written after every other change and has never been
		// fitted or tuned on: the honest figure for an unseen base.
		{"fresh_d", EvalResult{Recall1: 0.9, Recall3: 0.96, MRR: 0.93, Answered: 0.85, Abstained: 0.8}},
		// fresh_e and fresh_f came later still, written blind like the
		// others. fresh_e's misses were read and it is in the confidence
		// fit; fresh_f, like fresh_d, has never been fitted or looked at
		// question by question.
		{"fresh_e", EvalResult{Recall1: 0.93, Recall3: 1, MRR: 0.96, Answered: 0.92, Abstained: 0.85}},
		{"fresh_f", EvalResult{Recall1: 0.93, Recall3: 1, MRR: 0.96, Answered: 0.93, Abstained: 0.45}},
	} {
		t.Run(tc.set, func(t *testing.T) {
			b := openBase(t, Options{NoStarter: true})
			if _, err := b.Ingest(context.Background(), filepath.Join("testdata", tc.set, "kb")); err != nil {
				t.Fatal(err)
			}
			runEval(t, b, filepath.Join("testdata", tc.set, "questions.jsonl"), tc.want)
		})
	}
}

// TestEvalSectionSets runs the sets written blind at section level: each
// in-scope question names the section that answers and phrases from it
// that carry the answer (issue 13). They were written by helpers who never
// saw the code, in chat style, with off-topic questions that share words
// or a situation with the base. sections_starter, sections_g and the
// sec_fresh_* sets fitted the section and confidence models;
// sections_j to sections_o, and later sections_t to sections_z, were
// first measured untouched and then joined the confidence fit; sections_i
// was never fitted on and only its totals were read; sections_h is the
// untouched set, never fitted on nor read question by question, and so are
// sections_p to sections_s, sections_aa to sections_ad and sections_ae to
// sections_aj, written later. Floors are the
// measured figures, so a regression fails.
func TestEvalSectionSets(t *testing.T) {
	for _, tc := range []struct {
		set, kb string
		want    EvalResult
	}{
		// With the starter's front-matter questions by section (0.857,
		// 0.604 and 0.593 for recall@1, section@1 and quotes without;
		// abstained 0.654).
		{"sections_starter", "", EvalResult{Recall1: 0.93, Recall3: 0.97, MRR: 0.95, Answered: 0.91, Abstained: 0.61, Section1: 0.76, Section3: 0.92, Quotes: 0.73}},
		{"sections_g", "sections_g/kb", EvalResult{Recall1: 0.76, Recall3: 0.91, MRR: 0.84, Answered: 0.93, Abstained: 0.6, Section1: 0.4, Section3: 0.71, Quotes: 0.49}},
		{"sec_fresh_a", "fresh_a/kb", EvalResult{Recall1: 0.93, Recall3: 0.98, MRR: 0.95, Answered: 0.81, Abstained: 0.8, Section1: 0.88, Section3: 0.96, Quotes: 0.74}},
		{"sec_fresh_b", "fresh_b/kb", EvalResult{Recall1: 0.91, Recall3: 0.96, MRR: 0.94, Answered: 0.86, Abstained: 0.93, Section1: 0.81, Section3: 0.91, Quotes: 0.68}},
		{"sec_fresh_c", "fresh_c/kb", EvalResult{Recall1: 0.85, Recall3: 0.94, MRR: 0.9, Answered: 0.87, Abstained: 0.66, Section1: 0.78, Section3: 0.89, Quotes: 0.66}},
		// Section@1 0.638 until tables were read as tables: a section
		// holding one got shorter, and its length feature moved one
		// question's first passage.
		{"sec_fresh_e", "fresh_e/kb", EvalResult{Recall1: 0.87, Recall3: 0.94, MRR: 0.92, Answered: 0.86, Abstained: 0.86, Section1: 0.62, Section3: 0.77, Quotes: 0.56}},
		{"sections_j", "sections_j/kb", EvalResult{Recall1: 0.85, Recall3: 0.98, MRR: 0.91, Answered: 0.8, Abstained: 0.86, Section1: 0.75, Section3: 0.88, Quotes: 0.68}},
		{"sections_k", "sections_k/kb", EvalResult{Recall1: 0.91, Recall3: 0.96, MRR: 0.94, Answered: 0.83, Abstained: 0.66, Section1: 0.8, Section3: 0.9, Quotes: 0.73}},
		{"sections_l", "sections_l/kb", EvalResult{Recall1: 0.86, Recall3: 0.96, MRR: 0.91, Answered: 0.98, Abstained: 0.33, Section1: 0.78, Section3: 0.93, Quotes: 0.83}},
		{"sections_m", "sections_m/kb", EvalResult{Recall1: 0.96, Recall3: 0.98, MRR: 0.97, Answered: 0.9, Abstained: 0.93, Section1: 0.71, Section3: 0.9, Quotes: 0.73}},
		{"sections_n", "sections_n/kb", EvalResult{Recall1: 0.91, Recall3: 1, MRR: 0.95, Answered: 0.88, Abstained: 0.66, Section1: 0.71, Section3: 0.93, Quotes: 0.7}},
		{"sections_o", "sections_o/kb", EvalResult{Recall1: 0.83, Recall3: 0.95, MRR: 0.89, Answered: 0.91, Abstained: 0.66, Section1: 0.75, Section3: 0.9, Quotes: 0.7}},
		{"sections_t", "sections_t/kb", EvalResult{Recall1: 0.85, Recall3: 0.95, MRR: 0.9, Answered: 0.81, Abstained: 0.93, Section1: 0.78, Section3: 0.93, Quotes: 0.63}},
		{"sections_u", "sections_u/kb", EvalResult{Recall1: 0.86, Recall3: 0.96, MRR: 0.92, Answered: 0.8, Abstained: 0.73, Section1: 0.7, Section3: 0.85, Quotes: 0.63}},
		{"sections_v", "sections_v/kb", EvalResult{Recall1: 0.7, Recall3: 0.96, MRR: 0.82, Answered: 0.9, Abstained: 0.66, Section1: 0.61, Section3: 0.8, Quotes: 0.63}},
		{"sections_w", "sections_w/kb", EvalResult{Recall1: 0.83, Recall3: 0.98, MRR: 0.9, Answered: 0.9, Abstained: 0.6, Section1: 0.71, Section3: 0.83, Quotes: 0.68}},
		{"sections_x", "sections_x/kb", EvalResult{Recall1: 0.91, Recall3: 1, MRR: 0.95, Answered: 0.86, Abstained: 0.66, Section1: 0.73, Section3: 0.85, Quotes: 0.65}},
		{"sections_y", "sections_y/kb", EvalResult{Recall1: 0.9, Recall3: 1, MRR: 0.94, Answered: 0.8, Abstained: 0.73, Section1: 0.81, Section3: 0.88, Quotes: 0.68}},
		{"sections_z", "sections_z/kb", EvalResult{Recall1: 0.9, Recall3: 0.96, MRR: 0.94, Answered: 0.91, Abstained: 0.73, Section1: 0.71, Section3: 0.85, Quotes: 0.75}},
		{"sections_i", "sections_i/kb", EvalResult{Recall1: 0.87, Recall3: 0.96, MRR: 0.92, Answered: 0.88, Abstained: 0.68, Section1: 0.6, Section3: 0.77, Quotes: 0.56}},
		{"sections_h", "sections_h/kb", EvalResult{Recall1: 0.87, Recall3: 0.94, MRR: 0.91, Answered: 0.81, Abstained: 0.84, Section1: 0.45, Section3: 0.83, Quotes: 0.47}},
		{"sections_p", "sections_p/kb", EvalResult{Recall1: 0.81, Recall3: 0.96, MRR: 0.89, Answered: 0.83, Abstained: 0.66, Section1: 0.61, Section3: 0.85, Quotes: 0.61}},
		{"sections_q", "sections_q/kb", EvalResult{Recall1: 0.85, Recall3: 0.9, MRR: 0.89, Answered: 0.88, Abstained: 0.53, Section1: 0.63, Section3: 0.86, Quotes: 0.63}},
		{"sections_r", "sections_r/kb", EvalResult{Recall1: 0.8, Recall3: 0.96, MRR: 0.88, Answered: 0.85, Abstained: 0.73, Section1: 0.73, Section3: 0.83, Quotes: 0.65}},
		{"sections_s", "sections_s/kb", EvalResult{Recall1: 0.88, Recall3: 0.95, MRR: 0.92, Answered: 0.91, Abstained: 0.8, Section1: 0.76, Section3: 0.9, Quotes: 0.78}},
		{"sections_aa", "sections_aa/kb", EvalResult{Recall1: 0.73, Recall3: 0.93, MRR: 0.84, Answered: 0.83, Abstained: 0.66, Section1: 0.7, Section3: 0.86, Quotes: 0.65}},
		// Written at the end of the stop that gave the section model its
		// three word-vector and number features, and measured once, on its
		// final build.
		{"sections_ab", "sections_ab/kb", EvalResult{Recall1: 0.91, Recall3: 0.98, MRR: 0.94, Answered: 0.98, Abstained: 0.39, Section1: 0.79, Section3: 0.83, Quotes: 0.81}},
		{"sections_ac", "sections_ac/kb", EvalResult{Recall1: 0.86, Recall3: 0.96, MRR: 0.91, Answered: 0.96, Abstained: 0.59, Section1: 0.76, Section3: 0.89, Quotes: 0.74}},
		{"sections_ad", "sections_ad/kb", EvalResult{Recall1: 0.94, Recall3: 1, MRR: 0.97, Answered: 0.94, Abstained: 0.66, Section1: 0.89, Section3: 0.98, Quotes: 0.91}},
		// Written in the stop that made a model's refusal Bothy's, and
		// measured once, on its build.
		{"sections_ae", "sections_ae/kb", EvalResult{Recall1: 0.86, Recall3: 0.96, MRR: 0.91, Answered: 0.94, Abstained: 0.73, Section1: 0.61, Section3: 0.88, Quotes: 0.66}},
		{"sections_af", "sections_af/kb", EvalResult{Recall1: 0.88, Recall3: 0.98, MRR: 0.93, Answered: 0.94, Abstained: 0.66, Section1: 0.73, Section3: 0.86, Quotes: 0.71}},
		{"sections_ag", "sections_ag/kb", EvalResult{Recall1: 0.93, Recall3: 0.98, MRR: 0.95, Answered: 0.84, Abstained: 0.39, Section1: 0.79, Section3: 0.89, Quotes: 0.71}},
		{"sections_ah", "sections_ah/kb", EvalResult{Recall1: 0.89, Recall3: 0.96, MRR: 0.93, Answered: 0.88, Abstained: 0.73, Section1: 0.66, Section3: 0.88, Quotes: 0.71}},
		{"sections_ai", "sections_ai/kb", EvalResult{Recall1: 0.86, Recall3: 0.98, MRR: 0.92, Answered: 0.93, Abstained: 0.59, Section1: 0.66, Section3: 0.84, Quotes: 0.69}},
		{"sections_aj", "sections_aj/kb", EvalResult{Recall1: 0.81, Recall3: 0.88, MRR: 0.86, Answered: 0.83, Abstained: 0.86, Section1: 0.63, Section3: 0.84, Quotes: 0.58}},
		// On the starter, written blind before the starter's front-matter
		// questions by section were, by another helper; measured without
		// them and with them (0.833, 0.583 and 0.583 for recall@1,
		// section@1 and quotes without; abstained 0.800).
		{"sections_starter_b", "", EvalResult{Recall1: 0.91, Recall3: 0.96, MRR: 0.94, Answered: 0.96, Abstained: 0.73, Section1: 0.78, Section3: 0.93, Quotes: 0.74}},
	} {
		t.Run(tc.set, func(t *testing.T) {
			b := openBase(t, Options{NoStarter: tc.kb != ""})
			if tc.kb != "" {
				if _, err := b.Ingest(context.Background(), filepath.Join("testdata", tc.kb)); err != nil {
					t.Fatal(err)
				}
			}
			runEval(t, b, filepath.Join("testdata", tc.set, "questions.jsonl"), tc.want)
		})
	}
}

// Every eval file the tests use reads cleanly against its base: no key
// that would be ignored, no document or section that is not there.
func TestEvalFilesCheckClean(t *testing.T) {
	sets, err := filepath.Glob(filepath.Join("testdata", "*", "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, qfile := range sets {
		set := filepath.Base(filepath.Dir(qfile))
		t.Run(set, func(t *testing.T) {
			kb := filepath.Join("testdata", set, "kb")
			if strings.HasPrefix(set, "sec_fresh_") {
				kb = filepath.Join("testdata", strings.TrimPrefix(set, "sec_"), "kb")
			}
			if set == "shared_more" { // asks the shared sample's base
				kb = filepath.Join(repoRoot(t), "..", "shared", "eval", "kb")
				if _, err := os.Stat(kb); err != nil {
					testenv.Missing(t, "the shared eval sample is not beside the repository (%v)", err)
				}
			}
			_, err := os.Stat(kb)
			starter := os.IsNotExist(err)
			if starter && !strings.HasPrefix(set, "sections_starter") {
				t.Fatalf("%s has no knowledge base: add its kb folder or say here which base it asks", set)
			}
			b := openBase(t, Options{NoStarter: !starter})
			if !starter {
				if _, err := b.Ingest(context.Background(), kb); err != nil {
					t.Fatal(err)
				}
			}
			qs, err := ReadEvalFile(qfile)
			if err != nil {
				t.Fatal(err)
			}
			warns, err := b.CheckEval(context.Background(), qs, qfile)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warns {
				t.Error(w)
			}
		})
	}
}

// A line that cannot be read is an error in the file's own terms; one
// that reads but not as meant is a warning naming its line.
func TestEvalFileMistakes(t *testing.T) {
	for _, tc := range []struct{ name, file, err, warn string }{
		{"empty file", "\n# only a comment\n", "no questions", ""},
		{"q a number", `{"q": 3, "expect": []}`, "q must be a string, not a JSON number", ""},
		{"not JSON", `{"q": "x", `, "not a JSON object", ""},
		{"misspelt expect", `{"q": "what is purdah", "expekt": ["pre-election"]}`, "", `"expekt" is not read (did you mean "expect"?)`},
		{"no expect", `{"q": "what is purdah"}`, "", `no "expect", so it counts as out of scope`},
		{"own keys are fine", `{"q": "what is purdah", "expect": [], "note": "trap", "id": 7}`, "", ""},
		{"no such document", `{"q": "what is purdah", "expect": ["purdah-guide"]}`, "", `no document "purdah-guide"`},
		{"no such section", `{"q": "what is purdah", "expect": ["pre-election"], "section": "Purdah rules"}`, "", `pre-election has no section "Purdah rules"`},
		{"the title names the lead", `{"q": "what is purdah", "expect": ["pre-election"], "section": "Social media in the pre-election period"}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs, err := ReadEval(strings.NewReader(tc.file), "qs.jsonl")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "Go struct") {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			warns, err := evalKB(t, Options{}).CheckEval(context.Background(), qs, "qs.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(warns, "\n")
			if tc.warn == "" && got != "" || !strings.Contains(got, tc.warn) || tc.warn != "" && !strings.HasPrefix(got, "qs.jsonl:1: ") {
				t.Errorf("warnings %q, want %q on line 1", got, tc.warn)
			}
		})
	}
}

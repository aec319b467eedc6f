package knowledge

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// streamQuestion is one line of a replay stream: the same need asked
// three times by different people, in the order they came.
type streamQuestion struct {
	Need    int      `json:"need"`
	Q       string   `json:"q"`
	Expect  []string `json:"expect"`
	Section string   `json:"section"`
}

// replayResult counts, for first askings and for later askings of a need,
// how many were answered from the right section.
type replayResult struct {
	first, later, firstRight, laterRight int
	// offTopic and offRefused count the base's off-topic questions asked
	// after the stream, and those still refused.
	offTopic, offRefused int
}

func (r replayResult) rates() (first, later float64) {
	return float64(r.firstRight) / float64(r.first), float64(r.laterRight) / float64(r.later)
}

// replay asks the stream in order. With learn, organisers act on each
// answer as the README describes: a right answer marked helpful is
// confirmed (kb confirm); an unanswered question, or one answered wrongly
// and marked not helpful, is pointed at its section (kb link).
func replay(t *testing.T, kb string, stream []streamQuestion, offTopic []EvalQuestion, learn bool) replayResult {
	t.Helper()
	ctx := context.Background()
	b := openBase(t, Options{NoStarter: kb != ""})
	if kb != "" {
		if _, err := b.Ingest(ctx, kb); err != nil {
			t.Fatal(err)
		}
	}
	var res replayResult
	seen := map[int]bool{}
	for _, s := range stream {
		a, err := b.Ask(ctx, Question{Text: s.Q, UserID: "member", Record: true})
		if err != nil {
			t.Fatal(err)
		}
		right := a.Confident && len(a.Passages) > 0 && a.Passages[0].DocID() == s.Expect[0] && sameSection(a.Passages[0].Section, s.Section)
		if seen[s.Need] {
			res.later++
			if right {
				res.laterRight++
			}
		} else {
			res.first++
			if right {
				res.firstRight++
			}
		}
		seen[s.Need] = true
		if !learn {
			continue
		}
		switch {
		case right:
			if err := b.Feedback(ctx, a.QuestionID, "member", true); err != nil {
				t.Fatal(err)
			}
			if err := b.ConfirmHelpful(ctx, a.QuestionID, "organiser"); err != nil {
				t.Fatal(err)
			}
		default:
			// Unanswered, or answered wrongly and marked not helpful:
			// an organiser points it at the section that answers.
			if err := b.LinkGap(ctx, a.QuestionID, s.Expect[0], s.Section, "organiser"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// What was taught must not make Bothy answer what the base does not
	// cover: the off-topic questions share its words.
	for _, q := range offTopic {
		a, err := b.Ask(ctx, Question{Text: q.Q})
		if err != nil {
			t.Fatal(err)
		}
		res.offTopic++
		if !a.Confident {
			res.offRefused++
		}
	}
	return res
}

// TestLearningFromTheCommunity replays streams of questions written blind
// (thirty needs, each asked three times by different people, in order)
// with and without organisers acting on the answers, and checks what they
// teach answers later askings. stream_starter is worded as a community
// asks: about a third of later askings close to an earlier one's words, a
// third partly, a third differently. sections_g's later askings were
// written to share as few words as possible with the documents and with
// each other, so little can carry over there; what is taught must at
// least not lead other questions astray. The streams on sections_t, _u and
// _x were written later, by helpers who read only those bases, in
// stream_starter's manner. After each stream, the base's off-topic
// questions are asked: what was taught must not get them answered.
func TestLearningFromTheCommunity(t *testing.T) {
	for _, tc := range []struct {
		name, kb, stream, questions string
		gain                        float64 // least lift on later askings
	}{
		// The starter's own front-matter questions already answer some
		// later askings (0.63 without them and without organisers).
		{"stream_starter", "", "stream_starter/stream.jsonl", "sections_starter/questions.jsonl", 0.05}, // measured 0.75 to 0.82
		{"sections_g", "sections_g/kb", "sections_g/stream.jsonl", "sections_g/questions.jsonl", 0.03},  // measured 0.30 to 0.33
		{"sections_t", "sections_t/kb", "sections_t/stream.jsonl", "sections_t/questions.jsonl", 0.03},  // measured 0.77 to 0.80
		{"sections_u", "sections_u/kb", "sections_u/stream.jsonl", "sections_u/questions.jsonl", 0.04},  // measured 0.80 to 0.85
		// Held out: never looked at question by question, nor used to
		// choose learntAgree.
		{"sections_x", "sections_x/kb", "sections_x/stream.jsonl", "sections_x/questions.jsonl", 0.0}, // measured 0.83 to 0.83
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := readStream(t, filepath.Join("testdata", tc.stream))
			kb := ""
			if tc.kb != "" {
				kb = filepath.Join("testdata", tc.kb)
			}
			qs, err := ReadEvalFile(filepath.Join("testdata", tc.questions))
			if err != nil {
				t.Fatal(err)
			}
			var offTopic []EvalQuestion
			for _, q := range qs {
				if len(q.Expect) == 0 {
					offTopic = append(offTopic, q)
				}
			}
			without := replay(t, kb, stream, offTopic, false)
			with := replay(t, kb, stream, offTopic, true)
			f0, l0 := without.rates()
			f1, l1 := with.rates()
			t.Logf("answered from the right section: first askings %.2f without organisers acting, %.2f with; later askings %.2f without, %.2f with (%d later askings); off-topic refused %d/%d without, %d/%d with",
				f0, f1, l0, l1, with.later, without.offRefused, without.offTopic, with.offRefused, with.offTopic)
			if with.offTopic == 0 {
				t.Fatalf("%s has no off-topic questions to check learning against", tc.questions)
			}
			if with.offRefused < without.offRefused-1 {
				t.Errorf("after learning, %d of %d off-topic questions were refused, against %d without: what was taught answers what the base does not cover",
					with.offRefused, with.offTopic, without.offRefused)
			}
			if f1 < f0-0.05 {
				t.Errorf("first askings fell from %.2f to %.2f: what was taught led other questions astray", f0, f1)
			}
			if l1 < l0+tc.gain {
				t.Errorf("learning took later askings from %.2f to %.2f, want at least +%.2f", l0, l1, tc.gain)
			}
		})
	}
}

func readStream(t *testing.T, path string) []streamQuestion {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stream []streamQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s streamQuestion
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		stream = append(stream, s)
	}
	return stream
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The fit script reads set, q, expect, qf, n and each hit's ID, Score and
// F (with Cov, DocCov, TitleTags, Heads, BM25): a row missing any of them
// would make it fail or fit on zeros.
func TestWritesWhatTheFitScriptReads(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"-testdata", filepath.Join("..", "..", "testdata"), "-set", "evalkb"}, &out, &errs)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 50 {
		t.Fatalf("%d rows for evalkb, want one per question (76)", len(lines))
	}
	withHits := 0
	for _, l := range lines {
		var row struct {
			Set    string             `json:"set"`
			Q      string             `json:"q"`
			Expect []string           `json:"expect"`
			QF     map[string]float64 `json:"qf"`
			N      *int               `json:"n"`
			Hits   []struct {
				ID    string
				Score float64
				F     map[string]float64
			} `json:"hits"`
		}
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatalf("row %q: %v", l, err)
		}
		if row.Set != "evalkb" || row.Q == "" || row.N == nil {
			t.Fatalf("row lacks set, q or n: %s", l)
		}
		for _, k := range []string{"Unknown", "Org", "Personal", "Long"} {
			if _, ok := row.QF[k]; !ok {
				t.Fatalf("qf lacks %s: %s", k, l)
			}
		}
		if len(row.Hits) > 0 {
			withHits++
			for _, k := range []string{"Cov", "DocCov", "TitleTags", "Heads", "BM25"} {
				if _, ok := row.Hits[0].F[k]; !ok {
					t.Fatalf("hit features lack %s: %s", k, l)
				}
			}
			if row.Hits[0].ID == "" || row.Hits[0].Score <= 0 {
				t.Fatalf("hit without ID or score: %s", l)
			}
		}
	}
	if withHits < len(lines)/2 {
		t.Fatalf("only %d of %d rows have hits", withHits, len(lines))
	}
}

func TestSharedSetsLeftOutWithANoteWhenTheSampleIsAbsent(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"-testdata", filepath.Join("..", "..", "testdata"), "-shared", t.TempDir(), "-set", "shared"}, &out, &errs)
	if err == nil || !strings.Contains(errs.String(), "set shared left out") {
		t.Fatalf("err %v, stderr %q: want the set left out with a note", err, errs.String())
	}
}

package llm

import (
	"slices"
	"testing"
)

func TestStripInvalidCitations(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"valid kept", "Ask IT for an exception [1].", 3, "Ask IT for an exception [1]."},
		{"out of range removed with its space", "Ask IT for an exception [7].", 3, "Ask IT for an exception."},
		{"list trimmed", "Use a personal device [1, 9].", 3, "Use a personal device [1]."},
		{"adjacent trimmed", "Use a personal device [1][9].", 3, "Use a personal device [1]."},
		{"invalid before valid keeps the gap", "Log it [9][2] today.", 3, "Log it [2] today."},
		{"mid sentence", "Log it [9] today.", 3, "Log it today."},
		{"invalid before a word", "Log it [9]today.", 3, "Log it today."},
		{"start of line", "[9] Start here.\n[4] And here [1].", 3, "Start here.\nAnd here [1]."},
		{"zero is never a source", "See [0].", 3, "See."},
		{"no sources at all", "See [1] and [2].", 0, "See and."},
		{"valid list kept as written", "See [1,2].", 3, "See [1,2]."},
		{"semicolons", "See [1; 4].", 3, "See [1]."},
		{"range kept", "See [2-3].", 3, "See [2-3]."},
		{"en dash range kept", "See [1–3].", 3, "See [1–3]."},
		{"range past the end removed", "See [2-5] and [1].", 3, "See and [1]."},
		{"backwards range removed", "See [3-1].", 3, "See."},
		{"source prefix normalised", "See [Source 2].", 3, "See [2]."},
		{"source prefix invalid", "See [sources 8].", 3, "See."},
		{"spaces inside", "See [ 2 ].", 3, "See [ 2 ]."},
		{"huge number", "See [123456789012].", 3, "See."},
		{"markdown link untouched", "See [1](https://example.org) and [5](https://x.org).", 3, "See [1](https://example.org) and [5](https://x.org)."},
		{"not a citation", "Use [brackets] and [a1].", 3, "Use [brackets] and [a1]."},
		{"several invalid in a row", "Done [4] [5] [6].", 3, "Done."},
		{"nothing to do", "No citations here.", 3, "No citations here."},
		{"empty", "", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripInvalidCitations(tt.in, tt.n); got != tt.want {
				t.Errorf("StripInvalidCitations(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestCitations(t *testing.T) {
	tests := []struct {
		name, in string
		want     []int
	}{
		{"none", "No citations.", nil},
		{"single", "See [2].", []int{2}},
		{"order of first appearance, once each", "a [3] b [1, 3] c [2][3]", []int{3, 1, 2}},
		{"range expands", "See [2-4].", []int{2, 3, 4}},
		{"source prefix", "See [Source 5].", []int{5}},
		{"backwards range ignored", "See [4-2].", nil},
		{"giant range ignored", "See [1-100000].", nil},
		{"markdown link ignored", "[1](https://example.org)", nil},
		{"zero counts", "See [0].", []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Citations(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Citations(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPresent(t *testing.T) {
	upTo3 := func(k int) bool { return k >= 1 && k <= 3 }
	tests := []struct{ name, in, want string }{
		{"trims and strips", "  Answer [1][8].\n", "Answer [1]."},
		{"reasoning block removed", "<think>the user wants [9]</think>\nAnswer [2].", "Answer [2]."},
		{"unclosed reasoning hidden mid-stream", "Answer [2]. <think>more", "Answer [2]."},
		{"only reasoning is empty", "<think>hmm</think>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := present(tt.in, upTo3); got != tt.want {
				t.Errorf("present(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormaliseBaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", DefaultBaseURL},
		{"http://127.0.0.1:11434", "http://127.0.0.1:11434/v1"},
		{"http://127.0.0.1:11434/", "http://127.0.0.1:11434/v1"},
		{"http://gpu-box:8000/v1/", "http://gpu-box:8000/v1"},
		{" https://example.org/openai/v1 ", "https://example.org/openai/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := normaliseBaseURL(tt.in); got != tt.want {
				t.Errorf("normaliseBaseURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestBadInputCatalogue sends every kind of awkward message through the
// real binary on the console and checks each gets a clear reply of its own
// and the bot carries on. After each input a marker command is sent, so the
// transcript can be split into one segment per input.
func TestBadInputCatalogue(t *testing.T) {
	catalogue := []struct {
		name string
		text string
	}{
		{"empty message", ""},
		{"only spaces", "    \t  "},
		{"100 KB message", strings.Repeat("purdah guidance ", 100*1024/16)},
		{"control characters", "what\x01 is\x02 purdah\x7f?"},
		{"right-to-left text", "ما هي فترة ما قبل الانتخابات؟"},
		{"emoji only", "🎉🔥👍"},
		{"SQL in a question", "'; DROP TABLE kv; --"},
		{"FTS syntax in a question", `purdah" OR NEAR(x y) AND title:* -foo ^bar`},
		{"apostrophes and symbols", "don't C++ ? & | ( ) { }"},
		{"invalid UTF-8", "caf\xe9 \xff\xfe guidance"},
		{"unknown command", "!frobnicate now"},
		{"bare bang", "!"},
		{"help for nonsense", "help ☃☃☃"},
	}
	var in strings.Builder
	for i, c := range catalogue {
		in.WriteString(c.text + "\n")
		fmt.Fprintf(&in, "!marker%d\n", i)
	}
	in.WriteString("help\n")
	out, errOut, code := runBothy(t, t.TempDir(), in.String(), nil, "--db", "bad.db")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	rest := out
	for i, c := range catalogue {
		marker := fmt.Sprintf("Unknown command \"marker%d\"", i)
		idx := strings.Index(rest, marker)
		if idx < 0 {
			t.Fatalf("%s: no marker reply after it; the bot stopped answering. Output so far:\n%.2000s", c.name, rest)
		}
		segment := strings.TrimSpace(rest[:idx])
		rest = rest[idx+len(marker):]
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			rest = rest[nl+1:]
		}
		t.Run(c.name, func(t *testing.T) {
			if c.name == "bare bang" {
				// A lone "!" is not addressed to any command; silence is right.
				return
			}
			if segment == "" {
				t.Fatalf("no reply")
			}
			if strings.Contains(segment, "something went wrong") {
				t.Fatalf("reply is an internal error: %q", segment)
			}
		})
	}
	if !strings.Contains(rest, "Commands (prefix with !") {
		t.Fatalf("the bot did not answer help at the end:\n%.2000s", rest)
	}
	if strings.Contains(errOut, "panic") {
		t.Fatalf("stderr shows a panic:\n%s", errOut)
	}
}

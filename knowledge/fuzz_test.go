package knowledge

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to the front-matter and Markdown parser:
// it must return a document or a path:line error, never panic, and never
// produce a document without text. Run: go test ./knowledge -fuzz FuzzParse -fuzztime 30s
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"---\nid: a\ntitle: T\ntags: [x, y]\n---\n# T\n\ntext\n",
		"---\ntitle: [oops\n---\ntext\n",
		"---\n---\n",
		"no front matter",
		"---\ntags: a, b\nupdated: 2020-01-01\n---\n## H2\n\n- item\n\n```\ncode\n```\n",
		"caf\xe9",
		"---\r\ntitle: crlf\r\n---\r\nbody\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("fuzz.md", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.md:") {
				t.Fatalf("error without path:line: %v", err)
			}
			return
		}
		if len(d.Chunks) == 0 || d.ID == "" || d.Title == "" {
			t.Fatalf("document without id, title or text: %+v", d)
		}
		for _, c := range d.Chunks {
			if !utf8.ValidString(c.Body) {
				t.Fatalf("invalid UTF-8 in chunk %q", c.Body)
			}
		}
	})
}

// FuzzAsk checks that no question text can make Ask fail.
func FuzzAsk(f *testing.F) {
	for _, s := range []string{`"`, `*`, `NEAR(a b)`, `a OR b`, `-x`, `col:x`, "don't", "C++", "🙂", "\xff", "IT X FB DM"} {
		f.Add(s)
	}
	b := openBase(f, Options{})
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := b.Ask(context.Background(), Question{Text: q}); err != nil {
			t.Fatalf("Ask(%q): %v", q, err)
		}
	})
}

package knowledge

import (
	"slices"
	"testing"
)

func TestPartsRoundTrip(t *testing.T) {
	for name, text := range map[string]string{
		"front matter and a fenced heading": "---\nid: a\n---\n# A\n\nlead\n\n## One\n\ntext\n```\n# not a heading\n```\n## Two\nmore\n",
		"no front matter":                   "# No front matter\n\nJust text.\n",
		"text before any heading":           "---\nid: b\ntitle: B\n---\n\nText before any heading.\n\n### Deep\n\nx\n",
		"unclosed front matter is body":     "---\nid: c\n# A\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := SplitParts(text)
			if got := JoinParts(p.FrontMatter, p.Sections); got != text {
				t.Errorf("round trip:\n%q\n%q", text, got)
			}
		})
	}
}

func TestSplitParts(t *testing.T) {
	p := SplitParts("# A\n\n## One\n```\n# fenced\n```\n\t# tab is code\n## Two\n")
	want := []string{"# A\n\n", "## One\n```\n# fenced\n```\n\t# tab is code\n", "## Two\n"}
	if !slices.Equal(p.Sections, want) {
		t.Errorf("sections = %q, want %q", p.Sections, want)
	}
	if got := JoinParts("id: x", []string{"# A\nno newline at end", "## B\n"}); got != "---\nid: x\n---\n# A\nno newline at end\n## B\n" {
		t.Errorf("join = %q", got)
	}
	if _, err := Parse("x.md", []byte(JoinParts("id: x", []string{"# A\ntext", "## B\nmore"}))); err != nil {
		t.Errorf("joined document does not parse: %v", err)
	}
}

func TestHeadingText(t *testing.T) {
	for _, c := range []struct {
		line, text string
		ok         bool
	}{
		{"## Who posts?\n", "Who posts?", true},
		{"   # Lead", "Lead", true},
		{"#", "", true},
		{"####### seven", "", false},
		{"#hashtag", "", false},
		{"\t# code", "", false},
		{"plain text", "", false},
	} {
		t.Run(c.line, func(t *testing.T) {
			text, ok := HeadingText(c.line)
			if text != c.text || ok != c.ok {
				t.Errorf("HeadingText(%q) = %q, %v; want %q, %v", c.line, text, ok, c.text, c.ok)
			}
		})
	}
}

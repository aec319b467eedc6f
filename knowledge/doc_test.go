package knowledge

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		path, src string
		wantID    string
		wantTitle string
		wantTags  []string
		wantHeads [][]string
		wantErr   string // substring of "path:line: message"
	}{
		{
			name: "full front matter and sections",
			path: "guides/blocked.md",
			src: "---\nid: access-blocked\ntitle: Blocked sites\nkind: Guidance\ntags: [ict, firewall]\nupdated: 2022-04-10\nsource: https://example.org\n---\n" +
				"# Blocked sites\n\nIntro text.\n\n## Business case\n\n- Ask *why*.\n- Write it down.\n\n### Detail\n\nMore.\n\n## Stopgap\n\nUse a work phone.\n",
			wantID: "access-blocked", wantTitle: "Blocked sites", wantTags: []string{"ict", "firewall"},
			wantHeads: [][]string{nil, {"Business case"}, {"Business case", "Detail"}, {"Stopgap"}},
		},
		{
			name: "id defaults to path, title to first heading, tags as a string",
			path: "faq/logins.md", src: "---\ntags: passwords, handover\n---\n# Keeping logins safe\n\nUse a password manager.\n",
			wantID: "faq/logins", wantTitle: "Keeping logins safe", wantTags: []string{"passwords", "handover"}, wantHeads: [][]string{nil},
		},
		{
			name: "no front matter at all", path: "notes.md", src: "Just text.\n",
			wantID: "notes", wantTitle: "notes", wantHeads: [][]string{nil},
		},
		{name: "broken yaml reports the file line", path: "bad.md", src: "---\ntitle: ok\ntags: [a, b\nkind: faq\n---\ntext\n", wantErr: "bad.md:"},
		{name: "mapping where a title should be", path: "bad2.md", src: "---\ntitle:\n  nested: x\n---\ntext\n", wantErr: "bad2.md:3: front matter"},
		{name: "unclosed front matter", path: "open.md", src: "---\ntitle: never closed\n\ntext\n", wantErr: "open.md:1: front matter starts with --- but has no closing"},
		{name: "invalid UTF-8 names the line", path: "latin1.md", src: "---\ntitle: ok\n---\nline one\ncaf\xe9\n", wantErr: "latin1.md:5: not valid UTF-8"},
		{name: "front matter that is a list", path: "list.md", src: "---\n- a\n- b\n---\ntext\n", wantErr: "list.md:2: front matter must be key: value"},
		{name: "empty body", path: "empty.md", src: "---\ntitle: nothing\n---\n\n", wantErr: "empty.md:4: no text"},
		// Issue 15.4: a source is shown as a link, so only web and email addresses.
		{name: "javascript source refused", path: "js.md", src: "---\ntitle: ok\nsource: javascript:alert(1)\n---\ntext\n", wantErr: `js.md:3: source: "javascript:alert(1)" is not a web or email address`},
		{name: "data url refused", path: "data.md", src: "---\ntitle: ok\nkind: faq\nurl: data:text/html,x\n---\ntext\n", wantErr: `data.md:4: url: "data:text/html,x" is not a web or email address`},
		{
			name: "mailto source kept", path: "mail.md", src: "---\ntitle: Ask us\nsource: mailto:comms@example.org\n---\ntext\n",
			wantID: "mail", wantTitle: "Ask us", wantHeads: [][]string{nil},
		},
		{name: "nested tags rejected", path: "tags.md", src: "---\ntags: [[a]]\n---\ntext\n", wantErr: "tags.md:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.path, []byte(tt.src))
			if tt.wantErr != "" {
				var pe *ParseError
				if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a ParseError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.ID != tt.wantID || d.Title != tt.wantTitle {
				t.Errorf("id, title = %q, %q; want %q, %q", d.ID, d.Title, tt.wantID, tt.wantTitle)
			}
			if strings.Join(d.Tags, ",") != strings.Join(tt.wantTags, ",") {
				t.Errorf("tags = %v, want %v", d.Tags, tt.wantTags)
			}
			if len(d.Chunks) != len(tt.wantHeads) {
				t.Fatalf("got %d chunks %+v, want %d", len(d.Chunks), d.Chunks, len(tt.wantHeads))
			}
			for i, c := range d.Chunks {
				if strings.Join(c.Headings, ">") != strings.Join(tt.wantHeads[i], ">") {
					t.Errorf("chunk %d headings = %v, want %v", i, c.Headings, tt.wantHeads[i])
				}
			}
		})
	}
}

func TestParseKeepsListsAndDropsMarkup(t *testing.T) {
	d, err := Parse("x.md", []byte("# T\n\nSee [the guide](https://example.org) and `code`.\n\n- one\n- two **bold**, [above](#t), [rota](rota.md), <https://a.example>\n\n<div>raw html</div>\n"))
	if err != nil {
		t.Fatal(err)
	}
	body := d.Chunks[0].Body
	// A web address stays, after the link's words, so a quote still says
	// where to look; an anchor or a path beside the file means nothing
	// in chat.
	for _, want := range []string{"See the guide (https://example.org) and code.", "- one", "- two bold, above, rota, https://a.example"} {
		if !strings.Contains(body, want) {
			t.Errorf("body %q lacks %q", body, want)
		}
	}
	if strings.Contains(body, "<div>") || strings.Contains(body, "](") || strings.Contains(body, "#t") || strings.Contains(body, "rota.md") {
		t.Errorf("body %q keeps markup", body)
	}
	if d.Kind != "" || d.Updated != "" {
		t.Errorf("kind/updated should be empty, got %q %q", d.Kind, d.Updated)
	}
}

func TestParseUpdatedDate(t *testing.T) {
	d, err := Parse("x.md", []byte("---\nupdated: 2019-06-01\nkind: Case-Study\n---\ntext\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Updated != "2019-06-01" || d.Kind != "case-study" {
		t.Errorf("updated, kind = %q, %q", d.Updated, d.Kind)
	}
}

func TestTitleWithAColonNeedsNoQuotes(t *testing.T) {
	d, err := Parse("a.md", []byte("---\nid: awards\ntitle: Awards entries: questions we get asked\ntags: [awards]\n---\n# Awards\n\nText.\n"))
	if err != nil {
		t.Fatalf("a title with a colon was refused: %v", err)
	}
	if d.Title != "Awards entries: questions we get asked" {
		t.Errorf("title = %q", d.Title)
	}
	// Real nesting mistakes are still reported with their line.
	if _, err := Parse("b.md", []byte("---\ntitle: [unclosed\n---\n# B\n\nText.\n")); err == nil || !strings.Contains(err.Error(), "b.md:") {
		t.Errorf("broken YAML: %v", err)
	}
}

// A table pasted from a spreadsheet reads as a list under its header, so
// an answer quotes it row by row instead of as one line of pipes.
func TestParseReadsTablesAsLists(t *testing.T) {
	d, err := Parse("x.md", []byte("# Kit\n\nWhat to bring:\n\n| Item | Needed |\n|---|---|\n| Operator ID | yes |\n| Spare **battery** | if flying over an hour |\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "What to bring:\n\nItem | Needed\n- Operator ID | yes\n- Spare battery | if flying over an hour"
	if got := d.Chunks[0].Body; got != want {
		t.Errorf("body\n%q\nwant\n%q", got, want)
	}
}

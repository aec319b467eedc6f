package matrix

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/bot"
)

// anchor finds every link in rendered HTML with its address and its text.
var anchor = regexp.MustCompile(`<a href="([^"]*)">(.*?)</a>`)

// TestMemberLinksShowTheirAddress (issue 15.4): text members write is
// shown as text. No labelled links (a link's text is its own address),
// and only http, https and mailto addresses are ever linked.
func TestMemberLinksShowTheirAddress(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the HTML
		notWant  []string
	}{
		{"javascript link", "[js](javascript:alert(2))", []string{"js (javascript:alert(2))"}, []string{"<a"}},
		{"javascript in capitals", "[js](JaVaScRiPt:alert(2))", []string{"js (JaVaScRiPt:alert(2))"}, []string{"<a"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"<a"}},
		{"labelled phishing link", "[login](https://evil.example/login)",
			[]string{`login (<a href="https://evil.example/login">https://evil.example/login</a>)`}, nil},
		{"lookalike label", "[https://login.gov.uk](https://evil.example/)",
			[]string{`https://login.gov.uk (<a href="https://evil.example/">https://evil.example/</a>)`}, nil},
		{"bold label", "**[login](https://evil.example/login)** now", []string{"<strong>login (<a"}, nil},
		{"reference link", "[login][1]\n\n[1]: javascript:alert(1)", []string{"login (javascript:alert(1))"}, []string{"<a"}},
		{"label is the address", "[https://gov.uk/x](https://gov.uk/x)", []string{`<a href="https://gov.uk/x">https://gov.uk/x</a>`}, []string{"https://gov.uk/x ("}},
		{"autolink", "see <https://gov.uk/x>", []string{`<a href="https://gov.uk/x">https://gov.uk/x</a>`}, nil},
		{"javascript autolink", "<javascript:alert(1)>", []string{"javascript:alert(1)"}, []string{"<a"}},
		{"email autolink", "<comms@example.org>", []string{`<a href="mailto:comms@example.org">comms@example.org</a>`}, nil},
		{"image", "![logo](https://evil.example/track.png)", []string{"logo (<a"}, []string{"<img"}},
		{"raw html", `<a href="javascript:alert(1)">x</a> <img src=x onerror=alert(1)>`, []string{"&lt;a href="}, []string{"<a", "<img"}},
		{"userinfo trick", "[x](https://gov.uk@evil.example/)", []string{"x (https://gov.uk@evil.example/)"}, []string{"<a"}},
		{"bare url stays text", "https://gov.uk/x", []string{"https://gov.uk/x"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := renderReply(bot.Reply{Text: tc.in})
			got := c.FormattedBody
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML %q lacks %q", got, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("HTML %q contains %q", got, w)
				}
			}
			checkLinksShowAddress(t, got)
		})
	}
}

// checkLinksShowAddress fails on any link whose text is not its address
// or whose scheme Bothy does not link.
func checkLinksShowAddress(t *testing.T, h string) {
	t.Helper()
	for _, m := range anchor.FindAllStringSubmatch(h, -1) {
		href, text := html.UnescapeString(m[1]), html.UnescapeString(m[2])
		if !bot.LinkAllowed(href) {
			t.Errorf("link to %q in %q", href, h)
		}
		if text != href && "mailto:"+text != href {
			t.Errorf("labelled link %q -> %q in %q", text, href, h)
		}
	}
}

func TestSourceLinksOnlyWebAddresses(t *testing.T) {
	c, _ := renderReply(bot.Reply{Text: "x", Sources: []bot.Source{
		{N: 1, Title: "Evil", URL: "javascript:alert(1)"},
		{N: 2, Title: "Good", URL: "https://example.org/a"},
	}})
	if strings.Contains(c.FormattedBody, "javascript") && strings.Contains(c.FormattedBody, `href="javascript`) {
		t.Errorf("a javascript: source was linked: %s", c.FormattedBody)
	}
	if !strings.Contains(c.FormattedBody, `<a href="https://example.org/a">Good</a>`) {
		t.Errorf("the web source lost its link: %s", c.FormattedBody)
	}
}

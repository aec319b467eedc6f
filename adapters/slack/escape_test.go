package slack

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/bot"
)

// hostile is what a member can get into reply text: in a question that
// becomes a gap or a document title, a meetup title or venue, a shout-out
// reason, or an answer a language model wrote from their question.
const hostile = "<!channel> <!here> <!everyone> <@U0ADMIN01> <#C0GENERAL> <!subteam^S0TEAM> " +
	"<https://evil.example/login|Sign in to your council> [login](https://evil.example/login) " +
	"[js](javascript:alert(2)) [pipe](https://evil.example/|Council) & done"

// slackMarkup finds Slack's control sequences in mrkdwn.
var slackMarkup = regexp.MustCompile(`<[^>]*>`)

// TestEveryPayloadFieldEscaped (issue 15.3, 15.4): whatever a reply holds,
// no field of the payload Slack receives carries a mention, a channel or
// group ping, or a labelled link, other than the sources' own links.
func TestEveryPayloadFieldEscaped(t *testing.T) {
	const trusted = "https://example.gov.uk/guide"
	buttons := []bot.Button{{ActionID: "kb.helpful", Label: "Helpful", Value: "1"}}
	for _, tc := range []struct {
		name string
		r    bot.Reply
	}{
		{"plain", bot.Reply{Text: hostile}},
		{"with buttons", bot.Reply{Text: hostile, Buttons: buttons}},
		{"with sources", bot.Reply{Text: "**Answer** " + hostile, Sources: []bot.Source{
			{N: 1, ID: "faq-1", Title: hostile, Kind: hostile, Updated: hostile, URL: trusted},
			{N: 2, ID: hostile, Title: "", URL: "javascript:alert(1)"},
			{N: 3, ID: "x", Title: "x", URL: "https://evil.example/|Council"},
		}}},
		{"sources and buttons", bot.Reply{Text: hostile, Sources: []bot.Source{{Title: hostile, URL: trusted}}, Buttons: buttons}},
		{"in a code span", bot.Reply{Text: "`" + hostile + "`\n```\n" + hostile + "\n```", Buttons: buttons}},
		{"long", bot.Reply{Text: strings.Repeat(hostile+"\n\n", 300), Buttons: buttons}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := render(tc.r)
			fields := []string{p.text}
			raw, err := json.Marshal(p.blocks)
			if err != nil {
				t.Fatal(err)
			}
			var tree any
			if err := json.Unmarshal(raw, &tree); err != nil {
				t.Fatal(err)
			}
			walkStrings(tree, func(s string) { fields = append(fields, s) })
			for _, f := range fields {
				for _, m := range slackMarkup.FindAllString(f, -1) {
					inner := strings.TrimSuffix(strings.TrimPrefix(m, "<"), ">")
					addr, label, labelled := strings.Cut(inner, "|")
					switch {
					case !bot.LinkAllowed(unescape(addr)):
						t.Errorf("Slack would act on %q in %q", m, f)
					case labelled && addr != trusted && addr != "https://evil.example/%7CCouncil":
						// Only sources (from curated front matter) are
						// labelled; a | in their address starts no label.
						t.Errorf("labelled link %q (%q) in %q", m, label, f)
					}
				}
			}
		})
	}
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}

package slack

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"

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

// TestMentionsRenderedByTheAdapter (issue 15.5): a reply that means to
// notify someone writes Mention(id) and lists the ID in Mentions; only
// that mention becomes Slack markup, in the text and in the blocks. A
// mention of anyone else in the same text stays escaped, as does a
// listed ID that is not a Slack user ID.
func TestMentionsRenderedByTheAdapter(t *testing.T) {
	a := &Adapter{}
	text := a.Mention("U0CAROL01") + ", you received a shout-out: " + hostile + " " + a.Mention("U0OTHER01")
	for _, r := range []bot.Reply{
		{Text: text, Mentions: []string{"U0CAROL01", "<!channel>"}},
		{Text: text, Mentions: []string{"U0CAROL01"}, Buttons: []bot.Button{{ActionID: "x", Label: "OK", Value: "1"}}},
	} {
		out := render(r)
		fields := []string{out.text}
		for _, b := range out.blocks {
			if sec, ok := b.(*slack.SectionBlock); ok {
				fields = append(fields, sec.Text.Text)
			}
		}
		for _, f := range fields {
			if !strings.Contains(f, "<@U0CAROL01>") {
				t.Errorf("Carol is not mentioned: %s", f)
			}
			for _, m := range slackMarkup.FindAllString(f, -1) {
				// Bare addresses are links with the address shown.
				if m != "<@U0CAROL01>" && !(strings.HasPrefix(m, "<https://") && !strings.Contains(m, "|")) {
					t.Errorf("markup %q beside the one mention: %s", m, f)
				}
			}
		}
	}
	if !a.IsMention("<@U0CAROL01>") || !a.IsMention("<@U0CAROL01|carol>,") || a.IsMention("@carol") || a.IsMention("carol") {
		t.Error("IsMention does not read Slack's mention markup")
	}
}

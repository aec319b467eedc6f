// Package chat connects the knowledge base to the bot: the ask and kb
// commands, the Helpful / Not helpful buttons and reactions, and the
// folder watcher service.
package chat

import (
	"strings"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/knowledge"
)

// PlainAnswer renders an answer with its sources as plain text (the CLI).
func PlainAnswer(a knowledge.Answer) string {
	return bot.PlainText(reply(a, false))
}

func reply(a knowledge.Answer, buttons bool) bot.Reply {
	r := bot.Reply{Text: a.Text}
	if a.Confident {
		r.Sources = sources(a.Sources)
	}
	_ = buttons
	return r
}

func sources(hits []knowledge.Hit) []bot.Source {
	var out []bot.Source
	for i, h := range hits {
		out = append(out, bot.Source{N: i + 1, ID: h.ID, Title: h.Title, Kind: h.Kind, URL: h.URL, Updated: strings.TrimSpace(h.Updated)})
	}
	return out
}

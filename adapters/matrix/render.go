package matrix

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/bothy-chat/bothy/bot"
)

// renderReply turns a reply into an m.notice with an HTML body (Markdown
// rendered, sources as a numbered list of links, buttons as a reaction
// hint) and a plain-text body for clients without HTML. It also returns
// the emoji chosen for each button. The people in r.Mentions, and no one
// else, are in m.mentions, and their IDs in the text become pills.
func renderReply(r bot.Reply) (*event.MessageEventContent, []string) {
	htmlText := markdownHTML(r.Text)
	mentions := &event.Mentions{}
	for _, m := range r.Mentions {
		u := id.UserID(m)
		if _, _, err := u.Parse(); err != nil || mentions.Has(u) {
			continue
		}
		mentions.Add(u)
		htmlText = pillify(htmlText, u)
	}
	var hb strings.Builder
	hb.WriteString(htmlText)
	plain := bot.PlainText(bot.Reply{Text: r.Text, Sources: r.Sources})
	if len(r.Sources) > 0 {
		start := r.Sources[0].N
		if start <= 0 {
			start = 1
		}
		if start == 1 {
			hb.WriteString("<p>Sources:</p><ol>")
		} else {
			fmt.Fprintf(&hb, "<p>Sources:</p><ol start=\"%d\">", start)
		}
		for _, s := range r.Sources {
			hb.WriteString("<li>")
			title := html.EscapeString(s.Title)
			if title == "" {
				title = html.EscapeString(s.ID)
			}
			if bot.LinkAllowed(s.URL) {
				fmt.Fprintf(&hb, `<a href="%s">%s</a>`, html.EscapeString(s.URL), title)
			} else {
				hb.WriteString(title)
			}
			if meta := sourceMeta(s); meta != "" {
				hb.WriteString(" <em>(" + html.EscapeString(meta) + ")</em>")
			}
			hb.WriteString("</li>")
		}
		hb.WriteString("</ol>")
	}
	emoji := ButtonEmoji(r.Buttons)
	if len(r.Buttons) > 0 {
		hint := buttonHint(r.Buttons, emoji)
		plain += "\n\n" + hint
		hb.WriteString("<p><em>" + html.EscapeString(hint) + "</em></p>")
	}
	return &event.MessageEventContent{
		MsgType:       event.MsgNotice,
		Body:          plain,
		Format:        event.FormatHTML,
		FormattedBody: hb.String(),
		Mentions:      mentions,
	}, emoji
}

// pillify links each whole-word occurrence of a user ID in HTML text to
// the user (a pill, as clients draw mentions). IDs need no HTML escaping.
func pillify(htmlText string, u id.UserID) string {
	var b strings.Builder
	rest := htmlText
	for {
		i := indexName(rest, string(u))
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		fmt.Fprintf(&b, `%s<a href="https://matrix.to/#/%s">%s</a>`, rest[:i], u, u)
		rest = rest[i+len(u):]
	}
}

func sourceMeta(s bot.Source) string {
	var meta []string
	if s.Kind != "" {
		meta = append(meta, s.Kind)
	}
	if s.ID != "" && s.Title != "" {
		meta = append(meta, s.ID)
	}
	if s.Updated != "" {
		meta = append(meta, "updated "+s.Updated)
	}
	return strings.Join(meta, ", ")
}

// buttonHint is the line that stands in for buttons: "React 👍 helpful /
// 👎 not helpful".
func buttonHint(buttons []bot.Button, emoji []string) string {
	parts := make([]string, len(buttons))
	for i, b := range buttons {
		parts[i] = emoji[i] + " " + strings.ToLower(b.Label)
	}
	return "React " + strings.Join(parts, " / ")
}

// ButtonEmoji picks the reaction that stands for each button on Matrix;
// the table is the core's (bot.ButtonEmoji), which the console shares.
// Features that read reactions can use it to agree with the hint the
// adapter shows.
func ButtonEmoji(buttons []bot.Button) []string { return bot.ButtonEmoji(buttons) }

const buttonsNamespace = "matrix.buttons"

type storedButton struct {
	Emoji    string `json:"emoji"`
	ActionID string `json:"action"`
	Value    string `json:"value,omitempty"`
}

// rememberButtons keeps a message's emoji-to-button map in the kv table so
// reactions still map to actions after a restart.
func (a *Adapter) rememberButtons(ctx context.Context, msg id.EventID, buttons []bot.Button, emoji []string) {
	list := make([]storedButton, len(buttons))
	for i, b := range buttons {
		list[i] = storedButton{Emoji: emoji[i], ActionID: b.ActionID, Value: b.Value}
	}
	raw, _ := json.Marshal(list)
	if err := a.db.SetKV(ctx, buttonsNamespace, string(msg), string(raw)); err != nil {
		a.log.Warn("cannot remember buttons", "event", msg, "err", err)
	}
}

func (a *Adapter) buttonFor(ctx context.Context, msg id.EventID, emoji string) (bot.Button, bool) {
	raw, ok, err := a.db.GetKV(ctx, buttonsNamespace, string(msg))
	if err != nil || !ok {
		return bot.Button{}, false
	}
	var list []storedButton
	if json.Unmarshal([]byte(raw), &list) != nil {
		return bot.Button{}, false
	}
	emoji = strings.TrimSuffix(emoji, "\ufe0f")
	for _, b := range list {
		if strings.TrimSuffix(b.Emoji, "\ufe0f") == emoji {
			return bot.Button{ActionID: b.ActionID, Value: b.Value}, true
		}
	}
	return bot.Button{}, false
}

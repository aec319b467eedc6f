package matrix

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/format"
	"maunium.net/go/mautrix/format/mdext"

	"github.com/bothy-chat/bothy/bot/markup"
)

// markdown renders reply text to HTML. Reply text carries what members
// wrote (questions, reasons, meetup titles), so it is rendered as text:
// raw HTML is escaped, and a link never hides where it goes (see
// markup.VisibleLinks, shared with the community page). mautrix's own
// renderer is built for trusted input and passes any link scheme through,
// javascript: included.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Strikethrough, extension.Table, mdext.Spoiler, mdext.EscapeHTML, markup.VisibleLinks{}),
	goldmark.WithRendererOptions(html.WithHardWraps()),
)

// markdownHTML renders text for formatted_body.
func markdownHTML(text string) string {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(text), &buf); err != nil {
		return event.TextToHTML(text)
	}
	return format.UnwrapSingleParagraph(buf.String())
}

package slack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/bothy-chat/bothy/bot"
)

// Slack's documented Block Kit limits.
const (
	maxSectionText  = 3000
	maxBlocks       = 50
	maxContextElems = 10
	maxButtons      = 25
	maxButtonText   = 75
	maxButtonValue  = 2000
	maxActionID     = 255
	maxFallbackText = 39000
	// actionsBlockID marks the buttons block Bothy renders, so a button
	// press can be told apart from other apps' blocks in shared views.
	actionsBlockID = "bothy_buttons"
	sourcesBlockID = "bothy_sources"
)

var (
	mdLink    = regexp.MustCompile(`\[([^\]\n]+)\]\(((?:https?|mailto):[^\s)]+)\)`)
	mdBold    = regexp.MustCompile(`\*\*([^*\n]+?)\*\*|__([^_\n]+?)__`)
	mdItalic  = regexp.MustCompile(`(^|[^\w*])\*([^*\s](?:[^*\n]*[^*\s])?)\*($|[^\w*])`)
	mdHeading = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*\s*$`)
	mdBullet  = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	mdStrike  = regexp.MustCompile(`~~([^~\n]+?)~~`)
	// dupSuffix is how a repeated action ID is made unique within a message.
	dupSuffix = regexp.MustCompile(`^(.+)#([0-9]+)$`)
)

// Mrkdwn converts the light Markdown bot replies use into Slack's mrkdwn:
// **bold** becomes *bold*, *italic* becomes _italic_, headings become bold
// lines and list dashes become bullets. Text inside backticks is left
// alone, and &, < and > are escaped as Slack requires, so nothing in the
// text can mention @channel, a person or a group.
//
// Reply text carries what members wrote (questions, reasons, titles), so
// a Markdown link [t](u) never becomes a labelled link: it is shown as
// "t (u)" with the address itself as the link, and only for http, https
// and mailto addresses.
func Mrkdwn(md string) string {
	var out strings.Builder
	inFence := false
	for i, line := range strings.Split(md, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			out.WriteString(escape(line))
			continue
		}
		if inFence {
			out.WriteString(escape(line))
			continue
		}
		out.WriteString(convertLine(line))
	}
	return out.String()
}

func convertLine(line string) string {
	if m := mdHeading.FindStringSubmatch(line); m != nil {
		line = "**" + m[1] + "**"
	}
	if loc := mdBullet.FindStringSubmatchIndex(line); loc != nil {
		line = line[loc[2]:loc[3]] + "• " + line[loc[1]:]
	}
	// Split on backticks: even pieces are prose, odd pieces are code.
	parts := strings.Split(line, "`")
	if len(parts)%2 == 0 {
		// An unmatched backtick: treat the tail as prose.
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for i := range parts {
		if i%2 == 1 {
			parts[i] = escape(parts[i])
			continue
		}
		parts[i] = convertProse(parts[i])
	}
	return strings.Join(parts, "`")
}

func convertProse(s string) string {
	// Links first, keeping their label for the formatting passes but
	// protecting the URL from them.
	var urls []string
	if strings.Contains(s, "](") {
		s = mdLink.ReplaceAllStringFunc(s, func(m string) string {
			sub := mdLink.FindStringSubmatch(m)
			urls = append(urls, sub[2])
			return "\x02" + strconv.Itoa(len(urls)-1) + "\x03" + sub[1] + "\x04"
		})
	}
	s = escape(s)
	// The regular expressions are the costly part; most prose has none of
	// their markers.
	if strings.Contains(s, "**") || strings.Contains(s, "__") {
		s = mdBold.ReplaceAllString(s, "\x01$1$2\x01")
	}
	if strings.IndexByte(s, '*') >= 0 {
		s = mdItalic.ReplaceAllString(s, "${1}_${2}_$3")
	}
	if strings.Contains(s, "~~") {
		s = mdStrike.ReplaceAllString(s, "~$1~")
	}
	s = strings.ReplaceAll(s, "\x01", "*")
	// Put the links back as <url|label>; a | in the label would end it early.
	var b strings.Builder
	for {
		start := strings.IndexByte(s, '\x02')
		if start < 0 {
			b.WriteString(s)
			break
		}
		mid := strings.IndexByte(s[start:], '\x03')
		end := strings.IndexByte(s[start:], '\x04')
		if mid < 0 || end < mid {
			b.WriteString(s)
			break
		}
		n, _ := strconv.Atoi(s[start+1 : start+mid])
		b.WriteString(s[:start])
		b.WriteString(visibleLink(s[start+mid+1:start+end], urls[n]))
		s = s[start+end+1:]
	}
	return b.String()
}

// visibleLink shows a Markdown link as its label (already escaped) and its
// address, the address being the link, so the reader sees where it goes.
func visibleLink(label, u string) string {
	if !bot.LinkAllowed(u) {
		return label + " (" + escape(u) + ")"
	}
	link := "<" + linkURL(u) + ">"
	if plain := strings.TrimSpace(unescape(label)); plain == u || plain == strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://") || plain == strings.TrimPrefix(u, "mailto:") {
		return link
	}
	return label + " (" + link + ")"
}

// linkURL makes an address safe inside <...>: escaped, and with any | (which
// would start a label) percent-encoded.
func linkURL(u string) string {
	return escape(strings.ReplaceAll(u, "|", "%7C"))
}

// escape applies Slack's three mandatory text escapes.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return escaper.Replace(s)
}

var (
	escaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// unescape reverses escape for text Slack sends us.
func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return unescaper.Replace(s)
}

// rendered is a reply ready for chat.postMessage or chat.update.
type rendered struct {
	text   string
	blocks []slack.Block
}

func (r rendered) options() []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(r.text, false)}
	if len(r.blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(r.blocks...))
	}
	return opts
}

// render turns a reply into Block Kit: the answer as section blocks, a
// context block of numbered sources, then an actions block of buttons. A
// plain reply with neither sources nor buttons is sent as mrkdwn text alone,
// which Slack shows the same way with less weight. The text field always
// carries a readable fallback for notifications and screen readers.
//
// render is the one place a reply becomes a Slack payload: every post,
// ephemeral response and chat.update goes through it, and every field
// Slack reads as mrkdwn (the text, sections, sources) is made here by
// Mrkdwn or escape. Button labels are plain_text, which Slack never reads
// as markup.
func render(r bot.Reply) rendered {
	mrkdwn := func(md string) string { return withMentions(Mrkdwn(md), r.Mentions) }
	if len(r.Sources) == 0 && len(r.Buttons) == 0 {
		text := mrkdwn(strings.TrimRight(r.Text, "\n"))
		if text == "" {
			text = " "
		}
		return rendered{text: truncate(text, maxFallbackText)}
	}
	var blocks []slack.Block
	for _, chunk := range splitText(mrkdwn(strings.TrimRight(r.Text, "\n")), maxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, chunk, false, false), nil, nil))
	}
	// Leave room for the sources and buttons blocks.
	if len(blocks) > maxBlocks-2 {
		blocks = blocks[:maxBlocks-2]
	}
	if len(r.Sources) > 0 {
		blocks = append(blocks, sourcesBlock(r.Sources))
	}
	if len(r.Buttons) > 0 {
		blocks = append(blocks, buttonsBlock(r.Buttons))
	}
	return rendered{text: truncate(mrkdwn(strings.TrimRight(bot.PlainText(r), "\n")), maxFallbackText), blocks: blocks}
}

// withMentions turns the escaped mention of each user the reply means to
// notify (bot.Reply.Mentions, written with Adapter.Mention) back into
// Slack's mention markup. Only those users, and only well-formed user IDs:
// any other "<@...>" in the text stays escaped and pings nobody.
func withMentions(text string, ids []string) string {
	for _, id := range ids {
		if userID.MatchString(id) {
			text = strings.ReplaceAll(text, "&lt;@"+id+"&gt;", "<@"+id+">")
		}
	}
	return text
}

var userID = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

func sourcesBlock(sources []bot.Source) *slack.ContextBlock {
	lines := make([]string, len(sources))
	for i, s := range sources {
		n := s.N
		if n == 0 {
			n = i + 1
		}
		lines[i] = sourceMrkdwn(n, s)
	}
	// A context block holds at most ten elements; fold any extra sources
	// into the last one rather than drop them.
	if len(lines) > maxContextElems {
		tail := strings.Join(lines[maxContextElems-1:], "\n")
		lines = append(lines[:maxContextElems-1], tail)
	}
	elems := make([]slack.MixedElement, len(lines))
	for i, l := range lines {
		elems[i] = slack.NewTextBlockObject(slack.MarkdownType, truncate(l, maxSectionText), false, false)
	}
	return slack.NewContextBlock(sourcesBlockID, elems...)
}

func sourceMrkdwn(n int, s bot.Source) string {
	title := strings.TrimSpace(s.Title)
	if title == "" {
		title = s.ID
	}
	if title == "" {
		title = "source"
	}
	title = strings.ReplaceAll(escape(title), "|", "¦")
	out := fmt.Sprintf("[%d] ", n)
	if bot.LinkAllowed(s.URL) {
		out += "<" + linkURL(s.URL) + "|" + title + ">"
	} else {
		out += "*" + title + "*"
	}
	var meta []string
	if s.Kind != "" {
		meta = append(meta, escape(s.Kind))
	}
	if s.Updated != "" {
		meta = append(meta, "updated "+escape(s.Updated))
	}
	if len(meta) > 0 {
		out += " · " + strings.Join(meta, ", ")
	}
	return out
}

func buttonsBlock(buttons []bot.Button) *slack.ActionBlock {
	if len(buttons) > maxButtons {
		buttons = buttons[:maxButtons]
	}
	seen := map[string]bool{}
	elems := make([]slack.BlockElement, 0, len(buttons))
	for i, btn := range buttons {
		// Slack rejects a block whose action IDs repeat, but features
		// naturally give "Helpful" and "Not helpful" the same handler, so
		// repeats get a #n suffix that actionID strips again.
		id := truncate(btn.ActionID, maxActionID-4)
		if seen[id] {
			id = id + "#" + strconv.Itoa(i)
		}
		seen[id] = true
		label := truncate(btn.Label, maxButtonText)
		if label == "" {
			label = btn.ActionID
		}
		b := slack.NewButtonBlockElement(id, truncate(btn.Value, maxButtonValue), slack.NewTextBlockObject(slack.PlainTextType, label, true, false))
		switch btn.Style {
		case "primary":
			b = b.WithStyle(slack.StylePrimary)
		case "danger":
			b = b.WithStyle(slack.StyleDanger)
		}
		elems = append(elems, b)
	}
	return slack.NewActionBlock(actionsBlockID, elems...)
}

// actionID recovers the registered action ID from a rendered button's ID.
func actionID(blockID, id string) string {
	if blockID != actionsBlockID {
		return id
	}
	if m := dupSuffix.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return id
}

// splitText cuts s into pieces of at most limit bytes, preferring paragraph
// and then line breaks, never splitting a UTF-8 sequence.
func splitText(s string, limit int) []string {
	if s == "" {
		return []string{" "}
	}
	var out []string
	for len(s) > limit {
		cut := strings.LastIndex(s[:limit], "\n\n")
		if cut <= 0 {
			cut = strings.LastIndexByte(s[:limit], '\n')
		}
		if cut <= 0 {
			cut = strings.LastIndexByte(s[:limit], ' ')
		}
		if cut <= 0 {
			cut = limit
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		out = append(out, strings.TrimRight(s[:cut], " \n"))
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// truncate shortens s to at most limit bytes on a rune boundary, marking the
// cut with an ellipsis.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

package llm

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// Drafting the ways people ask for a section, for an organiser to review
// and list in the document's front matter (questions:). Listed ways are
// indexed with the section's heading; on the starter they moved the right
// section to first place for a fifth more of an unseen question set.

// suggestPrompt sets the rules for the drafts.
const suggestPrompt = `You help the organiser of a knowledge base for a community of practice of public-sector communications and social media people in Scotland.

You are given one section of a guidance note. Write the questions a practitioner might type in a team chat when this section is exactly what they need:
- one close to the section's heading;
- others in the words of the job rather than the note's (shorthand such as fb, cllr, comms; "the firewall people" for IT), or describing the situation the person is in and ending with what they ask.
Each must be answered by this section. Keep each under 20 words, in lower case, as people type in chat. Do not copy sentences from the section.
Reply with one question per line and nothing else: no numbering, no introduction.`

// maxSuggestion bounds one drafted question; a longer line is not one.
const maxSuggestion = 200

// SuggestQuestions asks the model for n ways a practitioner might ask for
// one section: title is its document's, heading the section's ("" for
// the text before the first heading) and text what it says. The drafts
// come back cleaned of numbering, bullets and quotes, each once.
//
// Errors: as Answer's, and ErrEmptyAnswer when no line is usable.
func (c *Client) SuggestQuestions(ctx context.Context, title, heading, text string, n int) ([]string, error) {
	if c.cfg.Model == "" {
		return nil, fmt.Errorf("llm: suggest: %w", ErrNotConfigured)
	}
	var user strings.Builder
	fmt.Fprintf(&user, "Write %d questions.\n\nDocument: %s\n", n, bot.OneLine(title))
	if heading != "" {
		fmt.Fprintf(&user, "Section heading: %s\n", bot.OneLine(heading))
	} else {
		user.WriteString("Section: the document's opening text\n")
	}
	fmt.Fprintf(&user, "Section text:\n%s\n", clip(strings.TrimSpace(text), maxSourceRunes))
	req := chatRequest{
		Model:       c.cfg.Model,
		Messages:    []message{{Role: "system", Content: suggestPrompt}, {Role: "user", Content: user.String()}},
		Temperature: temperature(c.cfg.Model),
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	started := time.Now()
	raw, err := c.ep.chat(ctx, req)
	if err != nil {
		err, result := c.classify(ctx, "suggest", started, err)
		c.count("suggest", result)
		return nil, err
	}
	qs := suggestions(raw, n)
	if len(qs) == 0 {
		c.count("suggest", "error")
		return nil, fmt.Errorf("llm: suggest: %w", ErrEmptyAnswer)
	}
	c.count("suggest", "ok")
	return qs, nil
}

// listMark is what models put before a list item: a bullet, or a number
// with a dot or bracket.
var listMark = regexp.MustCompile(`^\s*(?:[-*•]+|\(?\d+[.)])\s*`)

// suggestions keeps up to n usable questions from a reply, one per line.
func suggestions(raw string, n int) []string {
	raw = thinkRE.ReplaceAllString(raw, "")
	if i := strings.Index(raw, "<think>"); i >= 0 {
		raw = raw[:i]
	}
	var out []string
	for _, line := range strings.Split(raw, "\n") {
		q := listMark.ReplaceAllString(line, "")
		q = strings.Trim(strings.TrimSpace(q), "\"'`*“”")
		q = bot.OneLine(q)
		if q == "" || len([]rune(q)) > maxSuggestion || strings.HasSuffix(q, ":") {
			continue // blank, not a question, or a heading such as "Questions:"
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, q)
		}
		if !dup {
			out = append(out, q)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

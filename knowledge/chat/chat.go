// Package chat connects the knowledge base to the bot: the ask and kb
// commands, Helpful / Not helpful buttons and thumbs reactions, which are
// recorded as feedback.
package chat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// Action IDs of the feedback buttons; the value is the question ID.
const (
	ActionHelpful   = "kb.helpful"
	ActionUnhelpful = "kb.unhelpful"
)

// streamEvery throttles message edits while an LLM answer streams, to
// stay inside platforms' rate limits.
const streamEvery = 800 * time.Millisecond

// Options tune the chat commands.
type Options struct {
	// Questions limits how many questions each member may ask (per
	// platform and user); nil means no limit.
	Questions *bot.RateLimiter
	// PublicURL is the community page's address (web.public_url): when
	// set, sources link to the quoted section on its /kb/ID page instead
	// of the document's own source.
	PublicURL string
}

// AskCommand is the command that answers questions; a bot that should
// answer plain text makes it its default (bot.Options.DefaultCommand).
const AskCommand = "ask"

// Register adds ask and kb to the bot, the feedback button handlers and
// the reaction handler.
func Register(b *bot.Bot, base *knowledge.Base, opts Options) {
	h := &handlers{base: base, questions: opts.Questions, publicURL: strings.TrimRight(opts.PublicURL, "/")}
	b.Register(&bot.Command{
		Name:    AskCommand,
		Aliases: []string{"q"},
		Usage:   "QUESTION",
		Summary: "ask the community knowledge base",
		Help: "Answers come from the curated knowledge base, with their sources. If it does not cover your question " +
			"I say so and pass the question to the organisers. In a direct message you can just type the question.",
		Run: h.ask,
		// An edited question is answered afresh, in the same reply.
		AnswersEdits: true,
	})
	b.Register(&bot.Command{
		Name:    "kb",
		Usage:   "reload|gaps|answer|link|confirm|publish ...",
		Summary: "look after the knowledge base (organisers)",
		Help: "Organisers can reload the folders, list questions the knowledge base could not answer and answer them " +
			"(with a new document, or by pointing them at a section that already answers), and confirm answers people found helpful.",
		Subcommands: []*bot.Command{
			{Name: "reload", Summary: "re-read the knowledge folders now", Role: bot.RoleOrganiser, Run: h.reload},
			{Name: "gaps", Usage: "[N]", Summary: "list recent questions the knowledge base could not answer", Role: bot.RoleOrganiser, Run: h.gaps},
			{Name: "answer", Usage: "ID TEXT", Summary: "answer a gap; the answer is saved as a new faq document", Role: bot.RoleOrganiser, Run: h.answer,
				Help: "The answer becomes a Markdown faq document in the first knowledge folder and is indexed at once, so the next person who asks gets it."},
			{Name: "publish", Usage: "[ID]", Summary: "make a draft document live (without an ID: list the drafts)", Role: bot.RoleOrganiser, Run: h.publish,
				Help: "Drafts (documents with draft: true, such as case studies written by shoutout promote) are not answered from until published. " +
					"Publishing takes draft: true out of the file once its placeholders and draft note are gone."},
			{Name: "link", Usage: "ID DOC_ID[#section]", Summary: "answer a gap with a section that already answers it", Role: bot.RoleOrganiser, Run: h.link,
				Help: "The question's wording is kept as another way of asking for that section (the heading's anchor, as in the answer's link, or the heading text), so the next person who asks that way is answered from it."},
			{Name: "confirm", Usage: "ID", Summary: "confirm an answer people marked helpful", Role: bot.RoleOrganiser, Run: h.confirm,
				Help: "kb gaps lists answers marked helpful; confirming one keeps the question's wording as another way of asking for the section it quoted."},
		},
	})
	b.HandleAction(ActionHelpful, func(ctx context.Context, a bot.Action, ad bot.Adapter) error { return h.button(ctx, a, ad, true) })
	b.HandleAction(ActionUnhelpful, func(ctx context.Context, a bot.Action, ad bot.Adapter) error { return h.button(ctx, a, ad, false) })
	b.OnReaction(h.reaction)
}

type handlers struct {
	base      *knowledge.Base
	questions *bot.RateLimiter
	publicURL string
}

func (h *handlers) ask(ctx context.Context, req *bot.Request) error {
	q := strings.TrimSpace(req.Args)
	if q == "" {
		return bot.Usagef("What would you like to know? For example: ask how do we handle abusive comments")
	}
	// A greeting, a thank-you or a stray "helpful" is not a question: it
	// gets a word back and never reaches kb gaps.
	if reply, ok := smallTalk(q); ok {
		return req.Reply(ctx, bot.Reply{Text: reply})
	}
	// Before anything is recorded or a model called: a flood from one
	// member neither fills the gaps list nor spends model calls.
	if ok, wait := h.questions.Allow(req.Msg.Platform + "\x00" + req.Msg.UserID); !ok {
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("You've asked me %d questions in the last minute, which is as many as I take from one person. "+
			"Please try again in %s.", h.questions.PerMinute(), bot.Wait(wait))})
	}
	question := knowledge.Question{Text: q, UserID: req.Msg.UserID, Platform: req.Msg.Platform, RoomID: req.Msg.RoomID, Record: true}
	var (
		ref    bot.MessageRef
		posted bool
	)
	editor, canEdit := req.Adapter.(bot.Editor)
	if h.base.Streams() && canEdit {
		var err error
		if ref, err = req.Send(ctx, bot.Reply{Text: "Looking that up…"}); err == nil {
			posted = true
			var mu sync.Mutex
			last := time.Now()
			question.OnDelta = func(partial string) {
				mu.Lock()
				defer mu.Unlock()
				if time.Since(last) < streamEvery {
					return
				}
				last = time.Now()
				_ = editor.Edit(ctx, ref, bot.Reply{Text: partial + " …"})
			}
		}
	}
	ans, err := h.base.Ask(ctx, question)
	if err != nil {
		return err
	}
	rep := Reply(ans, h.publicURL)
	if posted {
		if err := editor.Edit(ctx, ref, rep); err != nil {
			return fmt.Errorf("knowledge: edit answer: %w", err)
		}
	} else if ref, err = req.Send(ctx, rep); err != nil {
		return err
	}
	return h.base.SetAnswerMessage(ctx, ans.QuestionID, req.Msg.Platform, ref.ID)
}

// Reply renders an answer for chat: sources and feedback buttons when it
// answered, the nearest documents inside the text when it abstained. With
// publicURL, each source links to its best passage on the community
// page's /kb/ID.
func Reply(a knowledge.Answer, publicURL string) bot.Reply {
	r := bot.Reply{Text: a.Text}
	if !a.Confident {
		return r
	}
	r.Sources = sources(a, publicURL)
	if a.QuestionID != 0 {
		v := strconv.FormatInt(a.QuestionID, 10)
		r.Buttons = []bot.Button{
			{ActionID: ActionHelpful, Label: "Helpful", Value: v, Style: "primary"},
			{ActionID: ActionUnhelpful, Label: "Not helpful", Value: v},
		}
	}
	return r
}

// PlainAnswer renders an answer with its sources as plain text for a
// terminal (bothy ask): no Markdown marks, and no feedback buttons, which
// the command line cannot press.
func PlainAnswer(a knowledge.Answer, publicURL string) string {
	r := Reply(a, publicURL)
	r.Buttons = nil
	return bot.TerminalText(r)
}

// sources lists the cited documents: all of them for an LLM answer (it
// numbers its citations against them), otherwise the top one and any that
// scored nearly as well.
func sources(a knowledge.Answer, publicURL string) []bot.Source {
	hits := a.Sources
	// The documents the answer quotes are always among its sources, even
	// when ranking put another document first by a distance.
	quoted := map[string]bool{}
	if a.Confident && !a.ByLLM {
		for i, p := range a.Passages {
			if i == 0 || i == 1 && retrieval.QuotesSecond(a.Passages) {
				quoted[p.DocID()] = true
			}
		}
	}
	var out []bot.Source
	for i, h := range hits {
		// A model's answer cites its sources by number: all of them stay.
		if !a.ByLLM && !quoted[h.ID] && (i >= 3 || i > 0 && h.Score < 0.8*hits[0].Score) {
			continue
		}
		out = append(out, bot.Source{N: len(out) + 1, ID: h.ID, Title: h.Title, Kind: h.Kind, URL: sourceLink(a, h, publicURL), Updated: h.Updated})
	}
	return out
}

// sourceLink is where a source points: its best passage on the community
// page when there is a public address, else the document's own source.
func sourceLink(a knowledge.Answer, h knowledge.Hit, publicURL string) string {
	if publicURL == "" {
		return h.URL
	}
	link := publicURL + "/kb/" + url.PathEscape(h.ID)
	if anchor := a.AnchorFor(h.ID); anchor != "" {
		link += "#" + anchor
	}
	return link
}

func (h *handlers) reload(ctx context.Context, req *bot.Request) error {
	rep, err := h.base.Reload(ctx)
	if err != nil {
		return bot.Usagef("I couldn't reload: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Knowledge base reloaded: %s.", rep)
	if len(rep.Errors) > 0 {
		fmt.Fprintf(&b, "\n%d file(s) skipped:", len(rep.Errors))
		for _, e := range rep.Errors {
			b.WriteString("\n- " + e.Error())
		}
	}
	return req.Reply(ctx, bot.Reply{Text: b.String()})
}

func (h *handlers) gaps(ctx context.Context, req *bot.Request) error {
	n := 10
	if a := strings.TrimSpace(req.Args); a != "" {
		v, err := strconv.Atoi(a)
		if err != nil || v <= 0 || v > 100 {
			return bot.Usagef("Usage: kb gaps [N], where N is how many to list (1 to 100).")
		}
		n = v
	}
	gaps, err := h.base.Gaps(ctx, n)
	if err != nil {
		return err
	}
	helpful, err := h.base.Confirmable(ctx, n)
	if err != nil {
		return err
	}
	disputed, err := h.base.Disputed(ctx, n)
	if err != nil {
		return err
	}
	var b strings.Builder
	if len(gaps) == 0 {
		b.WriteString("No unanswered questions. 🎉")
	} else {
		b.WriteString("Questions the knowledge base could not answer (newest first):")
		for _, g := range gaps {
			fmt.Fprintf(&b, "\n#%d %s — %q", g.ID, g.At.Format("2 Jan 15:04"), clip(g.Text, 200))
			if len(g.Nearest) > 0 {
				fmt.Fprintf(&b, " (nearest: %s)", strings.Join(g.Nearest, ", "))
			}
		}
		b.WriteString("\nAnswer one with: kb answer ID TEXT, or point it at a section with: kb link ID DOC_ID#section")
	}
	if len(helpful) > 0 {
		b.WriteString("\n\nAnswers people marked helpful, to confirm:")
		for _, c := range helpful {
			also := ""
			if c.AlsoQuoted != "" {
				also = ", also quoted " + c.AlsoQuoted
			}
			fmt.Fprintf(&b, "\n#%d %q → %s (%d helpful%s)", c.QuestionID, clip(c.Text, 200), c.Passage, c.Helpful, also)
		}
		b.WriteString("\nConfirm one with: kb confirm ID (its wording then finds that section), or, when the other quoted section was the one that helped: kb link ID DOC_ID#section")
	}
	if len(disputed) > 0 {
		b.WriteString("\n\nAnswers people marked not helpful, to correct:")
		for _, c := range disputed {
			fmt.Fprintf(&b, "\n#%d %q → %s (%d not helpful, %d helpful)", c.QuestionID, clip(c.Text, 200), c.Passage, c.Unhelpful, c.Helpful)
		}
		b.WriteString("\nCorrect one with: kb link ID DOC_ID#section (the section that answers), or kb answer ID TEXT")
	}
	return req.Reply(ctx, bot.Reply{Text: b.String()})
}

func (h *handlers) answer(ctx context.Context, req *bot.Request) error {
	idText, text, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(idText, "#"), 10, 64)
	if err != nil || strings.TrimSpace(text) == "" {
		return bot.Usagef("Usage: kb answer ID TEXT (the ID is the number kb gaps shows).")
	}
	docID, path, err := h.base.AnswerGap(ctx, id, text, req.Msg.UserName)
	var answered *knowledge.AnsweredError
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		return bot.Usagef("There is no question #%d. Type kb gaps to see the list.", id)
	case errors.Is(err, knowledge.ErrNoFolder):
		return req.Reply(ctx, bot.Reply{Text: "I can't save the answer yet. " + knowledge.SetUpFolderHelp})
	case errors.As(err, &answered):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Question #%d already has an answer, %s, so I kept it and wrote nothing. "+
			"To change it, edit %s in the knowledge folder (I re-index it within a second of saving); "+
			"to answer afresh, delete that file and say kb answer %d again.", id, answered.DocID, answered.Path, id)})
	case errors.Is(err, knowledge.ErrExists):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("There is already a document at %s, so I did not write over it and saved nothing. "+
			"Rename or move that file if it should stay, then say kb answer %d again.", path, id)})
	case err != nil:
		return err
	}
	asked, err := h.base.QuestionText(ctx, id)
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Thanks! Your answer to #%d (%q) is saved as %s (%s) and indexed; the next person who asks gets it.", id, clip(asked, 120), docID, path)})
}

func (h *handlers) publish(ctx context.Context, req *bot.Request) error {
	id := strings.TrimSpace(req.Args)
	if id == "" {
		drafts, err := h.base.Drafts(ctx)
		if errors.Is(err, knowledge.ErrNoFolder) {
			return req.Reply(ctx, bot.Reply{Text: "There are no drafts. " + knowledge.SetUpFolderHelp})
		}
		if err != nil {
			return err
		}
		if len(drafts) == 0 {
			return req.Reply(ctx, bot.Reply{Text: "There are no drafts in the knowledge folder."})
		}
		var b strings.Builder
		b.WriteString("Drafts (not answered from until published):")
		for _, d := range drafts {
			fmt.Fprintf(&b, "\n%s — %s (%s)", d.ID, d.Title, d.Path)
			if len(d.Unfinished) > 0 {
				fmt.Fprintf(&b, ", placeholders to fill in: %d", len(d.Unfinished))
			}
		}
		b.WriteString("\nPublish one with: kb publish ID")
		return req.Reply(ctx, bot.Reply{Text: b.String()})
	}
	d, err := h.base.Publish(ctx, id)
	var unfinished *knowledge.UnfinishedError
	switch {
	case errors.Is(err, knowledge.ErrNoFolder):
		return req.Reply(ctx, bot.Reply{Text: "There are no drafts to publish. " + knowledge.SetUpFolderHelp})
	case errors.Is(err, knowledge.ErrNoDraft):
		return bot.Usagef("There is no draft %q. Type kb publish to list the drafts.", id)
	case errors.As(err, &unfinished):
		return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("%s is not ready: %s still has placeholder text or the draft note on line(s) %s. "+
			"Fill those in (or delete them) in the file, then say kb publish %s again.", d.ID, d.Path, joinLines(unfinished.Draft.Unfinished), d.ID)})
	case err != nil:
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Published %s (%s): it is indexed and answered from now.", d.ID, d.Title)})
}

func joinLines(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func (h *handlers) link(ctx context.Context, req *bot.Request) error {
	f := strings.Fields(req.Args)
	var id int64
	var err error
	if len(f) == 2 {
		id, err = strconv.ParseInt(strings.TrimPrefix(f[0], "#"), 10, 64)
	}
	if len(f) != 2 || err != nil {
		return bot.Usagef("Usage: kb link ID DOC_ID[#section], e.g. kb link 12 crisis-communications#what-should-we-post-in-the-first-hour-of-a-major-incident (the ID is the number kb gaps shows).")
	}
	docID, section, _ := strings.Cut(f[1], "#")
	switch err := h.base.LinkGap(ctx, id, docID, section, req.Msg.UserID); {
	case errors.Is(err, knowledge.ErrNotFound):
		return bot.Usagef("I couldn't link it: %v. kb gaps lists the questions; an answer's link shows a section's DOC_ID#section.", err)
	case err != nil:
		return err
	}
	asked, err := h.base.QuestionText(ctx, id)
	if err != nil {
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Linked #%d (%q) to %s. People who ask that way are now answered from it.", id, clip(asked, 120), f[1])})
}

func (h *handlers) confirm(ctx context.Context, req *bot.Request) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(req.Args), "#"), 10, 64)
	if err != nil {
		return bot.Usagef("Usage: kb confirm ID (the number kb gaps shows beside an answer marked helpful).")
	}
	switch err := h.base.ConfirmHelpful(ctx, id, req.Msg.UserID); {
	case errors.Is(err, knowledge.ErrNotFound), errors.Is(err, knowledge.ErrNotHelpful):
		return bot.Usagef("I couldn't confirm #%d: %v.", id, err)
	case err != nil:
		return err
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Confirmed #%d: its wording now finds the section it was answered from.", id)})
}

func (h *handlers) button(ctx context.Context, a bot.Action, ad bot.Adapter, helpful bool) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		return fmt.Errorf("knowledge: feedback button with bad value %q", a.Value)
	}
	if err := h.base.Feedback(ctx, id, a.UserID, helpful); err != nil {
		return err
	}
	text := "Thanks, glad it helped."
	if !helpful {
		text = "Thanks for saying. The organisers will see it and can improve the knowledge base."
	}
	_, err = ad.Send(ctx, bot.Target{RoomID: a.RoomID, ThreadID: a.ThreadID, UserID: a.UserID}, bot.Reply{Text: text})
	return err
}

func (h *handlers) reaction(ctx context.Context, r bot.Reaction, ad bot.Adapter) error {
	helpful, ok := feedbackEmoji(r.Emoji)
	if !ok {
		return nil
	}
	id, found, err := h.base.QuestionForMessage(ctx, r.Platform, r.MessageID)
	if err != nil || !found {
		return err
	}
	if r.Removed {
		return h.base.RemoveFeedback(ctx, id, r.UserID, helpful)
	}
	return h.base.Feedback(ctx, id, r.UserID, helpful)
}

// feedbackEmoji reads a reaction as answer feedback: thumbs up or down
// (adapters hand reactions over as Unicode with skin tones dropped).
func feedbackEmoji(e string) (helpful, ok bool) {
	switch e {
	case "👍":
		return true, true
	case "👎":
		return false, true
	}
	return false, false
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// smallTalk recognises a message that is only a greeting, thanks, an
// acknowledgement or feedback with no answer to rate, and says what to
// reply. Only the whole message counts: "thanks, and who signs off a
// press release?" is a question.
func smallTalk(q string) (string, bool) {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '\'' && r != '’'
	})
	key := strings.Join(words, " ")
	switch key {
	case "":
		return "What would you like to know? Ask a question in your own words, or type help to see what I can do.", true
	case "hi", "hello", "hey", "hiya", "howdy", "morning", "good morning", "afternoon", "good afternoon", "evening", "good evening",
		"hi bothy", "hello bothy", "hey bothy", "hiya bothy":
		return "Hello! Ask me a question in your own words, or type help to see what I can do.", true
	case "thanks", "thank you", "thankyou", "thanks a lot", "thank you very much", "many thanks", "cheers", "ta", "thx", "ty",
		"nice one", "brilliant", "great", "perfect", "cool", "ok", "okay", "ok thanks", "ok thank you", "great thanks", "got it":
		return "You're welcome. Ask me anything else, any time.", true
	case "going", "not going", "maybe", "yes", "no", "✅", "❌", "🤔":
		// An RSVP typed where there is no announcement to reply to.
		return "To reply to a meetup, say meetup rsvp ID yes, no or maybe (meetup list shows the IDs), " +
			"or reply to its announcement.", true
	case "helpful", "not helpful", "unhelpful", "useful", "not useful", "👍", "👎":
		return "There's no answer here for me to rate. To rate an answer, use its Helpful / Not helpful buttons or react to it with 👍 or 👎 " +
			"(on the console, type helpful or not helpful on the line right after it).", true
	}
	return "", false
}

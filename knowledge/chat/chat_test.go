package chat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/knowledge"
)

func setup(t *testing.T, opts knowledge.Options) (*bot.Bot, *bottest.Adapter, *knowledge.Base, string) {
	t.Helper()
	ctx := context.Background()
	db := bottest.OpenDB(t)
	dir := t.TempDir()
	src, err := os.ReadDir(filepath.Join("..", "testdata", "evalkb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range src {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "evalkb", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts.Dirs = []string{dir}
	base, err := knowledge.Open(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{Organisers: []string{"org"}, DefaultCommand: AskCommand})
	ad := bottest.New("mem")
	b.AddAdapter(ad)
	Register(b, base, Options{})
	return b, ad, base, dir
}

func say(b *bot.Bot, user, text string) {
	b.Handle(context.Background(), bot.Message{Platform: "mem", ID: "in", UserID: user, UserName: user, RoomID: "dm-" + user, Text: text, Direct: true})
}

func TestAskInChat(t *testing.T) {
	b, ad, base, _ := setup(t, knowledge.Options{})
	ctx := context.Background()
	say(b, "alice", "Can the council account retweet a councillor during purdah?") // plain DM text is a question
	r := ad.LastReply()
	if len(r.Sources) == 0 || r.Sources[0].ID != "pre-election" || r.Sources[0].Updated == "" {
		t.Fatalf("reply sources = %+v\n%s", r.Sources, r.Text)
	}
	if len(r.Buttons) != 2 || r.Buttons[0].ActionID != ActionHelpful || r.Buttons[1].ActionID != ActionUnhelpful || r.Buttons[0].Value == "" {
		t.Fatalf("buttons = %+v", r.Buttons)
	}
	qid := r.Buttons[0].Value
	answer := ad.Sent()[len(ad.Sent())-1].Ref.ID

	// Button press and reactions are recorded against the question.
	b.Handle(ctx, bot.Action{Platform: "mem", UserID: "bob", RoomID: "dm-alice", ActionID: ActionUnhelpful, Value: qid})
	b.Handle(ctx, bot.Reaction{Platform: "mem", UserID: "carol", MessageID: answer, Emoji: "👍"})
	b.Handle(ctx, bot.Reaction{Platform: "mem", UserID: "dave", MessageID: answer, Emoji: "👍"})
	b.Handle(ctx, bot.Reaction{Platform: "mem", UserID: "dave", MessageID: answer, Emoji: "👍", Removed: true})
	b.Handle(ctx, bot.Reaction{Platform: "mem", UserID: "erin", MessageID: "other", Emoji: "👍"}) // not an answer
	b.Handle(ctx, bot.Reaction{Platform: "mem", UserID: "erin", MessageID: answer, Emoji: "🎉"})  // not feedback
	var id int64
	fmt.Sscan(qid, &id)
	h, u, err := base.FeedbackCounts(ctx, id)
	if err != nil || h != 1 || u != 1 {
		t.Fatalf("feedback helpful=%d unhelpful=%d err=%v, want 1 and 1", h, u, err)
	}
	if !strings.Contains(ad.LastReply().Text, "organisers will see") {
		t.Errorf("no thanks after Not helpful: %q", ad.LastReply().Text)
	}

	say(b, "alice", "ask")
	if !strings.Contains(ad.LastReply().Text, "What would you like to know") {
		t.Errorf("empty ask: %q", ad.LastReply().Text)
	}
}

func TestGapsAndAnswerInChat(t *testing.T) {
	b, ad, _, dir := setup(t, knowledge.Options{})
	say(b, "alice", "How do we run a Christmas card competition?")
	if r := ad.LastReply(); len(r.Buttons) != 0 || !strings.Contains(r.Text, "doesn't cover") {
		t.Fatalf("abstain reply = %+v", r)
	}
	say(b, "alice", "kb gaps")
	if !strings.Contains(ad.LastReply().Text, "only organisers") {
		t.Fatalf("member ran kb gaps: %q", ad.LastReply().Text)
	}
	say(b, "org", "kb gaps")
	text := ad.LastReply().Text
	if !strings.Contains(text, "Christmas card competition") || !strings.Contains(text, "#1") {
		t.Fatalf("gaps = %q", text)
	}
	say(b, "org", "kb answer 1 Invite schools to enter, get consent for names, and pick a local judge.")
	if !strings.Contains(ad.LastReply().Text, "#1 (\"How do we run a Christmas card competition?\") is saved as faq-1-") {
		t.Fatalf("kb answer reply = %q", ad.LastReply().Text)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "faq-1-*.md"))
	if len(files) != 1 {
		t.Fatalf("faq files = %v", files)
	}
	say(b, "bob", "how do we run a christmas card competition")
	if r := ad.LastReply(); len(r.Sources) == 0 || !strings.HasPrefix(r.Sources[0].ID, "faq-1-") {
		t.Fatalf("after answering: %+v", r)
	}
	for _, bad := range []string{"kb answer", "kb answer x text", "kb answer 99 some text", "kb gaps lots"} {
		say(b, "org", bad)
		if txt := ad.LastReply().Text; !strings.Contains(txt, "Usage") && !strings.Contains(txt, "no question") {
			t.Errorf("%q -> %q", bad, txt)
		}
	}
	say(b, "org", "kb reload")
	if !strings.Contains(ad.LastReply().Text, "unchanged") {
		t.Errorf("reload = %q", ad.LastReply().Text)
	}
	say(b, "org", "kb")
	if !strings.Contains(ad.LastReply().Text, "kb gaps") {
		t.Errorf("kb help = %q", ad.LastReply().Text)
	}
}

type slowWriter struct{}

func (slowWriter) Answer(ctx context.Context, q string, s []knowledge.Source, onDelta func(string)) (string, error) {
	if onDelta != nil {
		onDelta("Do not retweet")
	}
	return "Do not retweet councillors during purdah [1].", nil
}

func TestStreamedAnswerIsEdited(t *testing.T) {
	b, ad, _, _ := setup(t, knowledge.Options{Writer: slowWriter{}})
	say(b, "alice", "Can the council account retweet a councillor during purdah?")
	if sent := ad.Sent(); len(sent) != 1 || !strings.Contains(sent[0].Reply.Text, "Looking") {
		t.Fatalf("placeholder = %+v", sent)
	}
	edits := ad.Edits()
	final := edits[len(edits)-1]
	if final.Text != "Do not retweet councillors during purdah [1]." || len(final.Sources) == 0 || len(final.Buttons) != 2 {
		t.Fatalf("final edit = %+v", final)
	}
}

// decliningWriter is a model that reads the passages and finds no answer.
type decliningWriter struct{}

func (decliningWriter) Answer(ctx context.Context, q string, s []knowledge.Source, onDelta func(string)) (string, error) {
	return "", fmt.Errorf("llm: chat: %w", knowledge.ErrNotCovered)
}

// TestModelDeclineIsAGap: when the model finds that the passages retrieval
// trusted do not answer, the member is told so, with no sources or
// feedback buttons, and the question joins the organisers' gaps.
func TestModelDeclineIsAGap(t *testing.T) {
	b, ad, base, _ := setup(t, knowledge.Options{Writer: decliningWriter{}})
	const q = "Can the council account retweet a councillor during purdah?"
	say(b, "alice", q)
	edits := ad.Edits()
	if len(edits) == 0 {
		t.Fatalf("no final edit; sent %+v", ad.Sent())
	}
	final := edits[len(edits)-1]
	if !strings.Contains(final.Text, "none of them answers that") || !strings.Contains(final.Text, "noted the question") ||
		len(final.Sources) != 0 || len(final.Buttons) != 0 {
		t.Fatalf("final edit = %+v", final)
	}
	gaps, err := base.Gaps(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 1 || gaps[0].Text != q {
		t.Fatalf("gaps = %+v, want the declined question", gaps)
	}
}

func TestFeedbackEmoji(t *testing.T) {
	// Adapters hand reactions over as Unicode (bot.NormaliseEmoji; Slack's
	// names are turned into emoji by the Slack adapter).
	for e, want := range map[string]int{"👍": 1, "👎": 0, "🎉": -1, ":heart:": -1, "": -1} {
		h, ok := feedbackEmoji(e)
		got := -1
		if ok && h {
			got = 1
		} else if ok {
			got = 0
		}
		if got != want {
			t.Errorf("feedbackEmoji(%q) = %d, want %d", e, got, want)
		}
	}
}

// TestQuestionRate (issue 15.10): one member flooding questions gets a
// reply saying when to try again, and the flood is neither answered nor
// recorded as gaps; another member is not held up.
func TestQuestionRate(t *testing.T) {
	_, _, base, _ := setup(t, knowledge.Options{})
	clock := bottest.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	b := bot.New(bot.Options{DefaultCommand: AskCommand})
	ad := bottest.New("mem")
	b.AddAdapter(ad)
	Register(b, base, Options{Questions: bot.NewRateLimiter(3, clock)})
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		say(b, "flooder", fmt.Sprintf("what colour is the quixotic zorblax wibble number %d", i))
	}
	var limited []string
	for _, s := range ad.Sent() {
		if strings.Contains(s.Reply.Text, "Please try again in") {
			limited = append(limited, s.Reply.Text)
		}
	}
	if len(limited) != 7 || !strings.Contains(limited[0], "You've asked me 3 questions in the last minute") || !strings.Contains(limited[0], "try again in 20 seconds") {
		t.Fatalf("%d replies said to wait, want 7 (the first: %q)", len(limited), limited)
	}
	if gaps, _ := base.Gaps(ctx, 1000); len(gaps) != 3 {
		t.Errorf("%d gaps recorded from the flood, want 3", len(gaps))
	}
	say(b, "someone-else", "Can the council account retweet a councillor during purdah?")
	if r := ad.LastReply(); strings.Contains(r.Text, "try again") {
		t.Errorf("another member was held up: %q", r.Text)
	}
	clock.Add(20 * time.Second)
	say(b, "flooder", "Can the council account retweet a councillor during purdah?")
	if r := ad.LastReply(); strings.Contains(r.Text, "try again") || len(r.Sources) == 0 {
		t.Errorf("after the wait the member is still refused: %q", r.Text)
	}
}

func TestSourcesLinkTheQuotedSection(t *testing.T) {
	_, _, base, _ := setup(t, knowledge.Options{})
	a, err := base.Ask(context.Background(), knowledge.Question{Text: "Can the council account retweet a councillor during purdah?"})
	if err != nil || !a.Confident {
		t.Fatalf("not answered: %v %+v", err, a)
	}
	quoted := a.Passages[0]
	with := Reply(a, "https://bothy.example.org")
	if got, want := with.Sources[0].URL, "https://bothy.example.org/kb/"+quoted.ID; got != want {
		t.Errorf("with a public URL the first source links %q, want %q (the quoted section)", got, want)
	}
	without := Reply(a, "")
	if got, want := without.Sources[0].URL, a.Sources[0].URL; got != want {
		t.Errorf("without a public URL the first source links %q, want the document's source %q", got, want)
	}
}

func TestLinkAndConfirmInChat(t *testing.T) {
	b, ad, base, _ := setup(t, knowledge.Options{})
	ctx := context.Background()
	say(b, "alice", "our ward is kicking off about the new car park barriers, what now")
	gaps, err := base.Gaps(ctx, 5)
	if err != nil || len(gaps) == 0 {
		t.Fatalf("no gap recorded: %v %+v", err, gaps)
	}
	id := gaps[0].ID
	say(b, "alice", fmt.Sprintf("kb link %d crisis-comms", id))
	if r := ad.LastReply(); !strings.Contains(r.Text, "organiser") {
		t.Errorf("a member linked a gap: %s", r.Text)
	}
	say(b, "org", fmt.Sprintf("kb link %d crisis-comms#nope", id))
	if r := ad.LastReply(); !strings.Contains(r.Text, "couldn't link") {
		t.Errorf("a missing section was not refused: %s", r.Text)
	}
	say(b, "org", fmt.Sprintf("kb link %d crisis-comms", id))
	if r := ad.LastReply(); !strings.Contains(r.Text, fmt.Sprintf("Linked #%d", id)) {
		t.Fatalf("kb link reply: %s", r.Text)
	}
	if g, _ := base.Gaps(ctx, 5); len(g) != 0 && g[0].ID == id {
		t.Errorf("the linked gap is still listed")
	}
	say(b, "org", "kb confirm 424242")
	if r := ad.LastReply(); !strings.Contains(r.Text, "couldn't confirm") {
		t.Errorf("confirming a missing question: %s", r.Text)
	}
	say(b, "org", "kb link")
	if r := ad.LastReply(); !strings.Contains(r.Text, "Usage: kb link") {
		t.Errorf("kb link without arguments: %s", r.Text)
	}
}

// A "Helpful" on an answer that quoted two sections is listed for the
// organiser with both, and with the way to point it at the second.
func TestGapsNameBothQuotedSections(t *testing.T) {
	b, ad, base, dir := setup(t, knowledge.Options{})
	rota, err := os.ReadFile(filepath.Join("..", "testdata", "close_sections", "rota.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rota.md"), rota, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := base.Ingest(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	say(b, "alice", "who covers the accounts")
	answer := ad.LastReply()
	if !strings.Contains(answer.Text, "Or from") || len(answer.Buttons) == 0 {
		t.Fatalf("the test needs an answer quoting two sections: %+v", answer)
	}
	b.Handle(context.Background(), bot.Action{Platform: "mem", UserID: "bob", RoomID: "dm-alice", ActionID: ActionHelpful, Value: answer.Buttons[0].Value})
	say(b, "org", "kb gaps")
	r := ad.LastReply()
	if !strings.Contains(r.Text, "also quoted rota#who-covers-") || !strings.Contains(r.Text, "kb link ID DOC_ID#section") {
		t.Errorf("kb gaps does not name the second quoted section and what to do with it:\n%s", r.Text)
	}
}

// A greeting, a thank-you or a stray "helpful" gets a word back and is
// never recorded as a question the knowledge base could not answer; a
// question that only starts with thanks is still a question.
func TestSmallTalkIsNotAGap(t *testing.T) {
	for _, tc := range []struct{ text, reply string }{
		{"hi", "Hello!"},
		{"Good morning!", "Hello!"},
		{"thanks", "welcome"},
		{"Cheers!!", "welcome"},
		{"ok", "welcome"},
		{"helpful", "no answer here for me to rate"},
		{"not helpful", "no answer here for me to rate"},
		{"unhelpful", "no answer here for me to rate"},
		{"👍", "no answer here for me to rate"},
		{"?", "What would you like to know?"},
		{"going", "meetup rsvp ID"},
		{"not going", "meetup rsvp ID"},
		{"✅", "meetup rsvp ID"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			b, ad, base, _ := setup(t, knowledge.Options{})
			say(b, "alice", tc.text)
			if r := ad.LastReply(); !strings.Contains(r.Text, tc.reply) || len(r.Sources) > 0 {
				t.Errorf("reply %q (sources %v), want one saying %q", r.Text, r.Sources, tc.reply)
			}
			if gaps, err := base.Gaps(context.Background(), 10); err != nil || len(gaps) > 0 {
				t.Errorf("gaps %+v (%v), want none", gaps, err)
			}
		})
	}
	b, ad, _, _ := setup(t, knowledge.Options{})
	say(b, "alice", "thanks! and can the council account retweet a councillor during purdah?")
	if r := ad.LastReply(); len(r.Sources) == 0 || r.Sources[0].ID != "pre-election" {
		t.Errorf("a question after thanks was not answered: %+v\n%s", r.Sources, r.Text)
	}
}

// An answer marked not helpful reaches the organisers through kb gaps,
// which says how to correct it, until one points it at a section.
func TestGapsListAnswersMarkedNotHelpful(t *testing.T) {
	b, ad, _, _ := setup(t, knowledge.Options{})
	ctx := context.Background()
	say(b, "alice", "Can the council account retweet a councillor during purdah?")
	qid := ad.LastReply().Buttons[0].Value
	b.Handle(ctx, bot.Action{Platform: "mem", UserID: "bob", RoomID: "dm-alice", ActionID: ActionUnhelpful, Value: qid})
	say(b, "org", "kb gaps")
	if g := ad.LastReply().Text; !strings.Contains(g, "marked not helpful") || !strings.Contains(g, "#"+qid+" ") || !strings.Contains(g, "1 not helpful") {
		t.Fatalf("kb gaps does not list the answer marked not helpful:\n%s", g)
	}
	say(b, "org", "kb link "+qid+" pre-election")
	say(b, "org", "kb gaps")
	if g := ad.LastReply().Text; strings.Contains(g, "marked not helpful") {
		t.Errorf("a corrected answer is still listed:\n%s", g)
	}
}

// The document an answer quotes is always among its sources, even when
// ranking put another first by a distance.
func TestSourcesIncludeTheQuotedDocument(t *testing.T) {
	a := knowledge.Answer{
		Confident: true,
		Sources: []knowledge.Hit{
			{ID: "faq-1", Title: "FAQ", Score: 2.0},
			{ID: "other", Title: "Other", Score: 1.9},
			{ID: "tools", Title: "Tools", Score: 1.0},
		},
		Passages: []knowledge.Passage{{ID: "tools#paid", Score: 18}, {ID: "faq-1", Score: 10}},
	}
	var got []string
	for _, s := range sources(a, "") {
		got = append(got, fmt.Sprint(s.N, s.ID))
	}
	if strings.Join(got, " ") != "1faq-1 2other 3tools" {
		t.Errorf("sources %v, want the quoted document tools among them", got)
	}
}

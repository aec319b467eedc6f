package knowledge

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/privacy"
)

// caseStudyOwner stands in for the shout-outs feature: it knows the
// member's name and the case study written from their shout-out.
type caseStudyOwner struct{}

func (caseStudyOwner) Name() string { return "shoutouts" }
func (caseStudyOwner) Identify(ctx context.Context, s *privacy.Subject) error {
	s.AddName("Quentin Quokkafield")
	s.AddDocument("case-study-shoutout-7")
	return nil
}
func (caseStudyOwner) ExportUser(context.Context, *privacy.Subject) (any, error) { return nil, nil }
func (caseStudyOwner) EraseUser(context.Context, *privacy.Subject) (int64, error) {
	return 0, nil
}
func (caseStudyOwner) Prune(context.Context, time.Time) (int64, error) { return 0, nil }

// TestEraseRewritesDerivedDocuments (issue 15.7): the FAQ written from a
// member's question and a case study naming them are rewritten without
// them, re-indexed, and no word of theirs stays in the database file.
func TestEraseRewritesDerivedDocuments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"captions.md": doc("captions", "Captions on video", "guidance", "", "Every video we post carries open captions.\n"),
		"case-study-shoutout-7.md": "---\nid: case-study-shoutout-7\ntitle: 'Case study: the gritting map'\nkind: case-study\n---\n" +
			"# Case study: the gritting map\n\nQuentin Quokkafield received a shout-out from Olive for the gritting map.\n",
	})
	if err := os.Chmod(filepath.Join(dir, "captions.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := bottest.OpenDB(t)
	b, err := Open(ctx, db, Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	const question = "where should we park the zanzibarquokka lorry overnight"
	ans, err := b.Ask(ctx, Question{Text: question, UserID: "U0ERASE01", Platform: "slack", Record: true})
	if err != nil || ans.Confident || ans.QuestionID == 0 {
		t.Fatalf("ask = %+v, %v; want a recorded gap", ans, err)
	}
	faqID, _, err := b.AnswerGap(ctx, ans.QuestionID, "Park it in the depot yard on Mill Road. Never on the street.", "Olive")
	if err != nil {
		t.Fatal(err)
	}
	oldFAQ, _ := os.Stat(filepath.Join(dir, faqID+".md"))
	if !strings.Contains(faqID, "zanzibarquokka") {
		t.Fatalf("FAQ id %q does not carry the question's words; this test would show nothing", faqID)
	}
	providers := []privacy.Provider{b.Privacy(), caseStudyOwner{}}
	exp, err := privacy.Export(ctx, "U0ERASE01", providers...)
	if err != nil {
		t.Fatal(err)
	}
	if s := sprint(exp["knowledge"]); !strings.Contains(s, faqID) || !strings.Contains(s, "case-study-shoutout-7") || !strings.Contains(s, question) {
		t.Errorf("export lacks the question or the documents made from it: %s", s)
	}

	// Another member's question an organiser pointed at the FAQ.
	const other = "overnight lorry spot near the depot?"
	oans, err := b.Ask(ctx, Question{Text: other, UserID: "U0OTHER01", Platform: "slack", Record: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.LinkGap(ctx, oans.QuestionID, faqID, "", "org"); err != nil {
		t.Fatal(err)
	}

	if _, err := privacy.Erase(ctx, db, "admin", "U0ERASE01", providers...); err != nil {
		t.Fatal(err)
	}
	// The link follows the FAQ to its new id.
	var linkedDoc, resolved string
	if err := db.Read.QueryRowContext(ctx, "SELECT p.doc_id, q.resolved FROM kb_phrasings p JOIN kb_questions q ON q.id = p.question_id WHERE q.id = ?", oans.QuestionID).Scan(&linkedDoc, &resolved); err != nil {
		t.Fatal(err)
	}
	if want := "faq-" + itoa(ans.QuestionID); linkedDoc != want || resolved != want {
		t.Errorf("the other member's link now names %q (resolved %q), want %q", linkedDoc, resolved, want)
	}
	secrets := []string{"U0ERASE01", "zanzibarquokka", "Quentin", "Quokkafield", question}
	// The folder.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(e.Name(), s) || bytes.Contains(data, []byte(s)) {
				t.Errorf("%s still holds %q:\n%s", e.Name(), s, data)
			}
		}
	}
	newFAQ := filepath.Join(dir, "faq-"+itoa(ans.QuestionID)+".md")
	data, err := os.ReadFile(newFAQ)
	if err != nil {
		t.Fatalf("the FAQ was not renamed to %s: %v (folder: %v)", newFAQ, err, names)
	}
	if !strings.Contains(string(data), "title: Park it in the depot yard on Mill Road") || !strings.Contains(string(data), "# Park it in the depot yard on Mill Road\n") {
		t.Errorf("FAQ not retitled from its answer:\n%s", data)
	}
	if st, _ := os.Stat(newFAQ); st.Mode().Perm() != oldFAQ.Mode().Perm() {
		t.Errorf("FAQ mode %v, want it kept (%v)", st.Mode().Perm(), oldFAQ.Mode().Perm())
	}
	// The index: the FAQ still answers, under its new id.
	b2, err := Open(ctx, db, Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b2.Ask(ctx, Question{Text: "where do we park the lorry overnight, depot yard?"})
	if err != nil || len(got.Sources) == 0 || got.Sources[0].ID != "faq-"+itoa(ans.QuestionID) {
		t.Errorf("the rewritten FAQ is not found: %+v, %v", got.Sources, err)
	}
	// The database file and its WAL, as bytes.
	for _, f := range []string{db.Path, db.Path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) || bytes.Contains(bytes.ToLower(raw), []byte(strings.ToLower(s))) {
				t.Errorf("%s still holds %q", filepath.Base(f), s)
			}
		}
	}
}

func itoa(n int64) string { return strings.TrimSpace(sprint(n)) }

// organiser knows an organiser's name, as the shout-outs feature would.
type organiser struct{ caseStudyOwner }

func (organiser) Identify(ctx context.Context, s *privacy.Subject) error {
	s.AddName("Olive Organiser")
	return nil
}

// An erased organiser's name leaves the FAQs they answered; the FAQ,
// written from someone else's question, keeps its id and title.
func TestEraseScrubsAnswerAuthor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"captions.md": doc("captions", "Captions on video", "guidance", "", "Every video carries open captions.\n")})
	db := bottest.OpenDB(t)
	b, err := Open(ctx, db, Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := b.Ask(ctx, Question{Text: "who signs off the zanzibarquokka budget", UserID: "UMEMBER", Record: true})
	if err != nil || ans.QuestionID == 0 {
		t.Fatal(ans, err)
	}
	id, path, err := b.AnswerGap(ctx, ans.QuestionID, "The head of communications signs it off.", "Olive Organiser")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := privacy.Erase(ctx, db, "dpo", "UOLIVE", b.Privacy(), organiser{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the FAQ %s moved or went: %v", id, err)
	}
	if strings.Contains(string(data), "Olive") || !strings.Contains(string(data), "zanzibarquokka") || !strings.Contains(string(data), "Answered by (erased)") {
		t.Errorf("FAQ after erasing its author:\n%s", data)
	}
}

// TestEraseTakesPhrasings: a member's question kept as a phrasing of a
// section (kb link) is in their export and gone, bytes and all, after
// erasure; the index forgets it too.
func TestEraseTakesPhrasings(t *testing.T) {
	ctx := context.Background()
	b, _ := phrasingBase(t)
	const q = "quokkawatchers get cross on saturdays when it goes quiet"
	a, err := b.Ask(ctx, Question{Text: q, UserID: "U0PHRASE1", Platform: "slack", Record: true})
	if err != nil || a.Confident {
		t.Fatalf("ask = %+v, %v; want a gap", a, err)
	}
	if err := b.LinkGap(ctx, a.QuestionID, "cover", "What do we say when nobody is watching?", "org"); err != nil {
		t.Fatal(err)
	}
	exp, err := privacy.Export(ctx, "U0PHRASE1", b.Privacy())
	if err != nil {
		t.Fatal(err)
	}
	if s := sprint(exp["knowledge"]); !strings.Contains(s, "questions_kept_as_phrasings") || !strings.Contains(s, "quokkawatchers") {
		t.Errorf("export lacks the phrasing: %s", s)
	}
	if _, err := privacy.Erase(ctx, b.db, "admin", "U0PHRASE1", b.Privacy()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.db.Read.QueryRowContext(ctx, "SELECT count(*) FROM kb_phrasings WHERE text LIKE '%quokka%' OR user_id = 'U0PHRASE1'").Scan(&n); err != nil || n != 0 {
		t.Errorf("phrasings left after erasure: %d, %v", n, err)
	}
	for _, f := range []string{b.db.Path, b.db.Path + "-wal"} {
		if raw, err := os.ReadFile(f); err == nil && bytes.Contains(raw, []byte("quokkawatchers")) {
			t.Errorf("%s still holds the phrasing's words", filepath.Base(f))
		}
	}
	// Erasure moved the generation on; a running bot reloads within
	// genCheckEvery, this test at once.
	if err := b.refresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	if again := ask(t, b, q); again.Confident {
		t.Errorf("the erased phrasing still answers: %s", again.Text)
	}
}

// TestExportOfNobodyListsEmpty: a member the knowledge base holds nothing
// on gets empty lists in their export, not nulls.
func TestExportOfNobodyListsEmpty(t *testing.T) {
	ctx := context.Background()
	b := openBase(t, Options{})
	exp, err := b.Privacy().ExportUser(ctx, privacy.NewSubject("nobody", ""))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"questions":[],"feedback":[],"questions_naming_you":[],"questions_kept_as_phrasings":[],"documents_from_your_data":[]}`
	if string(got) != want {
		t.Fatalf("export = %s\nwant %s", got, want)
	}
}

// Two members who ask in the same words each own their question: one's
// export does not list the other's, and erasing one leaves the other's
// intact. A question that names the member is still theirs to see and is
// scrubbed.
func TestSameWordsAreNotAnotherMembersData(t *testing.T) {
	ctx := context.Background()
	b := openBase(t, Options{})
	const same = "is tiktok allowed on council phones"
	askAs := func(user, q string) int64 {
		a, err := b.Ask(ctx, Question{Text: q, UserID: user, Platform: "slack", Record: true})
		if err != nil {
			t.Fatal(err)
		}
		return a.QuestionID
	}
	askAs("U0ALICE", same)
	bobSame := askAs("U0BOB", same)
	bobNaming := askAs("U0BOB", "did U0ALICE ever write up the tiktok phones rule")
	exp, err := privacy.Export(ctx, "U0ALICE", b.Privacy())
	if err != nil {
		t.Fatal(err)
	}
	s := sprint(exp["knowledge"])
	if !strings.Contains(s, "write up the tiktok") {
		t.Errorf("alice's export lacks the question naming her: %s", s)
	}
	if strings.Count(s, same) != 1 {
		t.Errorf("alice's export lists bob's question in the same words as hers: %s", s)
	}
	if _, err := privacy.Erase(ctx, b.db, "admin", "U0ALICE", b.Privacy()); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{bobSame: same, bobNaming: "did"} {
		text, err := b.QuestionText(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, want) || strings.Contains(text, "U0ALICE") {
			t.Errorf("bob's question #%d after alice's erasure: %q", id, text)
		}
	}
}

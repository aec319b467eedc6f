package shoutouts

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestRetract(t *testing.T) {
	e := newEnv(t, true, nil)
	e.say("UALICE", "shoutout <@UBOB> for the brilliant FOI guide #records")
	tests := []struct {
		user, text, want string
	}{
		{"UALICE", "shoutout retract 1 I changed my mind", "only organisers can use"},
		{"UORG", "shoutout retract", "Usage: shoutout retract ID REASON"},
		{"UORG", "shoutout retract one spam", "is not a shout-out number"},
		{"UORG", "shoutout retract #1", "Please give a reason for retracting #1"},
		{"UORG", "shoutout retract 99 spam", "There is no shout-out #99"},
		{"UORG", "shoutout retract #1 posted in the wrong community", "Retracted shout-out #1 (to Bob from Alice)"},
		{"UORG", "shoutout retract 1 again", "already retracted"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := replyText(e.say(tc.user, tc.text)); !strings.Contains(got, tc.want) {
				t.Errorf("reply %q, want %q", got, tc.want)
			}
		})
	}
	sh, err := e.svc.Get(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !sh.Retracted() || sh.RetractedBy != "UORG" || sh.RetractReason != "posted in the wrong community" || sh.Reason != "the brilliant FOI guide" {
		t.Errorf("row after retraction: %+v", sh)
	}
	var actor, action, subject, detail string
	if err := e.db.Read.QueryRow("SELECT actor, action, subject, detail FROM audit_log WHERE action = 'shoutout.retract'").Scan(&actor, &action, &subject, &detail); err != nil {
		t.Fatalf("audit row: %v", err)
	}
	if actor != "UORG" || subject != "shoutout:1" || detail != "posted in the wrong community" {
		t.Errorf("audit = %s %s %s %s", actor, action, subject, detail)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'shoutout.retract'"); n != 1 {
		t.Errorf("%d retraction audit rows, want 1", n)
	}
	b, _ := e.svc.Leaderboard(t.Context(), AllTime, "")
	if b.Total != 0 {
		t.Errorf("retracted shout-out still on the board: %+v", b)
	}
	// The retracted one no longer counts as a duplicate or against the quota.
	if got := replyText(e.say("UALICE", "shoutout <@UBOB> for the brilliant FOI guide")); !strings.Contains(got, "recorded for Bob (#2)") {
		t.Errorf("re-give after retraction: %q", got)
	}
}

func TestAwardsRound(t *testing.T) {
	e := newEnv(t, true, nil)
	steps := []struct {
		user, text, want string
	}{
		{"UALICE", "nominate <@UBOB> for best-thread because his thread helped everyone", "No awards round is open"},
		{"UALICE", "awards open 2026 best-thread", "only organisers"},
		{"UORG", "awards open", "Usage: awards open NAME CATEGORY"},
		{"UORG", "awards open 2026", "needs at least one category"},
		{"UORG", `awards open "Comms Awards 2026" #best-thread, crisis-comms`, "The Comms Awards 2026 awards round is open for nominations in #best-thread, #crisis-comms"},
		{"UORG", `awards open "comms awards 2026" other`, "already an awards round called"},
		{"UALICE", "awards", "Open: Comms Awards 2026, categories #best-thread, #crisis-comms"},
		{"UALICE", "nominate <@UBOB> for best-thread because his closures thread helped parents", "Nomination recorded: Bob for #best-thread in Comms Awards 2026"},
		{"UALICE", "nominate <@UBOB> for #Best-Thread because his closures thread helped parents", "already nominated Bob for best-thread"},
		{"UCAROL", "nominate <@UBOB> for best-thread because clear and kind all day", "Nomination recorded"},
		{"UDAVE", "nominate <@UCAROL> for best-thread because her purdah explainer was great", "Nomination recorded"},
		{"UBOB", "nominate <@UDAVE> for best-thread because the FOI template saved hours", "Nomination recorded"},
		{"UORG", "nominate <@UALICE> for best-thread because her accessibility checklist rocks", "Nomination recorded"},
		{"UCAROL", "nominate <@UCAROL> for crisis-comms because I was calm under pressure", "can't nominate yourself"},
		{"UCAROL", "nominate <@UBOB> for crisis-comms because good", "at least 3 words"},
		{"UCAROL", "nominate <@UBOB> for best-photo because lovely snowy photos", `"best-photo" isn't a category in any open awards round`},
		{"UCAROL", "nominate <@UBOB> for crisis-comms in Other because calm and clear posts", `No open awards round called "Other"`},
		{"UCAROL", "nominate <@UBOB> crisis-comms calm and clear posts", "Usage: nominate @person for CATEGORY"},
		{"UCAROL", "nominate <@UBOB> for crisis-comms in Comms Awards 2026 because calm and clear posts", "Nomination recorded: Bob for #crisis-comms"},
		{"UALICE", `awards shortlist "Comms Awards 2026"`, "still open"},
		{"UALICE", `awards close "Comms Awards 2026"`, "only organisers"},
	}
	for _, st := range steps {
		if got := replyText(e.say(st.user, st.text)); !strings.Contains(got, st.want) {
			t.Errorf("%s: %q\n got %q\nwant %q", st.user, st.text, got, st.want)
		}
	}
	got := replyText(e.say("UORG", `awards close "comms awards 2026"`))
	// Bob has two nominators; Carol, Dave and Alice one each, tied for the
	// last places, so all three are shortlisted.
	want := "Nominations are closed. Shortlist for Comms Awards 2026:\n#best-thread\n" +
		"  1. Bob (2 nominations): \"his closures thread helped parents\"\n" +
		"  2. Carol (1 nomination): \"her purdah explainer was great\"\n" +
		"  3. Dave (1 nomination): \"the FOI template saved hours\"\n" +
		"  4. Alice (1 nomination): \"her accessibility checklist rocks\"\n" +
		"#crisis-comms\n  1. Bob (1 nomination): \"calm and clear posts\""
	if got != want {
		t.Errorf("shortlist:\n%s\nwant:\n%s", got, want)
	}
	for _, st := range []struct{ user, text, want string }{
		{"UALICE", "nominate <@UDAVE> for crisis-comms because too late for this", "No awards round is open"},
		{"UORG", "awards close comms awards 2026", `no awards round called "comms"`},
		{"UORG", `awards close "Comms Awards 2026"`, "already closed"},
		{"UALICE", `awards shortlist "Comms Awards 2026"`, "1. Bob (2 nominations)"},
		{"UALICE", "awards", "Closed 11 Mar 2026: Comms Awards 2026"},
	} {
		if got := replyText(e.say(st.user, st.text)); !strings.Contains(got, st.want) {
			t.Errorf("%q: got %q, want %q", st.text, got, st.want)
		}
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action IN ('awards.open', 'awards.close')"); n != 2 {
		t.Errorf("%d awards audit rows, want 2", n)
	}
}

func TestPromote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kb")
	e := newEnv(t, true, func(o *Options) { o.KnowledgeDir = dir })
	e.say("UALICE", "shoutout <@UBOB> for the snow-day school closures thread. Parents knew by 7am! #crisis")
	e.say("UALICE", "shoutout <@UCAROL> for a thread we later retracted")
	e.say("UORG", "shoutout retract 2 wrong person")

	if got := replyText(e.say("UBOB", "shoutout promote 1")); !strings.Contains(got, "only organisers") {
		t.Errorf("member promote: %q", got)
	}
	got := replyText(e.say("UORG", "shoutout promote #1"))
	path := filepath.Join(dir, "case-study-shoutout-1.md")
	if !strings.Contains(got, "Draft case study written to "+path) {
		t.Fatalf("promote reply %q", got)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(data, []byte("---\n"), 3)
	if len(parts) != 3 || len(parts[0]) != 0 {
		t.Fatalf("no front matter:\n%s", data)
	}
	var fm map[string]any
	if err := yaml.Unmarshal(parts[1], &fm); err != nil {
		t.Fatalf("front matter does not parse: %v\n%s", err, parts[1])
	}
	if fm["id"] != "case-study-shoutout-1" || fm["kind"] != "case-study" || fm["title"] != "Case study: The snow-day school closures thread" || fm["updated"] != "2026-03-11" || fm["draft"] != true {
		t.Errorf("front matter = %v", fm)
	}
	if _, ok := fm["organisation"]; !ok {
		t.Error("front matter has no organisation key to fill in")
	}
	if tags, _ := fm["tags"].([]any); len(tags) != 3 || tags[2] != "crisis" {
		t.Errorf("tags = %v", fm["tags"])
	}
	body := string(parts[2])
	for _, want := range []string{"**Draft.**", "kb publish case-study-shoutout-1", "Bob received a shout-out from Alice on 11 March 2026", "Parents knew by 7am!", "## How others can do the same"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{"shoutout promote 1", "already been promoted"},
		{"shoutout promote 2", "was retracted"},
		{"shoutout promote 42", "no shout-out #42"},
		{"shoutout promote", "Usage: shoutout promote ID"},
	} {
		if got := replyText(e.say("UORG", tc.text)); !strings.Contains(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.text, got, tc.want)
		}
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'shoutout.promote' AND subject = 'shoutout:1'"); n != 1 {
		t.Errorf("%d promote audit rows, want 1", n)
	}

	t.Run("no knowledge folder", func(t *testing.T) {
		e := newEnv(t, true, nil)
		e.say("UALICE", "shoutout <@UBOB> for the snow-day school closures thread")
		if got := replyText(e.say("UORG", "shoutout promote 1")); !strings.Contains(got, "knowledge: {dirs: [knowledge]}") || !strings.Contains(got, "bothy kb export-starter") {
			t.Errorf("reply %q", got)
		}
	})
}

// A promotion is written and recorded, or neither: the audit row comes
// after the file, and a failed row takes the file away again.
func TestPromoteAuditFailure(t *testing.T) {
	setup := func(t *testing.T) (*env, string) {
		dir := filepath.Join(t.TempDir(), "kb")
		e := newEnv(t, true, func(o *Options) { o.KnowledgeDir = dir })
		e.say("UALICE", "shoutout <@UBOB> for the snow-day school closures thread #crisis")
		// The database refuses audit rows, as a full disk would.
		if _, err := e.db.Write.Exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
			BEGIN SELECT RAISE(ABORT, 'audit log refused'); END`); err != nil {
			t.Fatal(err)
		}
		return e, filepath.Join(dir, "case-study-shoutout-1.md")
	}
	audited := func(e *env) int {
		return e.count("SELECT count(*) FROM audit_log WHERE action = 'shoutout.promote'")
	}

	t.Run("file removed again", func(t *testing.T) {
		e, path := setup(t)
		got := replyText(e.say("UORG", "shoutout promote 1"))
		if !strings.Contains(got, "could not record the promotion of shout-out #1 in the audit log, so I removed the draft case study again: nothing has changed") {
			t.Errorf("reply %q", got)
		}
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the unrecorded draft is still there (%v)", err)
		}
		if n := audited(e); n != 0 {
			t.Errorf("%d promote audit rows, want 0", n)
		}
		// Once the log takes rows again, the same command works.
		if _, err := e.db.Write.Exec("DROP TRIGGER refuse_audit"); err != nil {
			t.Fatal(err)
		}
		if got := replyText(e.say("UORG", "shoutout promote 1")); !strings.Contains(got, "Draft case study written to "+path) {
			t.Errorf("retry reply %q", got)
		}
		if n := audited(e); n != 1 {
			t.Errorf("%d promote audit rows after the retry, want 1", n)
		}
	})

	t.Run("file cannot be removed", func(t *testing.T) {
		e, path := setup(t)
		e.svc.remove = func(string) error { return errors.New("read-only folder") }
		got := replyText(e.say("UORG", "shoutout promote 1"))
		if !strings.Contains(got, "I wrote the draft case study to "+path+", but could not record that in the audit log, and could not remove the file again") {
			t.Errorf("reply %q", got)
		}
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("the draft the reply names is not there: %v", err)
		}
		if n := audited(e); n != 0 {
			t.Errorf("%d promote audit rows, want 0", n)
		}
	})
}

func TestTitleFrom(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct{ in, want string }{
		{"the thread. More words.", "The thread"},
		{"élan in every post", "Élan in every post"},
		{long, "Word" + strings.Repeat(" word", 15) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := titleFrom(tc.in); got != tc.want {
				t.Errorf("titleFrom = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		in, name, rest string
	}{
		{`2026 best-thread x`, "2026", "best-thread x"},
		{`"Comms Awards" x y`, "Comms Awards", "x y"},
		{`'Single quoted' x`, "Single quoted", "x"},
		{`‘Phone single’ x`, "Phone single", "x"},
		{`“Phone double” x`, "Phone double", "x"},
		{`“Phone then straight" x`, "Phone then straight", "x"},
		{`'Sam's picks' x`, "Sam's picks", "x"},
		{`"Members' choice" x`, "Members' choice", "x"},
		{`'Unclosed name`, "Unclosed name", ""},
		{`'Closed at the end'`, "Closed at the end", ""},
		{``, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if name, rest := splitName(tc.in); name != tc.name || rest != tc.rest {
				t.Errorf("splitName(%q) = %q, %q; want %q, %q", tc.in, name, rest, tc.name, tc.rest)
			}
		})
	}
}

// Round names in any quotes open, close and take nominations as one name.
func TestAwardsQuotedNames(t *testing.T) {
	tests := []struct {
		name, open, nominate, close string
	}{
		{"single", `awards open 'Single quoted' x`, "nominate <@UBOB> for x in 'Single quoted' because calm and clear posts", `awards close 'single quoted'`},
		{"curly single", `awards open ‘Single quoted’ x`, "nominate <@UBOB> for x in ‘Single quoted’ because calm and clear posts", `awards close ‘Single quoted’`},
		{"curly double", `awards open “Single quoted” x`, "nominate <@UBOB> for x in “Single quoted” because calm and clear posts", `awards close “Single quoted”`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, nil)
			if got := replyText(e.say("UORG", tc.open)); !strings.Contains(got, "The Single quoted awards round is open for nominations in #x.") {
				t.Errorf("open: %q", got)
			}
			if got := replyText(e.say("UALICE", tc.nominate)); !strings.Contains(got, "Nomination recorded: Bob for #x in Single quoted") {
				t.Errorf("nominate: %q", got)
			}
			if got := replyText(e.say("UORG", tc.close)); !strings.Contains(got, "Shortlist for Single quoted:\n#x\n  1. Bob") {
				t.Errorf("close: %q", got)
			}
		})
	}
}

func TestParseNominationPeople(t *testing.T) {
	tests := []struct {
		in     string
		people []string
	}{
		{"@cat for crisis-comms because they handled the flood comms", []string{"@cat"}},
		{"@cat @dan for crisis-comms because they handled the flood comms", []string{"@cat", "@dan"}},
		{"@cat, @dan and @erin for crisis-comms because they handled the flood comms", []string{"@cat", "@dan", "@erin"}},
		{"cat and dan for crisis-comms because they handled the flood comms", []string{"cat", "dan"}},
		{"cat,dan for crisis-comms because they handled the flood comms", []string{"cat", "dan"}},
		{"Cat Smith for crisis-comms because she handled the flood comms", []string{"Cat Smith"}},
		{"and for crisis-comms because nobody at all here", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, ok := ParseNomination(tc.in, nil)
			if ok != (tc.people != nil) || strings.Join(p.Mentions, "|") != strings.Join(tc.people, "|") {
				t.Errorf("got %q (ok %v), want %q", p.Mentions, ok, tc.people)
			}
			if ok && p.Mention != tc.people[0] {
				t.Errorf("Mention = %q, want %q", p.Mention, tc.people[0])
			}
		})
	}
}

// Naming several people in one nomination is refused with what to type
// instead, and records nothing (never one nominee with a garbled name).
func TestNominateSeveralPeople(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"two mentions", "nominate <@UCAROL> <@UDAVE> for crisis-comms because they handled the flood comms",
			"One person per nomination, please: nominate <@UCAROL> for crisis-comms because ..., then nominate <@UDAVE> for crisis-comms because ..."},
		{"with and and a round", "nominate @UCAROL and @UDAVE for crisis-comms in 2026 because they handled the flood comms",
			"nominate @UCAROL for crisis-comms in 2026 because ..., then nominate @UDAVE for crisis-comms in 2026 because ..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, nil)
			e.say("UORG", "awards open 2026 crisis-comms")
			if got := replyText(e.say("UALICE", tc.text)); !strings.Contains(got, tc.want) {
				t.Errorf("reply %q, want %q", got, tc.want)
			}
			if n := e.count("SELECT count(*) FROM award_nominations"); n != 0 {
				t.Errorf("%d nominations recorded, want none", n)
			}
		})
	}
}

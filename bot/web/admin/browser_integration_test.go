//go:build integration

package admin

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/web/browsertest"
)

// The console in a real browser: sign in through the link chat sends,
// answer a gap, confirm a helpful answer, edit a document and read the
// dashboard by clicking and typing as an organiser would, and check every
// page with axe-core (WCAG 2.2 A and AA rules) at desktop and phone widths.

func TestBrowserConsole(t *testing.T) {
	h := newHarness(t, harnessOpts{linker: true})
	br := browsertest.Start(t)

	// A community with a little history: questions answered and not, a
	// rating, a meetup with an RSVP, shout-outs, a flagged section.
	h.clock.Add(-8 * 24 * time.Hour)
	h.ask("do videos need captions?")
	h.clock.Add(8 * 24 * time.Hour)
	h.ask("which biscuits should we serve at the network meeting?")
	h.ask("Which biscuits should we serve at network meetings")
	helpful := h.ask("how do I write good alt text for images?")
	if err := h.kb.Feedback(h.ctx, helpful.QuestionID, member, true); err != nil {
		t.Fatal(err)
	}
	wrong := h.ask("do videos need captions?")
	_ = h.kb.Feedback(h.ctx, wrong.QuestionID, "U0OTHER", false)
	m, err := h.meet.Create(h.ctx, meetups.Draft{Title: "Plain English clinic", Start: h.clock.Now().Add(72 * time.Hour), Venue: "Dundee Central Library"}, organiser)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = h.meet.RecordRSVP(h.ctx, m.ID, "test", member, "Mo", "yes")
	give(t, h, "U1", "U2", "thanks for the brilliant flood warning copy #crisis")
	give(t, h, "U2", "U3", "thanks for the alt text checklist you shared #accessibility")
	draft := "---\nid: minibus-story\ntitle: The minibus story\ndraft: true\n---\n# The minibus story\n\n- (what worked?)\n"
	if err := os.WriteFile(filepath.Join(h.dir, "minibus-story.md"), []byte(draft), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("sign in through the chat link", func(t *testing.T) {
		br := br.For(t)
		if p := br.Goto(h.ts.URL + "/admin/"); !strings.HasSuffix(p.URL, "/admin/signin") {
			t.Fatalf("without a session the console went to %s", p.URL)
		}
		mustContain(t, br.Text("main"), "web login")
		br.CheckAccessible("sign-in page")
		link := h.link(organiser)
		br.Goto(link)
		br.CheckAccessible("sign-in link page")
		p := br.Click("main form button[type=submit]")
		if !strings.HasSuffix(p.URL, "/admin/") || p.Status != http.StatusOK {
			t.Fatalf("after signing in: %+v", p)
		}
		if !strings.Contains(br.Text("header"), organiser) {
			t.Errorf("header does not say who is signed in: %q", br.Text("header"))
		}
	})

	t.Run("answer a gap", func(t *testing.T) {
		br := br.For(t)
		br.Goto(h.ts.URL + "/admin/gaps")
		br.CheckAccessible("gaps")
		br.Click(`ol.gaps a`) // the newest group: the biscuit question, asked twice
		br.CheckAccessible("one gap")
		shotHere(t, br, "admin-gap")
		br.Fill("#answer", "Shortbread and oatcakes, and always something gluten free.")
		p := br.Click(`form[action$="/answer"] button[type=submit]`)
		if !strings.Contains(p.URL, "done=answered") {
			t.Fatalf("after answering: %+v\n%s", p, br.Text("main"))
		}
		if gaps, _ := h.kb.Gaps(h.ctx, 10); len(gaps) != 0 {
			t.Errorf("gaps left: %+v", gaps)
		}
		if a := h.ask("which biscuits should we serve at the network meeting?"); !a.Confident || !strings.Contains(a.Text, "oatcakes") {
			t.Errorf("the next person is not answered: %q", a.Text)
		}
	})

	t.Run("confirm a helpful answer", func(t *testing.T) {
		br := br.For(t)
		br.Goto(h.ts.URL + "/admin/feedback")
		br.CheckAccessible("feedback")
		p := br.Click(`form[action="/admin/feedback/` + strconv.FormatInt(helpful.QuestionID, 10) + `/confirm"] button`)
		if !strings.Contains(p.URL, "done=confirmed") {
			t.Fatalf("after confirming: %+v", p)
		}
		if ph := h.phrasings(); len(ph) == 0 || !strings.HasPrefix(ph[len(ph)-1], "helpful "+strconv.FormatInt(helpful.QuestionID, 10)+" accessible-social-media#") {
			t.Errorf("phrasings after confirming: %q", ph)
		}
		br.Fill("#note-"+strconv.FormatInt(wrong.QuestionID, 10), "nothing on audio description")
		br.Click(`form[action="/admin/feedback/` + strconv.FormatInt(wrong.QuestionID, 10) + `/flag"] button`)
	})

	t.Run("edit a document", func(t *testing.T) {
		br := br.For(t)
		br.Goto(h.ts.URL + "/admin/docs")
		br.CheckAccessible("documents")
		br.Click(`a[href="/admin/doc?id=accessible-social-media"]`)
		br.CheckAccessible("document editor")
		// The live preview follows typing (the page's script); without it
		// the Preview button does the same.
		br.Type("#newsection", "## How do we book the community minibus?\n\nBook it through the facilities desk two working days ahead.\n")
		br.WaitText("#preview", "facilities desk")
		br.CheckAccessible("document editor with a preview")
		shotHere(t, br, "admin-document-editor")
		p := br.Click(`#docform button[value=save]`)
		if !strings.Contains(p.URL, "done=saved") {
			t.Fatalf("after saving: %+v\n%s", p, br.Text("main"))
		}
		data, _ := os.ReadFile(filepath.Join(h.dir, "accessible-social-media.md"))
		if !strings.HasSuffix(string(data), "two working days ahead.\n") {
			t.Errorf("file on disk:\n%s", data)
		}
		if a := h.ask("how do we book the community minibus?"); !a.Confident || !strings.Contains(a.Text, "facilities desk") {
			t.Errorf("the next question is not answered from the edit: %q", a.Text)
		}
		br.Goto(h.ts.URL + "/admin/doc/new")
		br.CheckAccessible("new document")
	})

	t.Run("read the dashboard", func(t *testing.T) {
		br := br.For(t)
		br.Goto(h.ts.URL + "/admin/")
		text := br.Text("main")
		mustContain(t, text, "Questions per week", "Helpful answers per week", "Most asked topics", "Meetups and RSVPs", "Shout-outs per month by category")
		if n := strings.Count(br.HTML(), "<svg viewBox"); n != 5 {
			t.Errorf("%d charts drawn", n)
		}
		br.CheckAccessible("dashboard")
		shots(t, br, h.ts.URL+"/admin/", "admin-dashboard")
	})

	t.Run("every other page", func(t *testing.T) {
		br := br.For(t)
		for _, path := range []string{"/admin/doc?id=minibus-story", "/admin/meetups", "/admin/meetups/" + strconv.FormatInt(m.ID, 10), "/admin/shoutouts", "/admin/audit",
			"/admin/docs?kind=case-study"} {
			p := br.Goto(h.ts.URL + path)
			if p.Status != http.StatusOK {
				t.Errorf("%s: %d", path, p.Status)
			}
			br.CheckAccessible(path)
		}
		// A refused form keeps its words and stays accessible.
		br.Goto(h.ts.URL + "/admin/doc?id=photo-consent-children")
		br.Fill("#frontmatter", "title: [unclosed\n")
		br.Click(`#docform button[value=save]`)
		mustContain(t, br.Text("main"), "front matter")
		br.CheckAccessible("refused document")
		if errs := br.Errors(); len(errs) > 0 {
			t.Errorf("script errors: %q", errs)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		br := br.For(t)
		p := br.Click("header form.signout button")
		if !strings.Contains(p.URL, "/admin/signin?why=out") {
			t.Fatalf("after signing out: %+v", p)
		}
		if p := br.Goto(h.ts.URL + "/admin/gaps"); !strings.Contains(p.URL, "/admin/signin") {
			t.Errorf("still signed in: %+v", p)
		}
	})
}

// shots saves desktop and phone screenshots of a page for the README.
func shots(t *testing.T, br *browsertest.Browser, url, name string) {
	t.Helper()
	br.Goto(url)
	shotHere(t, br, name)
}

// shotHere saves desktop and phone screenshots of the page as it is.
func shotHere(t *testing.T, br *browsertest.Browser, name string) {
	t.Helper()
	dir := os.Getenv("BOTHY_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "bothy-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		suffix string
		w, h   int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		p := filepath.Join(dir, name+"-"+s.suffix+".png")
		br.Screenshot(p, s.w, s.h, true)
		if st, err := os.Stat(p); err != nil || st.Size() < 10000 {
			t.Errorf("screenshot %s: %v", p, err)
		}
		t.Logf("screenshot: %s", p)
	}
}

package admin

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bothy-chat/bothy/knowledge"
)

// docForm reads the edit form of a document back as the browser would
// submit it.
func (b *browser) docForm(id string) url.Values {
	b.h.t.Helper()
	p := b.get("/admin/doc?id=" + url.QueryEscape(id))
	if p.code != http.StatusOK {
		b.h.t.Fatalf("doc page %s: %d\n%s", id, p.code, p.body)
	}
	return formValues(b.h.t, p.body, "docform")
}

var (
	formRE     = regexp.MustCompile(`(?s)<form[^>]*id="([^"]+)"[^>]*>(.*?)</form>`)
	inputRE    = regexp.MustCompile(`<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
	textareaRE = regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// formValues reads a form's hidden inputs and textareas from a page, as a
// browser would submit them (one newline after <textarea> is not part of
// the value).
func formValues(t *testing.T, body, id string) url.Values {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		if m[1] != id {
			continue
		}
		v := url.Values{}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			v.Add(in[1], html.UnescapeString(in[2]))
		}
		for _, ta := range textareaRE.FindAllStringSubmatch(m[2], -1) {
			v.Add(ta[1], strings.TrimPrefix(html.UnescapeString(ta[2]), "\n"))
		}
		return v
	}
	t.Fatalf("no form %q in the page", id)
	return nil
}

func TestEditingADocument(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	file := filepath.Join(h.dir, "accessible-social-media.md")
	original, _ := os.ReadFile(file)

	t.Run("saving unchanged leaves the file byte for byte", func(t *testing.T) {
		f := b.docForm("accessible-social-media")
		if n := len(f["section"]); n != 6 {
			t.Fatalf("%d section boxes, want the opening text and five sections", n)
		}
		f.Set("action", "save")
		if p := b.post("/admin/doc", f); p.code != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", p.code, p.body)
		}
		if now, _ := os.ReadFile(file); string(now) != string(original) {
			t.Fatalf("file changed:\n%s", now)
		}
		if rows := h.audit("kb.doc.edit"); len(rows) != 0 {
			t.Errorf("an unchanged save was audited: %+v", rows)
		}
	})

	t.Run("a new section is written, indexed at once and answers the next question", func(t *testing.T) {
		const q = "how do we book the community minibus?"
		if a := h.ask(q); a.Confident {
			t.Fatalf("answered before the edit: %q", a.Text)
		}
		f := b.docForm("accessible-social-media")
		f.Set("newsection", "## How do we book the community minibus?\n\nBook the community minibus through the facilities desk at least two working days ahead, and say how many wheelchair spaces you need.\n")
		f.Set("action", "preview")
		p := b.post("/admin/doc", f)
		mustContain(t, p.body, "<h2>How do we book the community minibus?</h2>", "How do we book the community minibus? <span class=\"meta\">(")
		if now, _ := os.ReadFile(file); string(now) != string(original) {
			t.Fatal("preview wrote the file")
		}
		f.Set("action", "save")
		p = b.post("/admin/doc", f)
		if p.code != http.StatusSeeOther || p.location() != "/admin/doc?id=accessible-social-media&done=saved" {
			t.Fatalf("save: %d %q\n%s", p.code, p.location(), p.body)
		}
		now, _ := os.ReadFile(file)
		if !strings.HasPrefix(string(now), string(original)) || !strings.HasSuffix(string(now), "wheelchair spaces you need.\n") {
			t.Fatalf("file after save:\n%s", now)
		}
		a := h.ask(q)
		if !a.Confident || !strings.Contains(a.Text, "facilities desk") || a.Sources[0].ID != "accessible-social-media" {
			t.Fatalf("next question answered %v from %v: %q", a.Confident, a.Sources, a.Text)
		}
		rows := h.audit("kb.doc.edit")
		if len(rows) != 1 || rows[0].Actor != organiser || rows[0].Subject != "doc:accessible-social-media" {
			t.Errorf("audit = %+v", rows)
		}
		if p := b.get(p.location()); !strings.Contains(p.body, "Saved the document") {
			t.Errorf("no notice after saving")
		}
	})

	t.Run("a stale save is refused and nothing is lost", func(t *testing.T) {
		mine := b.docForm("accessible-social-media")
		other := h.signedIn()
		theirs := other.docForm("accessible-social-media")
		theirs.Set("newsection", "## Their section\n\nWritten first.\n")
		theirs.Set("action", "save")
		if p := other.post("/admin/doc", theirs); p.code != http.StatusSeeOther {
			t.Fatalf("first save: %d", p.code)
		}
		afterTheirs, _ := os.ReadFile(file)
		mine.Set("newsection", "## My section\n\nWritten second.\n")
		mine.Set("action", "save")
		p := b.post("/admin/doc", mine)
		if p.code != http.StatusConflict {
			t.Fatalf("second save: %d, want 409\n%s", p.code, p.body)
		}
		mustContain(t, p.body, "Someone else saved this document after you opened it", "Written second.", "Their version", "Written first.")
		if now, _ := os.ReadFile(file); string(now) != string(afterTheirs) {
			t.Fatalf("the refused save touched the file")
		}
		// The form now carries their version: saving again is a choice.
		again := formValues(t, p.body, "docform")
		if again.Get("version") == mine.Get("version") || again.Get("newsection") != "## My section\n\nWritten second.\n" {
			t.Fatalf("refused form: version %q newsection %q", again.Get("version"), again.Get("newsection"))
		}
	})

	t.Run("broken front matter is refused with kb ingest's message", func(t *testing.T) {
		before, _ := os.ReadFile(file)
		f := b.docForm("accessible-social-media")
		f.Set("frontmatter", "id: accessible-social-media\ntitle: [unclosed\nkind: guidance\n")
		f.Set("action", "save")
		p := b.post("/admin/doc", f)
		if p.code != http.StatusUnprocessableEntity {
			t.Fatalf("broken save: %d\n%s", p.code, p.body)
		}
		if now, _ := os.ReadFile(file); string(now) != string(before) {
			t.Fatal("the broken front matter reached the file")
		}
		// The same message kb ingest prints for that file.
		broken := t.TempDir()
		if err := os.WriteFile(filepath.Join(broken, "accessible-social-media.md"), []byte(knowledge.JoinParts(f.Get("frontmatter"), f["section"])), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := h.kb.Ingest(h.ctx, broken)
		if err != nil || len(rep.Errors) != 1 {
			t.Fatalf("ingest: %v %v", rep, err)
		}
		want := strings.Replace(rep.Errors[0].Error(), filepath.Join(broken, "accessible-social-media.md"), file, 1)
		if !regexp.MustCompile(`:\d+: front matter:`).MatchString(want) {
			t.Fatalf("kb ingest message %q has no line", want)
		}
		mustContain(t, p.body, html.EscapeString(want))
		if _, err := h.kb.Reload(h.ctx); err != nil { // back to the real folder
			t.Fatal(err)
		}
	})
}

func TestCreatingAndRetiringDocuments(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	p := b.get("/admin/doc/new")
	if p.code != http.StatusOK {
		t.Fatalf("new page: %d", p.code)
	}
	f := formValues(t, p.body, "docform")
	f.Set("frontmatter", "id: minibus\ntitle: Community minibus\nkind: guidance\ntags: [transport]\nreview_by: 2026-01-01\n")
	f.Set("section", "# Community minibus\n\nBook the community minibus through the facilities desk two working days ahead.\n")
	f.Set("action", "save")
	p = b.post("/admin/doc", f)
	if p.code != http.StatusSeeOther || p.location() != "/admin/doc?id=minibus&done=created" {
		t.Fatalf("create: %d %q\n%s", p.code, p.location(), p.body)
	}
	file := filepath.Join(h.dir, "minibus.md")
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), "facilities desk") {
		t.Fatalf("new file: %v %q", err, data)
	}
	t.Run("a second document with the same id is refused", func(t *testing.T) {
		p := b.post("/admin/doc", f)
		if p.code != http.StatusUnprocessableEntity || !strings.Contains(p.body, "already used") {
			t.Fatalf("duplicate: %d\n%s", p.code, p.body)
		}
	})
	t.Run("browse by kind and tag; passed review dates shown", func(t *testing.T) {
		p := b.get("/admin/docs?tag=transport")
		mustContain(t, p.body, "Showing 1 of 4", ">Community minibus</a>", "Review date passed", "review by 2026-01-01")
		p = b.get("/admin/docs?kind=case-study")
		mustContain(t, p.body, "Showing 1 of 4", "out-of-hours")
	})
	t.Run("retire and restore", func(t *testing.T) {
		p := b.post("/admin/doc/retire", url.Values{"id": {"minibus"}})
		if p.code != http.StatusSeeOther {
			t.Fatalf("retire: %d\n%s", p.code, p.body)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Fatalf("file still in the folder: %v", err)
		}
		if _, err := os.Stat(filepath.Join(h.dir, ".retired", "minibus.md")); err != nil {
			t.Fatalf("not kept in .retired: %v", err)
		}
		docs, _ := h.kb.Documents(h.ctx)
		for _, d := range docs {
			if d.ID == "minibus" {
				t.Fatal("retired document still indexed")
			}
		}
		p = b.get("/admin/docs")
		mustContain(t, p.body, "Retired documents", "minibus.md")
		if p := b.post("/admin/doc/restore", url.Values{"dir": {"0"}, "name": {"minibus.md"}}); p.code != http.StatusSeeOther {
			t.Fatalf("restore: %d\n%s", p.code, p.body)
		}
		if a := h.ask("how do I book the community minibus"); !a.Confident || a.Sources[0].ID != "minibus" {
			t.Fatalf("restored document not answering: %+v", a.Sources)
		}
		if p := b.post("/admin/doc/restore", url.Values{"dir": {"0"}, "name": {"../../etc/passwd"}}); p.code != http.StatusBadRequest {
			t.Errorf("restore outside the folder: %d", p.code)
		}
		// A second press of Restore finds nothing to restore.
		if p := b.post("/admin/doc/restore", url.Values{"dir": {"0"}, "name": {"minibus.md"}}); p.code != http.StatusConflict && p.code != http.StatusNotFound {
			t.Errorf("restoring twice: %d\n%s", p.code, p.body)
		}
		if p := b.post("/admin/doc/restore", url.Values{"dir": {"0"}, "name": {"never-retired.md"}}); p.code != http.StatusNotFound || !strings.Contains(p.body, "no longer among the retired") {
			t.Errorf("restoring a file never retired: %d\n%s", p.code, p.body)
		}
	})
	t.Run("an id too long to name a file is refused with a reason", func(t *testing.T) {
		long := strings.Repeat("a", 300)
		g := formValues(t, b.get("/admin/doc/new").body, "docform")
		g.Set("frontmatter", "id: "+long+"\ntitle: Long\nkind: guidance\n")
		g.Set("section", "# Long\n\nSome text about nothing much.\n")
		g.Set("action", "save")
		if p := b.post("/admin/doc", g); p.code != http.StatusUnprocessableEntity || !strings.Contains(p.body, "too long to name a file") {
			t.Errorf("long id: %d\n%s", p.code, p.body)
		}
	})
	if n := len(h.audit("kb.doc.create")) + len(h.audit("kb.doc.retire")) + len(h.audit("kb.doc.restore")); n != 3 {
		t.Errorf("%d audit rows for create, retire and restore", n)
	}
}

func TestStarterDocumentsAreReadOnly(t *testing.T) {
	h := newHarness(t, harnessOpts{noDirs: true})
	b := h.signedIn()
	p := b.get("/admin/doc?id=accessible-social-media")
	mustContain(t, p.body, "built-in starter knowledge base")
	mustNotContain(t, p.body, `id="docform"`)
	if p := b.get("/admin/doc/new"); p.code != http.StatusNotFound || !strings.Contains(p.body, "knowledge.dirs") {
		t.Errorf("new document without a folder: %d", p.code)
	}
}

func TestPreviewShowsNoMemberHTML(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	f := b.docForm("photo-consent-children")
	f.Set("newsection", "## Hostile\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n")
	p := b.post("/admin/doc/preview", f)
	if p.code != http.StatusOK {
		t.Fatalf("preview: %d", p.code)
	}
	mustContain(t, p.body, "<h2>Hostile</h2>", `<a href="">click</a>`)
	mustNotContain(t, p.body, "<script", "javascript:", "onerror")
}

func TestDrafts(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	file := filepath.Join(h.dir, "case-study-minibus.md")
	draft := "---\nid: case-study-minibus\ntitle: The community minibus\nkind: case-study\ndraft: true\n---\n# The community minibus\n\nThe facilities desk books the community minibus two working days ahead.\n\n- (what worked?)\n"
	if err := os.WriteFile(file, []byte(draft), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.kb.Reload(h.ctx); err != nil {
		t.Fatal(err)
	}
	mustContain(t, b.get("/admin/docs").body, "Drafts", `href="/admin/doc?id=case-study-minibus"`, "1 placeholder line left")
	p := b.get("/admin/doc?id=case-study-minibus")
	mustContain(t, p.body, "This is a draft", "Lines 11 of the file")
	mustNotContain(t, p.body, `action="/admin/doc/publish"`)
	if p := b.post("/admin/doc/publish", url.Values{"id": {"case-study-minibus"}}); p.code != http.StatusUnprocessableEntity || !strings.Contains(p.body, "line(s) 11") {
		t.Fatalf("publishing with a placeholder: %d\n%s", p.code, p.body)
	}
	// Fill in the placeholder in the editor, then publish.
	f := b.docForm("case-study-minibus")
	f.Set("section", strings.Replace(f.Get("section"), "- (what worked?)", "- Booking early worked.", 1))
	f.Set("action", "save")
	if p := b.post("/admin/doc", f); p.code != http.StatusSeeOther {
		t.Fatalf("saving the draft: %d\n%s", p.code, p.body)
	}
	if a := h.ask("how do we book the community minibus?"); a.Confident && a.Sources[0].ID == "case-study-minibus" {
		t.Fatal("answered from a draft")
	}
	p = b.get("/admin/doc?id=case-study-minibus")
	mustContain(t, p.body, `action="/admin/doc/publish"`)
	if p := b.post("/admin/doc/publish", url.Values{"id": {"case-study-minibus"}}); p.code != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", p.code, p.body)
	}
	if data, _ := os.ReadFile(file); strings.Contains(string(data), "draft:") {
		t.Errorf("still a draft:\n%s", data)
	}
	if a := h.ask("how do we book the community minibus?"); !a.Confident || a.Sources[0].ID != "case-study-minibus" {
		t.Errorf("published document not answering: %v %+v", a.Confident, a.Sources)
	}
	if rows := h.audit("kb.doc.publish"); len(rows) != 1 || rows[0].Actor != organiser {
		t.Errorf("audit = %+v", rows)
	}
}

// TestWithoutKnowledgeBase: the pages and actions that work on the
// knowledge base say there is none, and the rest still serve.
func TestWithoutKnowledgeBase(t *testing.T) {
	h := newHarness(t, harnessOpts{noKnowledge: true})
	b := h.signedIn()
	for _, path := range []string{"/admin/doc?id=purdah", "/admin/gaps/1"} {
		t.Run("GET "+path, func(t *testing.T) {
			p := b.get(path)
			if p.code != http.StatusNotFound {
				t.Errorf("status %d, want 404", p.code)
			}
			mustContain(t, p.body, "No knowledge base")
		})
	}
	for _, path := range []string{"/admin/doc", "/admin/doc/retire", "/admin/doc/publish", "/admin/doc/restore",
		"/admin/gaps/1/answer", "/admin/gaps/1/dismiss", "/admin/feedback/1/flag"} {
		t.Run("POST "+path, func(t *testing.T) {
			p := b.post(path, url.Values{"id": {"purdah"}, "answer": {"x"}, "reason": {"x"}})
			if p.code != http.StatusNotFound {
				t.Errorf("status %d, want 404", p.code)
			}
			mustContain(t, p.body, "No knowledge base")
		})
	}
	for _, path := range []string{"/admin/", "/admin/meetups", "/admin/shoutouts", "/admin/audit"} {
		t.Run("GET "+path, func(t *testing.T) {
			if p := b.get(path); p.code != http.StatusOK {
				t.Errorf("status %d, want 200", p.code)
			}
		})
	}
}

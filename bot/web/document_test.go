package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// library is a Library over fixed documents.
type library struct {
	docs map[string]DocumentView
	err  error
}

func (l *library) Document(ctx context.Context, id string) (DocumentView, bool, error) {
	if l.err != nil {
		return DocumentView{}, false, l.err
	}
	d, ok := l.docs[id]
	return d, ok, nil
}

func sampleLibrary() *library {
	return &library{docs: map[string]DocumentView{
		"crisis": {ID: "crisis", Title: "Crisis <comms>", Kind: "guidance", URL: "https://example.org/crisis", Updated: "2026-11-01",
			Sections: []SectionView{
				{Text: "When something serious happens, people turn to social media first."},
				{Anchor: "first-hour", Heading: "What should we post in the first hour?", Level: 1,
					Text: "Publish a holding statement within 30 minutes. Then:\n- pause scheduled posts;\n- pin the latest update.\n\nKeep posting at the times you promised."},
				{Anchor: "sub", Heading: "A sub-heading", Level: 2, Text: "<script>alert(1)</script>"},
			}},
	}}
}

func TestDocumentPage(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Sources.Library = sampleLibrary() })
	r := e.get(t, "/kb/crisis")
	if r.code != http.StatusOK {
		t.Fatalf("GET /kb/crisis = %d\n%s", r.code, r.body)
	}
	for _, want := range []string{
		`<h1 id="doc-h">Crisis &lt;comms&gt;</h1>`,
		`<section id="first-hour" aria-labelledby="first-hour-h">`,
		`<h2 id="first-hour-h">What should we post in the first hour?</h2>`,
		`<ul><li>pause scheduled posts;</li><li>pin the latest update.</li></ul>`,
		`<p>Keep posting at the times you promised.</p>`,
		`<h3 id="sub-h">A sub-heading</h3>`,
		`&lt;script&gt;`,
		`<a href="https://example.org/crisis">original source</a>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, "<script>") {
		t.Error("section text reached the page as HTML")
	}
	if r := e.get(t, "/kb/nope"); r.code != http.StatusNotFound || !strings.Contains(r.body, "No such document") {
		t.Errorf("GET /kb/nope = %d\n%s", r.code, r.body)
	}
}

func TestDocumentPageFollowsThePageMode(t *testing.T) {
	lib := sampleLibrary()
	e := newEnv(t, func(o *Options) { o.Sources.Library = lib; o.Page, o.Token = PageToken, "s3cret-page-token" })
	if r := e.get(t, "/kb/crisis"); r.code == http.StatusOK {
		t.Fatalf("a token-only page served a document without the token")
	}
	lib.err = errors.New("database is locked")
	off := newEnv(t, func(o *Options) { o.Sources.Library = lib })
	if r := off.get(t, "/kb/crisis"); r.code != http.StatusInternalServerError || strings.Contains(r.body, "locked") {
		t.Errorf("a failing library gave %d and showed its error: %s", r.code, r.body)
	}
}

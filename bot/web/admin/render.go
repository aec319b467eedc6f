package admin

import (
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = parsePages()

var funcs = template.FuncMap{
	"pct":  func(f float64) int { return int(f*100 + 0.5) },
	"join": strings.Join,
	// hasPrefix: a hashtag may be stored with its # or without.
	"hasPrefix": strings.HasPrefix,
	// lead keeps a textarea's first line break: browsers drop one newline
	// straight after <textarea>, so text starting with one would lose it.
	"lead": func(s string) string { return "\n" + s },
	// dict passes several values to a shared template part.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, e := range names {
		n := e.Name()
		if n == "layout.html" || n == "parts.html" {
			continue
		}
		out[n] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+n))
	}
	return out
}

// page is what every template gets.
type page struct {
	Community string
	Title     string
	// Section is the current navigation item.
	Section  string
	SignedIn bool
	Who      Identity
	CSRF     string
	// Notice says what the last action did (after a redirect).
	Notice string
	// Editor loads the document editor's script.
	Editor bool
	Data   any
}

// notices are the messages shown after a redirect, by ?done= key.
var notices = map[string]string{
	"answered":  "Saved the answer as a new FAQ document and indexed it; the next person who asks gets it.",
	"linked":    "Pointed the question at that section; the asker's wording is kept as a way of asking for it.",
	"dismissed": "Dismissed the question.",
	"confirmed": "Confirmed: the asker's wording is kept as a way of asking for that section.",
	"flagged":   "Flagged the section for review; it is listed on the Documents page.",
	"reviewed":  "Marked as reviewed.",
	"saved":     "Saved the document and indexed it.",
	"created":   "Created the document and indexed it.",
	"retired":   "Retired the document: it is out of the index and kept in the folder's .retired folder.",
	"restored":  "Restored the document and indexed it.",
	"published": "Published the draft: it is indexed and answered from now.",
	"edited":    "Changed the meetup and told every announcement channel.",
	"cancelled": "Cancelled the meetup and told every announcement channel.",
	"retracted": "Retracted the shout-out; the reason is in the audit log.",
	"opened":    "Opened the awards round.",
	"closed":    "Closed the awards round.",
}

func (c *Console) newPage(r *http.Request, title, section string, data any) page {
	p := page{Community: c.opts.Community, Title: title, Section: section, Data: data}
	if s := sessionOf(r); s.token != "" {
		p.SignedIn, p.Who, p.CSRF = true, s.Who, csrfToken(s.token)
	}
	p.Notice = notices[r.URL.Query().Get("done")]
	return p
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, code int, title string, data any) {
	c.renderPage(w, r, name, code, c.newPage(r, title, sectionOf(name), data))
}

func (c *Console) renderPage(w http.ResponseWriter, r *http.Request, name string, code int, p page) {
	var b strings.Builder
	if err := pages[name].ExecuteTemplate(&b, "layout.html", p); err != nil {
		c.fail(w, r, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(b.String()))
}

// sectionOf names the navigation item a template belongs to.
func sectionOf(name string) string {
	switch {
	case strings.HasPrefix(name, "gap"):
		return "gaps"
	case strings.HasPrefix(name, "doc"):
		return "docs"
	case strings.HasPrefix(name, "meetup"):
		return "meetups"
	}
	return strings.TrimSuffix(name, ".html")
}

type errorData struct {
	Heading, Text string
}

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, code int, heading, text string) {
	c.render(w, r, "error.html", code, heading, errorData{heading, text})
}

// fail logs err with the request ID and shows a short page carrying the
// same ID, so a report can be matched to the log.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	id := requestID(r)
	c.log.Error(what, "request_id", id, "err", err)
	c.renderError(w, r, http.StatusInternalServerError, "Something went wrong",
		"Nothing more was changed. If it keeps happening, tell whoever runs Bothy this reference: "+id)
}

// done redirects after a change (so reloading does not repeat it), with a
// notice key for the next page.
func done(w http.ResponseWriter, r *http.Request, to, key string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"done="+key, http.StatusSeeOther)
}

// when formats a time in the community zone.
func (c *Console) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(c.loc).Format("Mon 2 Jan 2006, 15:04")
}

package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/markup"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Limits for the page: how many shout-outs the wall shows and how long a
// search may be (the same limit chat has for a message is far longer than
// any real question; this keeps URLs sensible).
const (
	wallSize       = 12
	maxQueryRunes  = 500
	searchDeadline = 40 * time.Second
	sourceTimeout  = 5 * time.Second
)

var pages = parsePages()

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"paras":    paragraphs,
		"markdown": answerHTML,
		// Meetup hashtags are stored as typed, with or without the "#".
		"hashtag": func(h string) string { return "#" + strings.TrimLeft(h, "#") },
		"blocks":  textBlocks,
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"index.html", "search.html", "document.html"} {
		t := template.Must(template.Must(base.Clone()).ParseFS(assets, "templates/"+name))
		out[name] = t
	}
	return out
}

// answerHTML renders an answer's light Markdown (bold titles, lists,
// links) as HTML, as chat platforms show it; links show their address.
// Should rendering fail, the text is shown as plain paragraphs.
func answerHTML(text string) template.HTML {
	out, err := markup.HTML(text)
	if err != nil {
		var b strings.Builder
		for _, p := range paragraphs(text) {
			b.WriteString("<p>" + template.HTMLEscapeString(p) + "</p>\n")
		}
		return template.HTML(b.String()) //nolint:gosec // escaped above
	}
	return template.HTML(out) //nolint:gosec // goldmark output without raw HTML; links checked by markup
}

// paragraphs splits answer text on blank lines; single line breaks are kept
// by the stylesheet (white-space: pre-line).
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsHandler())
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	gate := s.pageGate
	mux.Handle("GET /{$}", gate(http.HandlerFunc(s.index)))
	mux.Handle("GET /search", gate(http.HandlerFunc(s.search)))
	mux.Handle("GET /meetups.ics", gate(http.HandlerFunc(s.feed)))
	mux.Handle("GET /kb/{id}", gate(http.HandlerFunc(s.document)))
	mux.Handle("GET /meetups/{file}", gate(http.HandlerFunc(s.meetupICS)))
	if s.opts.Admin != nil {
		mux.Handle("/admin", s.opts.Admin)
		mux.Handle("/admin/", s.opts.Admin)
	}
	return s.withRequest(mux)
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// section is one part of the page: absent (feature not set up), failed
// (it errored; the rest of the page still shows) or its items.
type section[T any] struct {
	Enabled bool
	Failed  bool
	Items   []T
}

type meetupRow struct {
	MeetupView
	When    string
	ISO     string
	ICSPath string
}

type shoutoutRow struct {
	ShoutoutView
	When string
	ISO  string
}

type searchData struct {
	Enabled  bool
	Query    string
	Asked    bool
	Problem  string
	Failed   bool
	Answer   AnswerView
	Answered bool
}

type pageData struct {
	Community string
	Title     string
	Meetups   section[meetupRow]
	Wall      section[shoutoutRow]
	Search    searchData
	// Calendar says whether to advertise the feed in the page head.
	Calendar bool
	// FeedPath is the calendar feed's address: with a key that opens the
	// feeds when the page needs a token, since calendar apps never have
	// the browser's cookie.
	FeedPath string
	// Document is the knowledge-base document a /kb/ID page shows.
	Document *DocumentView
}

func (s *Server) newPage(title string) pageData {
	return pageData{
		Community: s.opts.Community,
		Title:     title,
		Search:    searchData{Enabled: s.opts.Sources.Searcher != nil},
		Calendar:  s.opts.Sources.Calendar != nil,
		FeedPath:  s.feedPath("/meetups.ics"),
	}
}

// feedPath is a calendar feed's address as the page links it: in token
// mode with the calendar key (calendarKey), never the page token.
func (s *Server) feedPath(path string) string {
	if s.opts.Page == PageToken {
		return path + "?key=" + url.QueryEscape(s.calendarKey())
	}
	return path
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	d := s.newPage(s.opts.Community)
	d.Meetups = s.loadMeetups(r)
	d.Wall = s.loadWall(r)
	s.render(w, r, "index.html", http.StatusOK, d)
}

func (s *Server) loadMeetups(r *http.Request) section[meetupRow] {
	cal := s.opts.Sources.Calendar
	if cal == nil {
		return section[meetupRow]{}
	}
	ctx, cancel := context.WithTimeout(r.Context(), sourceTimeout)
	defer cancel()
	list, err := cal.UpcomingMeetups(ctx)
	if err != nil {
		s.log.Error("loading meetups for the page", "request_id", RequestID(r.Context()), "err", err)
		return section[meetupRow]{Enabled: true, Failed: true}
	}
	out := section[meetupRow]{Enabled: true}
	for _, m := range list {
		loc := s.opts.Location
		if m.TimeZone != "" {
			if l, err := time.LoadLocation(m.TimeZone); err == nil {
				loc = l
			}
		}
		t := m.StartsAt.In(loc)
		out.Items = append(out.Items, meetupRow{
			MeetupView: m,
			When:       t.Format("Monday 2 January 2006, 15:04 MST"),
			ISO:        t.Format(time.RFC3339),
			ICSPath:    s.feedPath("/meetups/" + m.ID + ".ics"),
		})
	}
	return out
}

func (s *Server) loadWall(r *http.Request) section[shoutoutRow] {
	wall := s.opts.Sources.Wall
	if wall == nil {
		return section[shoutoutRow]{}
	}
	ctx, cancel := context.WithTimeout(r.Context(), sourceTimeout)
	defer cancel()
	list, err := wall.RecentShoutouts(ctx, wallSize)
	if err != nil {
		s.log.Error("loading shout-outs for the page", "request_id", RequestID(r.Context()), "err", err)
		return section[shoutoutRow]{Enabled: true, Failed: true}
	}
	out := section[shoutoutRow]{Enabled: true}
	for _, so := range list {
		t := so.CreatedAt.In(s.opts.Location)
		out.Items = append(out.Items, shoutoutRow{ShoutoutView: so, When: t.Format("2 January 2006"), ISO: t.Format(time.RFC3339)})
	}
	return out
}

// search answers ?q= with the same answer and sources chat would give.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	if s.opts.Sources.Searcher == nil {
		d := s.newPage("Search")
		s.render(w, r, "search.html", http.StatusNotFound, d)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := s.newPage("Search")
	d.Search.Query = q
	switch {
	case q == "":
		d.Search.Problem = "Type a question or a few words to search for."
	case !utf8.ValidString(q):
		d.Search.Problem = "That search has characters I cannot read. Please type it again."
		d.Search.Query = ""
	case utf8.RuneCountInString(q) > maxQueryRunes:
		d.Search.Problem = fmt.Sprintf("That search is too long (%d characters; the limit is %d). Please shorten it.", utf8.RuneCountInString(q), maxQueryRunes)
	}
	if d.Search.Problem != "" {
		s.render(w, r, "search.html", http.StatusOK, d)
		return
	}
	if ok, wait := s.searches.Allow(clientKey(r, s.opts.TrustedProxies)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		d.Search.Problem = fmt.Sprintf("That is more searches than I take from one address in a minute (%d). Please try again in %s.",
			s.searches.PerMinute(), bot.Wait(wait))
		s.render(w, r, "search.html", http.StatusTooManyRequests, d)
		return
	}
	d.Search.Asked = true
	d.Title = q + " · Search"
	ctx, cancel := context.WithTimeout(r.Context(), searchDeadline)
	defer cancel()
	ans, err := s.opts.Sources.Searcher.Search(ctx, q)
	if err != nil {
		s.log.Error("search failed", "request_id", RequestID(r.Context()), "err", err)
		d.Search.Failed = true
		s.render(w, r, "search.html", http.StatusInternalServerError, d)
		return
	}
	d.Search.Answer, d.Search.Answered = ans, true
	s.render(w, r, "search.html", http.StatusOK, d)
}

// block is a paragraph or a list of a section's text.
type block struct {
	Para  string
	Items []string
}

// textBlocks splits a section's plain text into paragraphs and lists:
// lines starting "- " are list items, other lines paragraph text (a line
// after an item continues it).
func textBlocks(text string) []block {
	var out []block
	for _, p := range paragraphs(text) {
		var para []string
		flush := func() {
			if len(para) > 0 {
				out = append(out, block{Para: strings.Join(para, "\n")})
				para = nil
			}
		}
		inList := false
		for _, l := range strings.Split(p, "\n") {
			l = strings.TrimSpace(l)
			if item, ok := strings.CutPrefix(l, "- "); ok {
				flush()
				if !inList {
					out = append(out, block{})
					inList = true
				}
				last := &out[len(out)-1]
				last.Items = append(last.Items, item)
				continue
			}
			if inList {
				last := &out[len(out)-1]
				last.Items[len(last.Items)-1] += " " + l
				continue
			}
			para = append(para, l)
		}
		flush()
	}
	return out
}

// document shows one knowledge-base document, with an anchor per section
// for answers to link to.
func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	d := s.newPage("Document")
	lib := s.opts.Sources.Library
	if lib == nil {
		http.NotFound(w, r)
		return
	}
	doc, found, err := lib.Document(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, "document", err)
		return
	}
	if !found {
		d.Title = "No such document"
		s.render(w, r, "document.html", http.StatusNotFound, d)
		return
	}
	d.Title, d.Document = doc.Title, &doc
	s.render(w, r, "document.html", http.StatusOK, d)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, code int, d pageData) {
	var b strings.Builder
	if err := pages[name].ExecuteTemplate(&b, "layout.html", d); err != nil {
		s.fail(w, r, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(b.String()))
}

// fail logs err with the request ID and shows the reader a short message
// carrying the same ID, so a report can be matched to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	id := RequestID(r.Context())
	s.log.Error(what, "request_id", id, "err", err)
	http.Error(w, "Sorry, something went wrong. If it keeps happening, tell the organisers this reference: "+id, http.StatusInternalServerError)
}

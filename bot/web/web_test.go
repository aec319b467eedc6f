package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/metrics"
	"github.com/bothy-chat/bothy/internal/testenv"
)

type env struct {
	srv      *Server
	ts       *httptest.Server
	logs     *testenv.Buffer
	cal      *calendar
	wall     *wall
	search   *searcher
	matrix   *adapter
	slackish *adapter
	metrics  *metrics.Metrics
}

// newEnv starts a server over a real SQLite database with every feature
// present; change opts before the server is built with the edit func.
func newEnv(t *testing.T, edit func(*Options)) *env {
	t.Helper()
	db := bottest.OpenDB(t)
	e := &env{
		logs:     &testenv.Buffer{},
		cal:      &calendar{meetups: sampleMeetups()},
		wall:     &wall{items: sampleShoutouts()},
		search:   &searcher{},
		matrix:   &adapter{name: "matrix", up: true},
		slackish: &adapter{name: "slack", up: true},
		metrics:  metrics.New(),
	}
	adapters := []bot.Adapter{e.matrix, e.slackish}
	e.metrics.WatchAdapters(adapters)
	opts := Options{
		Community: "Scottish public sector comms",
		Location:  london,
		Sources:   Sources{Calendar: e.cal, Wall: e.wall, Searcher: e.search},
		Checks:    append([]Check{DatabaseCheck(db.Ping)}, AdapterChecks(adapters)...),
		Metrics:   e.metrics,
		Logger:    slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:       func() time.Time { return testNow },
		// Short, so the hanging-check case does not slow the suite.
		CheckTimeout: 200 * time.Millisecond,
	}
	if edit != nil {
		edit(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

type response struct {
	code   int
	header http.Header
	body   string
}

func (e *env) get(t *testing.T, path string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

func TestNewRejectsBadModes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"token without token", Options{Page: PageToken}, "needs a token"},
		{"unknown mode", Options{Page: "private"}, `"private" is not public, token or off`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, nil)
	e.matrix.set(false) // liveness does not depend on readiness
	r := e.get(t, "/healthz")
	if r.code != http.StatusOK || r.body != "ok\n" {
		t.Fatalf("healthz = %d %q", r.code, r.body)
	}
}

func TestReadyz(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     func(t *testing.T, o *Options)
		after    func(e *env)
		wantCode int
		wantDown []string
	}{
		{name: "all up", wantCode: 200},
		{name: "matrix down", after: func(e *env) { e.matrix.set(false) }, wantCode: 503, wantDown: []string{"adapter:matrix"}},
		{name: "both adapters down", after: func(e *env) { e.matrix.set(false); e.slackish.set(false) },
			wantCode: 503, wantDown: []string{"adapter:matrix", "adapter:slack"}},
		{name: "database closed", opts: func(t *testing.T, o *Options) {
			db := bottest.OpenDB(t)
			db.Close()
			o.Checks[0] = DatabaseCheck(db.Ping)
		}, wantCode: 503, wantDown: []string{"database"}},
		{name: "check hangs past its deadline", opts: func(t *testing.T, o *Options) {
			o.Checks = append(o.Checks, Check{Name: "llm", Check: func(ctx context.Context) error {
				<-ctx.Done()
				time.Sleep(10 * time.Millisecond)
				return nil // too late: the deadline already decided
			}})
		}, wantCode: 503, wantDown: []string{"llm"}},
		{name: "check panics", opts: func(t *testing.T, o *Options) {
			o.Checks = append(o.Checks, Check{Name: "flaky", Check: func(context.Context) error { panic("boom") }})
		}, wantCode: 503, wantDown: []string{"flaky"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				if tc.opts != nil {
					tc.opts(t, o)
				}
			})
			if tc.after != nil {
				tc.after(e)
			}
			r := e.get(t, "/readyz")
			if r.code != tc.wantCode {
				t.Fatalf("readyz = %d, want %d: %s", r.code, tc.wantCode, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var body readiness
			if err := json.Unmarshal([]byte(r.body), &body); err != nil {
				t.Fatalf("body %q: %v", r.body, err)
			}
			if strings.Join(body.Down, ",") != strings.Join(tc.wantDown, ",") {
				t.Errorf("down = %v, want %v", body.Down, tc.wantDown)
			}
			wantStatus := "ok"
			if tc.wantCode != 200 {
				wantStatus = "down"
			}
			if body.Status != wantStatus || len(body.Checks) < 3 {
				t.Errorf("body = %+v", body)
			}
		})
	}
}

func TestReadyzRealDatabaseClosed(t *testing.T) {
	db := bottest.OpenDB(t)
	srv, err := New(Options{Checks: []Check{DatabaseCheck(db.Ping)}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	code := func() int {
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := code(); c != 200 {
		t.Fatalf("open database: readyz = %d", c)
	}
	db.Close()
	if c := code(); c != 503 {
		t.Fatalf("closed database: readyz = %d", c)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, nil)
	e.metrics.EventIn("webtest")
	r := e.get(t, "/metrics")
	if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics = %d %s", r.code, r.header.Get("Content-Type"))
	}
	mustContain(t, r.body,
		`bothy_adapter_connected{adapter="matrix"} 1`,
		`bothy_adapter_connected{adapter="slack"} 1`,
		`bothy_events_in_total{adapter="webtest"}`,
		"go_goroutines",
	)
	e.matrix.set(false)
	r = e.get(t, "/metrics")
	mustContain(t, r.body, `bothy_adapter_connected{adapter="matrix"} 0`, `bothy_adapter_connected{adapter="slack"} 1`)
}

func TestIndexPage(t *testing.T) {
	e := newEnv(t, nil)
	r := e.get(t, "/")
	if r.code != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("index = %d %s", r.code, r.header.Get("Content-Type"))
	}
	mustContain(t, r.body,
		// Document basics for phones and screen readers.
		`<html lang="en-GB">`, `name="viewport"`, `<a class="skip" href="#main">`,
		`<main id="main"`, `<nav aria-label="Page sections">`, `<footer class="site">`,
		`<title>Scottish public sector comms</title>`,
		// Meetups, in the community's zone, with calendar links.
		"Plain English clinic", "Thursday 19 March 2026, 12:30 GMT",
		`<time datetime="2026-03-19T12:30:00Z">`,
		"Crisis comms roundtable: winter resilience", "Thursday 2 April 2026, 18:00 BST",
		"Dundee Central Library, Wellgate", `href="https://meet.example.scot/plain-english"`,
		"Hashtag:</span> #PlainEnglishClinic<", "14",
		// Stored with its "#", shown with one.
		"Hashtag:</span> #CommsCrisisScot<",
		`href="/meetups/12.ics"`, `href="/meetups/13.ics"`, `href="/meetups.ics"`,
		`<span class="badge">Cancelled</span> Social media analytics show and tell`,
		// Search form that a keyboard and a screen reader can use.
		`<form class="search" action="/search" method="get" role="search">`,
		`<label for="q">Ask the knowledge base</label>`, `<input id="q" name="q" type="search"`,
		// The wall, escaped.
		"Aileen Campbell", "thanked by Ravi Patel", "turned the flood warning copy round",
		"Morag Fraser", "accessibility", "9 March 2026",
		"ran a brilliant &lt;b&gt;Gaelic&lt;/b&gt; &amp; Scots translation session",
	)
	if strings.Contains(r.body, "##") {
		t.Error("a hashtag is shown with two #")
	}
	if strings.Contains(r.body, `href="/meetups/14.ics"`) {
		t.Error("a cancelled meetup offers an add-to-calendar link")
	}
	if e.wall.limit != wallSize {
		t.Errorf("wall asked for %d shout-outs, want %d", e.wall.limit, wallSize)
	}
	if strings.Contains(r.body, "<script") {
		t.Error("page has a script element")
	}
}

func TestStylesheet(t *testing.T) {
	e := newEnv(t, nil)
	r := e.get(t, "/static/style.css")
	if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Fatalf("style.css = %d %s", r.code, r.header.Get("Content-Type"))
	}
	mustContain(t, r.body, ":focus-visible", ".skip:focus")
}

func TestFeaturesAbsent(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Sources = Sources{} })
	r := e.get(t, "/")
	if r.code != 200 {
		t.Fatalf("index = %d", r.code)
	}
	mustContain(t, r.body,
		"Meetups are not set up in this community.",
		"The knowledge base is not set up in this community.",
		"Shout-outs are not switched on in this community.")
	if strings.Contains(r.body, `action="/search"`) || strings.Contains(r.body, `href="/meetups.ics"`) {
		t.Error("page links to features that are absent")
	}
	for _, p := range []string{"/meetups.ics", "/meetups/12.ics", "/search?q=alt+text"} {
		if r := e.get(t, p); r.code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", p, r.code)
		}
	}
}

func TestFeatureErrorsKeepThePage(t *testing.T) {
	e := newEnv(t, nil)
	e.cal.err = errors.New("meetups: list: database is locked")
	e.wall.err = errors.New("shoutouts: recent: database is locked")
	r := e.get(t, "/", RequestIDHeader, "trace-abc123")
	if r.code != 200 {
		t.Fatalf("index = %d", r.code)
	}
	mustContain(t, r.body, "Meetups could not be loaded just now.", "Shout-outs could not be loaded just now.", `<label for="q">`)
	mustContain(t, e.logs.String(), `"msg":"loading meetups for the page"`, `"request_id":"trace-abc123"`, "database is locked")

	r = e.get(t, "/meetups.ics", RequestIDHeader, "trace-def456")
	if r.code != 500 || !strings.Contains(r.body, "trace-def456") {
		t.Errorf("feed with a failing calendar = %d %q", r.code, r.body)
	}
}

func TestEmptyFeatures(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Sources.Calendar = &calendar{}
		o.Sources.Wall = &wall{}
	})
	r := e.get(t, "/")
	mustContain(t, r.body, "No meetups are planned yet.", "No shout-outs yet.")
}

func TestSearch(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name     string
		q        string
		wantCode int
		want     []string
		asked    bool
	}{
		{"confident answer with sources", "How do I write alt text?", 200, []string{
			`value="How do I write alt text?"`,
			"Write alt text that says what the image shows",
			"Do not start with &quot;image of&quot;",
			`<a href="https://kb.example.scot/accessible-social-media">Accessible social media posts</a>`,
			"guide · <code>accessible-social-media</code> · updated 2026-02-11</span>",
			`<span class="title">Alt text checklist</span>`,
			"<title>How do I write alt text? · Search</title>",
		}, true},
		{"abstains", "parking at Victoria Quay", 200, []string{
			`class="answer unsure"`, "I don't know that one yet.",
		}, true},
		{"answer Markdown is HTML", "running evening meetups", 200, []string{
			"<p>From <strong>Running evening meetups</strong>:\nBook the room a month ahead.</p>",
			"<li>Ask about step-free access.</li>",
			// A link in an answer shows where it goes.
			`See the booking form (<a href="https://evil.example/login">https://evil.example/login</a>)`,
		}, true},
		{"empty", "   ", 200, []string{"Type a question or a few words to search for."}, false},
		{"too long", strings.Repeat("word ", 120), 200, []string{"That search is too long (599 characters; the limit is 500)"}, false},
		{"markup is escaped", `<img src=x onerror=alert(1)> alt text`, 200, []string{
			`value="&lt;img src=x onerror=alert(1)&gt; alt text"`,
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.search.queries)
			r := e.get(t, "/search?q="+url.QueryEscape(tc.q))
			if r.code != tc.wantCode {
				t.Fatalf("code = %d, want %d", r.code, tc.wantCode)
			}
			mustContain(t, r.body, tc.want...)
			// No raw Markdown, raw HTML from the text, or score that could
			// read as more than 100%.
			for _, bad := range []string{"**", "<script>alert", "match ", "%</span>"} {
				if strings.Contains(r.body, bad) {
					t.Errorf("page shows %q", bad)
				}
			}
			if asked := len(e.search.queries) > before; asked != tc.asked {
				t.Errorf("searcher asked = %v, want %v", asked, tc.asked)
			}
		})
	}
}

func TestSearchFails(t *testing.T) {
	e := newEnv(t, nil)
	e.search.err = errors.New("knowledge: embeddings endpoint refused")
	r := e.get(t, "/search?q=alt+text")
	if r.code != 500 {
		t.Fatalf("code = %d", r.code)
	}
	mustContain(t, r.body, "Sorry, searching failed just now.", `<label for="q">`)
	mustContain(t, e.logs.String(), "embeddings endpoint refused")
}

func TestCalendarFeed(t *testing.T) {
	e := newEnv(t, nil)
	r := e.get(t, "/meetups.ics")
	if r.code != 200 || r.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed = %d %s", r.code, r.header.Get("Content-Type"))
	}
	mustContain(t, r.body, "BEGIN:VCALENDAR", "SUMMARY:Plain English clinic", "UID:meetup-12@bothy.example")
}

func TestMeetupICS(t *testing.T) {
	t.Run("rendered by the calendar", func(t *testing.T) {
		e := newEnv(t, nil)
		r := e.get(t, "/meetups/13.ics")
		if r.code != 200 || r.header.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.Contains(r.body, "X-FROM-FEATURE:13") {
			t.Fatalf("ics = %d %s %q", r.code, r.header.Get("Content-Type"), r.body)
		}
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="meetup-13.ics"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
	})
	t.Run("not found", func(t *testing.T) {
		e := newEnv(t, nil)
		for _, p := range []string{"/meetups/99.ics", "/meetups/12", "/meetups/.ics"} {
			if r := e.get(t, p); r.code != 404 {
				t.Errorf("%s = %d, want 404", p, r.code)
			}
		}
	})
	t.Run("calendar failing", func(t *testing.T) {
		e := newEnv(t, nil)
		e.cal.err = errors.New("database is locked")
		if r := e.get(t, "/meetups/13.ics"); r.code != 500 {
			t.Errorf("failing calendar = %d, want 500", r.code)
		}
	})
}

const pageToken = "s3cret-Page-Token-4f9a1c"

func TestTokenMode(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Page, o.Token = PageToken, pageToken })
	for _, tc := range []struct {
		name string
		path string
		hdr  []string
		want int
	}{
		{"no token", "/", nil, 401},
		{"wrong query token", "/?token=guess", nil, 401},
		{"wrong bearer", "/", []string{"Authorization", "Bearer guess"}, 401},
		{"prefix of the token", "/", []string{"Authorization", "Bearer " + pageToken[:10]}, 401},
		{"bearer", "/", []string{"Authorization", "Bearer " + pageToken}, 200},
		{"bearer, any case", "/search?q=alt+text", []string{"Authorization", "bearer " + pageToken}, 200},
		{"cookie", "/", []string{"Cookie", tokenCookie + "=" + pageToken}, 200},
		{"wrong cookie", "/", []string{"Cookie", tokenCookie + "=guess"}, 401},
		{"feed needs it too", "/meetups.ics", nil, 401},
		{"feed with query token", "/meetups.ics?token=" + pageToken, nil, 200},
		{"meetup file with query token", "/meetups/12.ics?token=" + pageToken, nil, 200},
		{"health is open", "/healthz", nil, 200},
		{"readiness is open", "/readyz", nil, 200},
		{"metrics are open", "/metrics", nil, 200},
		{"stylesheet is open", "/static/style.css", nil, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.get(t, tc.path, tc.hdr...)
			if r.code != tc.want {
				t.Fatalf("%s = %d, want %d", tc.path, r.code, tc.want)
			}
			if tc.want == 401 {
				mustContain(t, r.body, "needs the access token")
				if strings.Contains(r.body, "Plain English clinic") {
					t.Error("refused page still shows content")
				}
			}
		})
	}
	t.Run("query token sets a cookie and drops itself from the address", func(t *testing.T) {
		r := e.get(t, "/search?q=alt+text&token="+pageToken)
		if r.code != http.StatusSeeOther {
			t.Fatalf("code = %d", r.code)
		}
		if loc := r.header.Get("Location"); loc != "/search?q=alt+text" {
			t.Errorf("Location = %q", loc)
		}
		c := r.header.Get("Set-Cookie")
		for _, want := range []string{tokenCookie + "=" + pageToken, "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(c, want) {
				t.Errorf("Set-Cookie %q lacks %q", c, want)
			}
		}
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
		if strings.Contains(c, "Secure") {
			t.Errorf("Set-Cookie %q is Secure with no https public URL: a plain-HTTP browser would drop it", c)
		}
	})
	// Calendar apps never have the browser's cookie: the page's feed
	// links carry a key that opens the feeds and nothing else, and the
	// page token itself is never in the page.
	t.Run("calendar links carry a feed key, not the token", func(t *testing.T) {
		r := e.get(t, "/", "Cookie", tokenCookie+"="+pageToken)
		if r.code != http.StatusOK {
			t.Fatalf("code = %d", r.code)
		}
		if strings.Contains(r.body, pageToken) {
			t.Error("the page shows the page token")
		}
		m := regexp.MustCompile(`href="/meetups\.ics\?key=([A-Za-z0-9_-]+)"`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no keyed feed link in the page:\n%s", r.body)
		}
		for _, tc := range []struct {
			path string
			want int
		}{
			{"/meetups.ics?key=" + m[1], http.StatusOK},
			{"/?key=" + m[1], http.StatusUnauthorized},
			{"/search?q=alt+text&key=" + m[1], http.StatusUnauthorized},
			{"/meetups.ics?key=" + m[1] + "x", http.StatusUnauthorized},
		} {
			if f := e.get(t, tc.path); f.code != tc.want {
				t.Errorf("%s = %d, want %d", tc.path, f.code, tc.want)
			}
		}
	})
}

// Behind a TLS proxy Bothy sees plain HTTP; the page-token cookie must
// still be Secure, decided by web.public_url's scheme.
func TestTokenCookieSecureBehindTLSProxy(t *testing.T) {
	for _, tc := range []struct {
		url    string
		secure bool
	}{
		{"https://bothy.example.org", true},
		{"http://bothy.example.org", false},
		{"", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.Page, o.Token, o.PublicURL = PageToken, pageToken, tc.url })
			r := e.get(t, "/?token="+pageToken, "X-Forwarded-Proto", "https")
			c := r.header.Get("Set-Cookie")
			if c == "" {
				t.Fatalf("no cookie (code %d)", r.code)
			}
			if got := strings.Contains(c, "; Secure"); got != tc.secure {
				t.Errorf("Set-Cookie %q: Secure = %v, want %v", c, got, tc.secure)
			}
		})
	}
	if _, err := New(Options{PublicURL: "ftp://x.example"}); err == nil {
		t.Error("an ftp public URL was accepted")
	}
}

func TestPageOff(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Page = PageOff })
	for path, want := range map[string]int{
		"/": 404, "/search?q=alt": 404, "/meetups.ics": 404, "/meetups/12.ics": 404,
		"/healthz": 200, "/readyz": 200, "/metrics": 200,
	} {
		if r := e.get(t, path); r.code != want {
			t.Errorf("%s = %d, want %d", path, r.code, want)
		}
	}
	if len(e.search.queries) > 0 {
		t.Error("search ran with the page off")
	}
}

func TestRequestIDs(t *testing.T) {
	e := newEnv(t, nil)
	generated := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, tc := range []struct {
		name, in string
		keep     bool
	}{
		{"none given", "", false},
		{"from a proxy", "req-7f3a.b2:9", true},
		{"too long", strings.Repeat("a", 65), false},
		{"odd characters", `x" injected="y`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.in != "" {
				hdr = []string{RequestIDHeader, tc.in}
			}
			r := e.get(t, "/healthz", hdr...)
			id := r.header.Get(RequestIDHeader)
			if tc.keep && id != tc.in {
				t.Fatalf("id = %q, want %q kept", id, tc.in)
			}
			if !tc.keep && !generated.MatchString(id) {
				t.Fatalf("id = %q, want a fresh one", id)
			}
			if !strings.Contains(e.logs.String(), `"request_id":"`+id+`"`) {
				t.Errorf("log lacks request_id %s:\n%s", id, e.logs.String())
			}
		})
	}
	a, b := e.get(t, "/"), e.get(t, "/")
	if a.header.Get(RequestIDHeader) == b.header.Get(RequestIDHeader) {
		t.Error("two requests share an ID")
	}
}

// TestSecretsNotLogged sends the page token every way a client might, right
// and wrong, at debug level, through pages that fail and log, and checks the
// log never holds it.
func TestSecretsNotLogged(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Page, o.Token = PageToken, pageToken })
	e.cal.err = errors.New("meetups: list: disk I/O error")
	e.search.err = errors.New("knowledge: model timed out")
	typo := pageToken + "x" // a mistyped token is still mostly the secret
	for _, req := range []struct {
		path string
		hdr  []string
	}{
		{"/?token=" + pageToken, nil},
		{"/?token=" + typo, nil},
		{"/search?q=alt+text&token=" + pageToken, nil},
		{"/meetups.ics?token=" + pageToken, nil},
		{"/meetups/12.ics?token=" + pageToken, nil},
		{"/", []string{"Authorization", "Bearer " + pageToken}},
		{"/", []string{"Authorization", "Bearer " + typo}},
		{"/search?q=alt+text", []string{"Authorization", "Bearer " + pageToken}},
		{"/", []string{"Cookie", tokenCookie + "=" + pageToken}},
		{"/no-such-page?token=" + pageToken, nil},
		{"/readyz?token=" + pageToken, nil},
	} {
		e.get(t, req.path, req.hdr...)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) || !strings.Contains(logs, "disk I/O error") || !strings.Contains(logs, "model timed out") {
		t.Fatalf("expected access and error lines in the log:\n%s", logs)
	}
	if strings.Contains(logs, pageToken[:12]) {
		t.Fatalf("the page token appears in the log:\n%s", logs)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/", "/search?q=alt+text", "/healthz", "/no-such-page", "/meetups.ics"} {
		r := e.get(t, p)
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		} {
			if got := r.header.Get(k); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
	}
}

// TestServeShutsDownGracefully cancels Serve while a search is in flight:
// the search still gets its answer, Serve returns, and the port closes.
func TestServeShutsDownGracefully(t *testing.T) {
	s := &searcher{block: make(chan struct{}), entered: make(chan struct{})}
	srv, err := New(Options{Sources: Sources{Searcher: s}, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	base := "http://" + ln.Addr().String()
	got := make(chan response, 1)
	go func() {
		resp, err := http.Get(base + "/search?q=alt+text")
		if err != nil {
			got <- response{code: -1, body: err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- response{code: resp.StatusCode, body: string(b)}
	}()
	<-s.entered
	cancel()
	// Shutdown closes the listener first; wait until new connections fail.
	testenv.Eventually(t, 5*time.Second, "the listener to close", func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a request in flight", err)
	default:
	}
	close(s.block)
	r := <-got
	if r.code != 200 || !strings.Contains(r.body, "Alt text checklist") {
		t.Fatalf("in-flight search = %d %q", r.code, r.body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// TestSearchRatePerAddress (issue 15.10): anonymous visitors ran 50
// searches (50 model calls with an LLM configured). Each address gets
// SearchPerMinute, then a 429 that says when to try again; other
// addresses, including those behind a local proxy, are not held up.
func TestSearchRatePerAddress(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.SearchPerMinute = 3 })
	for i := 0; i < 3; i++ {
		if r := e.get(t, "/search?q=alt+text"); r.code != 200 {
			t.Fatalf("search %d = %d", i+1, r.code)
		}
	}
	r := e.get(t, "/search?q=alt+text")
	if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") != "20" {
		t.Fatalf("4th search = %d, Retry-After %q; want 429 and 20", r.code, r.header.Get("Retry-After"))
	}
	mustContain(t, r.body, "That is more searches than I take from one address in a minute (3). Please try again in 20 seconds.")
	if n := len(e.search.queries); n != 3 {
		t.Errorf("the searcher ran %d times, want 3", n)
	}
	// The test client is on loopback, as a reverse proxy would be: the
	// address it forwards is the one counted.
	for _, addr := range []string{"203.0.113.7", "198.51.100.1, 203.0.113.8"} {
		if r := e.get(t, "/search?q=alt+text", "X-Forwarded-For", addr); r.code != 200 {
			t.Errorf("a different forwarded address (%s) was refused: %d", addr, r.code)
		}
	}
}

// With http.trusted_proxies set, only those peers may name the client.
func TestClientKeyTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.1.2.3/32"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct{ remote, fwd, want string }{
		{"10.1.2.3:5000", "203.0.113.9", "203.0.113.9"},
		{"10.9.9.9:5000", "203.0.113.9", "10.9.9.9"}, // private, but not the proxy
		{"127.0.0.1:5000", "203.0.113.9", "127.0.0.1"},
		{"[::1]:5000", "203.0.113.9", "203.0.113.9"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/search", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("X-Forwarded-For", tc.fwd)
		if got := clientKey(r, trusted); got != tc.want {
			t.Errorf("clientKey(%s, %q) = %q, want %q", tc.remote, tc.fwd, got, tc.want)
		}
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ remote, fwd, want string }{
		{"203.0.113.7:5000", "", "203.0.113.7"},
		{"203.0.113.7:5000", "10.0.0.1", "203.0.113.7"}, // a public peer cannot pick its own key
		{"127.0.0.1:5000", "198.51.100.1, 203.0.113.8", "203.0.113.8"},
		{"10.1.2.3:5000", "203.0.113.9", "203.0.113.9"},
		{"[2001:db8:1:2:3:4:5:6]:5000", "", "2001:db8:1:2::/64"},
		{"127.0.0.1:5000", "not an address", "127.0.0.1"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/search", nil)
		r.RemoteAddr = tc.remote
		if tc.fwd != "" {
			r.Header.Set("X-Forwarded-For", tc.fwd)
		}
		if got := clientKey(r, nil); got != tc.want {
			t.Errorf("clientKey(%s, %q) = %q, want %q", tc.remote, tc.fwd, got, tc.want)
		}
	}
}

package admin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/bot/web"
	"github.com/bothy-chat/bothy/knowledge"
)

// The console is tested against the real services on a real SQLite file,
// with a real knowledge folder, behind the real web server; chat goes
// through a real bot with the in-memory test adapter.

const (
	organiser = "U0OLIVE"
	member    = "U0MO"
)

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}()

type harness struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	dir     string
	clock   *bottest.Clock // moved by tests; the console, meetups and shout-outs share it
	kb      *knowledge.Base
	meet    *meetups.Service
	shout   *shoutouts.Service
	bot     *bot.Bot
	chat    *bottest.Adapter
	console *Console
	ts      *httptest.Server
}

type harnessOpts struct {
	publicURL string
	linker    bool
	// noDirs runs on the embedded starter documents, with no folder.
	noDirs bool
	// noKnowledge builds the console with no knowledge base at all.
	noKnowledge bool
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, ctx: ctx, clock: bottest.NewClock(time.Date(2026, 3, 10, 14, 0, 0, 0, london))}
	db := bottest.OpenDB(t)
	h.db = db
	var err error
	kopts := knowledge.Options{Clock: h.clock}
	if !o.noDirs {
		h.dir = t.TempDir()
		copyDir(t, "testdata/kb", h.dir)
		kopts.Dirs = []string{h.dir}
	}
	if h.kb, err = knowledge.Open(ctx, db, kopts); err != nil {
		t.Fatal(err)
	}
	h.chat = bottest.New("test")
	h.bot = bot.New(bot.Options{Organisers: []string{organiser}, DefaultCommand: "ask"})
	h.bot.AddAdapter(h.chat)
	if h.meet, err = meetups.New(meetups.Options{DB: db, Clock: h.clock, Location: london, Sender: h.bot,
		Channels: []bot.Channel{{Platform: "test", RoomID: "announce"}}}); err != nil {
		t.Fatal(err)
	}
	h.meet.Register(h.bot)
	if h.shout, err = shoutouts.New(shoutouts.Options{DB: db, Clock: h.clock, Location: london, Sender: h.bot}); err != nil {
		t.Fatal(err)
	}
	h.shout.Register(h.bot)
	// The knowledge base links and confirms (Linker); a console built
	// over only the Knowledge part offers neither.
	// Without linker the console sees only Knowledge's methods, as with a
	// knowledge base that cannot link; with it, the real base links.
	var k Knowledge = knowledgeOnly{h.kb}
	if o.linker {
		k = h.kb
	}
	if o.noKnowledge {
		k = nil
	}
	h.console, err = New(Options{
		DB: db, Community: "Test community", Location: london, PublicURL: o.publicURL,
		Knowledge: k, Meetups: h.meet, Shoutouts: h.shout, Now: h.clock.Now,
		StillOrganiser: func(ctx context.Context, platform, userID string) bool {
			ad, _ := h.bot.Adapter(platform)
			return h.bot.IsOrganiser(ctx, ad, userID, "")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.console.Register(h.bot)
	srv, err := web.New(web.Options{Community: "Test community", Location: london, Admin: h.console.Handler(), Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	h.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(h.ts.Close)
	if o.publicURL == "" {
		h.console.opts.PublicURL = h.ts.URL
	}
	return h
}

// knowledgeOnly hides every method of the knowledge base but Knowledge's.
type knowledgeOnly struct{ Knowledge }

// phrasings lists what the knowledge base learnt from organisers, in
// order: "origin question doc#anchor".
func (h *harness) phrasings() []string {
	h.t.Helper()
	rows, err := h.db.Read.QueryContext(h.ctx, "SELECT origin, question_id, doc_id, anchor FROM kb_phrasings ORDER BY id")
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var origin, doc, anchor string
		var q int64
		if err := rows.Scan(&origin, &q, &doc, &anchor); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d %s#%s", origin, q, doc, anchor))
	}
	return out
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// say sends a direct message to the bot and returns its replies.
func (h *harness) say(user, text string) string {
	h.t.Helper()
	h.chat.Reset()
	h.bot.Handle(h.ctx, h.chat.Message(user, text))
	return strings.Join(h.chat.Texts(), "\n")
}

var linkRE = regexp.MustCompile(`https?://\S+/admin/login\?token=[A-Za-z0-9_-]+`)

// link asks for a sign-in link in chat as user.
func (h *harness) link(user string) string {
	h.t.Helper()
	reply := h.say(user, "web login")
	l := linkRE.FindString(reply)
	if l == "" {
		h.t.Fatalf("no sign-in link in the reply to web login: %q", reply)
	}
	return l
}

// browser is a client with a cookie jar that does not follow redirects,
// so tests see them.
type browser struct {
	h   *harness
	c   *http.Client
	jar *cookiejar.Jar
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	code   int
	header http.Header
	body   string
}

func (p response) location() string { return p.header.Get("Location") }

func (b *browser) do(req *http.Request) response {
	b.h.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) response {
	b.h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(path), nil)
	if err != nil {
		b.h.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.h.ts.URL + path
}

// post sends a form; the CSRF token of the browser's session is added
// unless the form has one (or csrf is set to "-" to leave it out).
func (b *browser) post(path string, form url.Values) response {
	b.h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf())
	}
	if form.Get("csrf") == "-" {
		form.Del("csrf")
	}
	req, err := http.NewRequest(http.MethodPost, b.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		b.h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) csrf() string {
	u, _ := url.Parse(b.h.ts.URL + "/admin/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == CookieName {
			return csrfToken(c.Value)
		}
	}
	return ""
}

// signIn follows a chat link the way a person does: open it, press Sign in.
func (b *browser) signIn(link string) response {
	b.h.t.Helper()
	p := b.get(link)
	if p.code != http.StatusOK || !strings.Contains(p.body, "Sign in</button>") {
		b.h.t.Fatalf("link page: %d\n%s", p.code, p.body)
	}
	u, _ := url.Parse(link)
	return b.post("/admin/login", url.Values{"token": {u.Query().Get("token")}, "csrf": {"-"}})
}

// signedIn returns a browser signed in as the organiser.
func (h *harness) signedIn() *browser {
	h.t.Helper()
	b := h.browser()
	p := b.signIn(h.link(organiser))
	if p.code != http.StatusSeeOther || p.location() != "/admin/" {
		h.t.Fatalf("sign in: %d %q\n%s", p.code, p.location(), p.body)
	}
	return b
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}
}

func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(body, w) {
			t.Errorf("page has %q", w)
		}
	}
}

func (h *harness) audit(action string) []auditRow {
	h.t.Helper()
	rows, err := recentAudit(h.ctx, h.db, 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []auditRow
	for _, r := range rows {
		if r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// ask records a question as a member would ask it in chat.
func (h *harness) ask(text string) knowledge.Answer {
	h.t.Helper()
	a, err := h.kb.Ask(h.ctx, knowledge.Question{Text: text, UserID: member, Platform: "test", Record: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

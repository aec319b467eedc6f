package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

func TestEveryRouteRefusesWithoutASession(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.ask("what is the best biscuit for a meeting") // a gap, so gap routes have something to refuse
	before, err := h.kb.Gaps(h.ctx, 10)
	if err != nil || len(before) == 0 {
		t.Fatalf("gaps: %v %v", before, err)
	}
	anon := h.browser()
	// A cookie that was never a session, and one that was but has ended.
	forged := h.browser()
	forged.jar.SetCookies(mustURL(h.ts.URL+"/admin/"), []*http.Cookie{{Name: CookieName, Value: "not-a-session", Path: "/admin"}})
	ended := h.signedIn()
	ended.post("/admin/logout", nil)

	for _, b := range []struct {
		name string
		b    *browser
	}{{"no cookie", anon}, {"forged cookie", forged}, {"signed out", ended}} {
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			path = strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "1"), "{$}", "")
			t.Run(b.name+" "+method+" "+path, func(t *testing.T) {
				var p response
				if method == http.MethodGet {
					p = b.b.get(path)
				} else {
					// Even with a CSRF token computed from the cookie held.
					p = b.b.post(path, url.Values{"answer": {"x"}, "reason": {"spam"}, "id": {"accessible-social-media"}})
				}
				if p.code != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/admin/signin") {
					t.Fatalf("%s %s without a session: %d %q, want a redirect to the sign-in page", method, path, p.code, p.location())
				}
				if got := p.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control = %q", got)
				}
			})
		}
	}
	t.Run("the bare /admin too", func(t *testing.T) {
		if p := anon.get("/admin"); p.code != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/admin/signin") {
			t.Fatalf("/admin: %d %q", p.code, p.location())
		}
	})
	t.Run("the sign-in page says how to sign in", func(t *testing.T) {
		p := anon.get("/admin/signin")
		if p.code != http.StatusOK {
			t.Fatalf("sign-in page: %d", p.code)
		}
		mustContain(t, p.body, "<code>web login</code>", "direct message", "10 minutes", "<code>web logout</code>")
		if got := p.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q", got)
		}
	})
	after, _ := h.kb.Gaps(h.ctx, 10)
	if len(after) != len(before) {
		t.Errorf("gaps changed without a session: %d -> %d", len(before), len(after))
	}
	if rows := h.audit("kb.gap.dismiss"); len(rows) != 0 {
		t.Errorf("audit has dismissals: %+v", rows)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSignInLinks(t *testing.T) {
	t.Run("a link signs in once and opens a session", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		link := h.link(organiser)
		b := h.browser()
		// Opening the link (as a chat app's link preview does) uses nothing.
		for range 2 {
			if p := b.get(link); p.code != http.StatusOK || !strings.Contains(p.body, "Sign in</button>") {
				t.Fatalf("opening the link: %d\n%s", p.code, p.body)
			}
		}
		p := b.signIn(link)
		if p.code != http.StatusSeeOther || p.location() != "/admin/" {
			t.Fatalf("sign in: %d %q", p.code, p.location())
		}
		home := b.get("/admin/")
		if home.code != http.StatusOK {
			t.Fatalf("dashboard: %d", home.code)
		}
		mustContain(t, home.body, "<h1>Dashboard</h1>", organiser)
		if rows := h.audit("web.login"); len(rows) != 1 || rows[0].Actor != organiser {
			t.Errorf("audit web.login = %+v", rows)
		}

		t.Run("used link refused", func(t *testing.T) {
			other := h.browser()
			if p := other.get(link); p.code != http.StatusForbidden || !strings.Contains(p.body, "already been used") {
				t.Errorf("used link page: %d\n%s", p.code, p.body)
			}
			u, _ := url.Parse(link)
			p := other.post("/admin/login", url.Values{"token": {u.Query().Get("token")}, "csrf": {"-"}})
			if p.code != http.StatusForbidden || !strings.Contains(p.body, "already been used") {
				t.Errorf("used link sign in: %d\n%s", p.code, p.body)
			}
			if len(other.jar.Cookies(mustURL(h.ts.URL+"/admin/"))) != 0 {
				t.Error("a used link set a cookie")
			}
		})
	})

	t.Run("an expired link is refused", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		link := h.link(organiser)
		h.clock.Add(LinkTTL + time.Second)
		b := h.browser()
		if p := b.get(link); p.code != http.StatusForbidden || !strings.Contains(p.body, "expired") {
			t.Fatalf("expired link page: %d\n%s", p.code, p.body)
		}
		u, _ := url.Parse(link)
		p := b.post("/admin/login", url.Values{"token": {u.Query().Get("token")}, "csrf": {"-"}})
		if p.code != http.StatusForbidden || !strings.Contains(p.body, "expired") {
			t.Fatalf("expired link sign in: %d\n%s", p.code, p.body)
		}
		if p := b.get("/admin/"); p.code != http.StatusSeeOther {
			t.Errorf("dashboard after an expired link: %d", p.code)
		}
	})

	// The sign-in form cannot carry a CSRF token, so it refuses what a
	// browser says another site sent: a victim is not signed into the
	// attacker's session.
	t.Run("a sign-in posted from another site is refused", func(t *testing.T) {
		for _, hdr := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://evil.example"}} {
			t.Run(hdr[0], func(t *testing.T) {
				h := newHarness(t, harnessOpts{})
				u, _ := url.Parse(h.link(organiser))
				b := h.browser()
				req, err := http.NewRequest(http.MethodPost, b.abs("/admin/login"), strings.NewReader(url.Values{"token": {u.Query().Get("token")}}.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set(hdr[0], hdr[1])
				if p := b.do(req); p.code != http.StatusForbidden {
					t.Errorf("cross-site sign in: %d", p.code)
				}
				if len(b.jar.Cookies(mustURL(h.ts.URL+"/admin/"))) != 0 {
					t.Error("a cross-site sign in set a cookie")
				}
				// The link was not used up: the organiser can still sign in.
				if p := h.browser().signIn(u.String()); p.code != http.StatusSeeOther || p.location() != "/admin/" {
					t.Errorf("the organiser's own sign in afterwards: %d", p.code)
				}
			})
		}
	})

	t.Run("a made-up link is refused", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		b := h.browser()
		p := b.post("/admin/login", url.Values{"token": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "csrf": {"-"}})
		if p.code != http.StatusForbidden || !strings.Contains(p.body, "not valid") {
			t.Fatalf("made-up token: %d\n%s", p.code, p.body)
		}
	})

	t.Run("only organisers get a link, only in a direct message", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		if reply := h.say(member, "web login"); linkRE.MatchString(reply) || !strings.Contains(reply, "organiser") {
			t.Errorf("member got %q", reply)
		}
		h.chat.Reset()
		h.bot.Handle(h.ctx, h.chat.RoomMessage("general", organiser, "web login", true))
		if reply := strings.Join(h.chat.Texts(), "\n"); linkRE.MatchString(reply) || !strings.Contains(reply, "direct message") {
			t.Errorf("organiser in a room got %q", reply)
		}
		var n int
		if err := h.db.Read.QueryRow("SELECT count(*) FROM admin_logins").Scan(&n); err != nil || n != 0 {
			t.Errorf("links stored: %d %v", n, err)
		}
	})

	t.Run("tokens are stored only as hashes", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		link := h.link(organiser)
		b := h.browser()
		b.signIn(link)
		tok := mustURL(link).Query().Get("token")
		sess := ""
		for _, c := range b.jar.Cookies(mustURL(h.ts.URL + "/admin/")) {
			sess = c.Value
		}
		for _, q := range []string{"SELECT token_hash FROM admin_logins", "SELECT token_hash FROM admin_sessions"} {
			var v string
			if err := h.db.Read.QueryRow(q).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v == tok || v == sess || len(v) != 64 {
				t.Errorf("%s holds %q", q, v)
			}
		}
	})
}

func TestSessionCookie(t *testing.T) {
	for _, c := range []struct {
		public string
		secure bool
	}{{"", false}, {"http://bothy.example.org", false}, {"https://bothy.example.org/community", true}} {
		t.Run(c.public, func(t *testing.T) {
			h := newHarness(t, harnessOpts{publicURL: c.public})
			link := h.link(organiser)
			if c.public != "" && !strings.HasPrefix(link, c.public+"/admin/login?token=") {
				t.Errorf("link %q does not start with the public URL", link)
			}
			// The link's host may be the public one; sign in on the test server.
			b := h.browser()
			p := b.signIn(h.ts.URL + "/admin/login?" + mustURL(link).RawQuery)
			var ck *http.Cookie
			for _, k := range (&http.Response{Header: p.header}).Cookies() {
				if k.Name == CookieName {
					ck = k
				}
			}
			if ck == nil {
				t.Fatalf("no session cookie: %v", p.header)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/admin" || ck.Secure != c.secure {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v, want true Strict /admin %v", ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, c.secure)
			}
		})
	}
}

func TestSessionsEnd(t *testing.T) {
	t.Run("after 12 hours idle", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		b := h.signedIn()
		h.clock.Add(11 * time.Hour)
		p := b.get("/admin/gaps")
		if p.code != http.StatusOK {
			t.Fatalf("after 11 hours: %d", p.code)
		}
		// Use renews the cookie's lifetime as well as the session's.
		if !strings.Contains(p.header.Get("Set-Cookie"), "Max-Age=43200") {
			t.Errorf("cookie not renewed on use: %q", p.header.Get("Set-Cookie"))
		}
		// Use keeps it alive: 11 more hours since the last request is fine.
		h.clock.Add(11 * time.Hour)
		if p := b.get("/admin/gaps"); p.code != http.StatusOK {
			t.Fatalf("11 hours after the last use: %d", p.code)
		}
		h.clock.Add(IdleTimeout + time.Minute)
		p = b.get("/admin/gaps")
		if p.code != http.StatusSeeOther || p.location() != "/admin/signin?why=expired" {
			t.Fatalf("after 12 hours idle: %d %q", p.code, p.location())
		}
	})
	t.Run("web logout in chat ends every session", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		one, two := h.signedIn(), h.signedIn()
		reply := h.say(organiser, "web logout")
		if !strings.Contains(reply, "2 sessions") {
			t.Errorf("web logout said %q", reply)
		}
		for _, b := range []*browser{one, two} {
			if p := b.get("/admin/"); p.code != http.StatusSeeOther {
				t.Errorf("after web logout: %d", p.code)
			}
		}
	})
	t.Run("signing out in the browser", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		b := h.signedIn()
		p := b.post("/admin/logout", nil)
		if p.code != http.StatusSeeOther || p.location() != "/admin/signin?why=out" {
			t.Fatalf("sign out: %d %q", p.code, p.location())
		}
		if p := b.get("/admin/"); p.code != http.StatusSeeOther {
			t.Errorf("after signing out: %d", p.code)
		}
	})
	t.Run("someone who is no longer an organiser", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		b := h.signedIn()
		h.console.opts.StillOrganiser = func(context.Context, string, string) bool { return false }
		p := b.get("/admin/")
		if p.code != http.StatusSeeOther || p.location() != "/admin/signin?why=notorganiser" {
			t.Fatalf("after losing the role: %d %q", p.code, p.location())
		}
		h.console.opts.StillOrganiser = nil
		if p := b.get("/admin/"); p.code != http.StatusSeeOther {
			t.Errorf("the session came back: %d", p.code)
		}
	})
}

func TestFormsNeedTheSessionsCSRFToken(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.ask("what is the best biscuit for a meeting")
	gaps, _ := h.kb.Gaps(h.ctx, 10)
	b := h.signedIn()
	other := h.signedIn()
	path := "/admin/gaps/" + itoa(int(gaps[0].ID)) + "/dismiss"
	for name, token := range map[string]string{"none": "-", "another session's": other.csrf(), "made up": "0123"} {
		p := b.post(path, url.Values{"reason": {"spam"}, "csrf": {token}})
		if p.code != http.StatusForbidden || !strings.Contains(p.body, "nothing was changed") {
			t.Errorf("%s token: %d\n%s", name, p.code, p.body)
		}
	}
	if after, _ := h.kb.Gaps(h.ctx, 10); len(after) != 1 {
		t.Fatalf("the gap was dismissed without a valid token")
	}
	if p := b.post(path, url.Values{"reason": {"spam"}}); p.code != http.StatusSeeOther {
		t.Fatalf("with the token: %d\n%s", p.code, p.body)
	}
	if after, _ := h.kb.Gaps(h.ctx, 10); len(after) != 0 {
		t.Fatalf("the gap is still open")
	}
}

func TestPublicPageDoesNotLinkToTheConsole(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	p := h.browser().get("/")
	if p.code != http.StatusOK {
		t.Fatalf("community page: %d", p.code)
	}
	mustNotContain(t, p.body, "/admin", "organisers' console")
}

func TestWebCommandWhenTheServerIsOff(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := bot.New(bot.Options{Organisers: []string{organiser}})
	b.AddAdapter(h.chat)
	b.Register(OffCommand())
	for _, cmd := range []string{"web login", "web logout"} {
		h.chat.Reset()
		b.Handle(h.ctx, h.chat.Message(organiser, cmd))
		if got := strings.Join(h.chat.Texts(), "\n"); !strings.Contains(got, "set http.listen") || linkRE.MatchString(got) {
			t.Errorf("%s: %q", cmd, got)
		}
	}
}

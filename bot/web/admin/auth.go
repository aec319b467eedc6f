package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/bot/web"
)

// Signing in: `web login` in a direct message gives an organiser a link
// that works once, for ten minutes. Opening it shows a Sign in button
// (link previews in chat apps fetch links, and must not use them up);
// pressing it opens a session kept in an HttpOnly, SameSite=Strict cookie.

type ctxKey int

const sessionKey ctxKey = iota

// session is the signed-in person and their token, for the handlers.
type session struct {
	Who   Identity
	token string
}

func sessionOf(r *http.Request) session {
	s, _ := r.Context().Value(sessionKey).(session)
	return s
}

// csrfToken is derived from the session token, so it needs no storage and
// no one without the cookie can compute it.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("bothy admin csrf\x00" + sessionToken))
	return hex.EncodeToString(sum[:])
}

// touchEvery bounds how often a session's last-seen time is written.
const touchEvery = time.Minute

// requireSession lets a request through only with a live session, and a
// form only with that session's CSRF token. Everything else is sent to
// the page that says how to sign in.
func (c *Console) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(CookieName)
		if err != nil || ck.Value == "" {
			c.toSignin(w, r, "")
			return
		}
		now := c.now()
		who, seen, ok, err := lookupSession(r.Context(), c.db, ck.Value, now, IdleTimeout)
		if err != nil {
			c.fail(w, r, "reading a session", err)
			return
		}
		if !ok {
			c.clearCookie(w)
			c.toSignin(w, r, "expired")
			return
		}
		if c.opts.StillOrganiser != nil && !c.opts.StillOrganiser(r.Context(), who.Platform, who.UserID) {
			if err := c.db.InTx(r.Context(), func(tx *sql.Tx) error {
				if err := deleteSession(r.Context(), tx, ck.Value); err != nil {
					return err
				}
				return store.AuditIn(r.Context(), tx, who.UserID, "web.session.end", "web", "no longer an organiser")
			}); err != nil {
				// The cookie goes anyway, and every request checks again.
				c.log.Warn("could not end the session of someone no longer an organiser", "request_id", requestID(r), "err", err)
			}
			c.clearCookie(w)
			c.toSignin(w, r, "notorganiser")
			return
		}
		if r.Method == http.MethodPost {
			got := r.PostFormValue("csrf")
			if subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(ck.Value))) != 1 {
				c.renderError(w, r, http.StatusForbidden, "This form has expired",
					"The page you sent it from was opened in another session. Go back, reload the page and try again; nothing was changed.")
				return
			}
		}
		if now.Sub(seen) >= touchEvery {
			if err := touchSession(r.Context(), c.db, ck.Value, now); err != nil {
				c.log.Warn("could not record session activity", "request_id", requestID(r), "err", err)
			} else {
				// The browser keeps the cookie as long as the session lives.
				c.setCookie(w, ck.Value)
			}
		}
		ctx := context.WithValue(r.Context(), sessionKey, session{Who: who, token: ck.Value})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// toSignin sends the browser to the sign-in page.
func (c *Console) toSignin(w http.ResponseWriter, r *http.Request, why string) {
	to := Prefix + "/signin"
	if why != "" {
		to += "?why=" + why
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (c *Console) setCookie(w http.ResponseWriter, tok string) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: tok, Path: Prefix, HttpOnly: true, Secure: c.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(IdleTimeout / time.Second),
	})
}

func (c *Console) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: Prefix, HttpOnly: true, Secure: c.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1,
	})
}

var signinReasons = map[string]string{
	"expired":      "Your session has ended (sessions end after 12 hours without use). Please sign in again.",
	"out":          "You are signed out.",
	"notorganiser": "You are no longer an organiser, so your session has ended.",
}

type signinData struct {
	Reason string
	// State of a sign-in link: "valid", "used", "expired", "unknown".
	State string
	Token string
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	d := signinData{Reason: signinReasons[r.URL.Query().Get("why")]}
	c.render(w, r, "signin.html", http.StatusOK, "Sign in", d)
}

// loginPage is where a chat link lands. It changes nothing: pressing its
// button does.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	state := "unknown"
	if tok != "" {
		var err error
		if state, err = loginState(r.Context(), c.db, tok, c.now()); err != nil {
			c.fail(w, r, "checking a sign-in link", err)
			return
		}
	}
	code := http.StatusOK
	if state != "valid" {
		code, tok = http.StatusForbidden, ""
	}
	c.render(w, r, "signin.html", code, "Sign in", signinData{State: state, Token: tok})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	// The sign-in form has no session to tie a CSRF token to, so another
	// site could post an organiser's own link and sign a victim into that
	// session; a browser says where a post came from, and it must be here.
	if crossSite(r) {
		c.render(w, r, "signin.html", http.StatusForbidden, "Sign in", signinData{State: "unknown"})
		return
	}
	tok := r.PostFormValue("token")
	now := c.now()
	var (
		who Identity
		ok  bool
		err error
	)
	if tok != "" {
		if who, ok, err = useLogin(r.Context(), c.db, tok, now); err != nil {
			c.fail(w, r, "using a sign-in link", err)
			return
		}
	}
	if !ok {
		state := "unknown"
		if tok != "" {
			state, _ = loginState(r.Context(), c.db, tok, now)
		}
		c.render(w, r, "signin.html", http.StatusForbidden, "Sign in", signinData{State: state})
		return
	}
	if c.opts.StillOrganiser != nil && !c.opts.StillOrganiser(r.Context(), who.Platform, who.UserID) {
		c.render(w, r, "signin.html", http.StatusForbidden, "Sign in", signinData{Reason: signinReasons["notorganiser"]})
		return
	}
	sess, err := newToken()
	if err != nil {
		c.fail(w, r, "starting a session", err)
		return
	}
	if err := c.db.InTx(r.Context(), func(tx *sql.Tx) error {
		if err := insertSession(r.Context(), tx, sess, who, now); err != nil {
			return err
		}
		return store.AuditIn(r.Context(), tx, who.UserID, "web.login", "web", who.Platform)
	}); err != nil {
		c.fail(w, r, "starting a session", err)
		return
	}
	c.setCookie(w, sess)
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if err := c.db.InTx(r.Context(), func(tx *sql.Tx) error {
		if err := deleteSession(r.Context(), tx, s.token); err != nil {
			return err
		}
		return store.AuditIn(r.Context(), tx, s.Who.UserID, "web.logout", "web", "")
	}); err != nil {
		c.fail(w, r, "signing out", err)
		return
	}
	c.clearCookie(w)
	c.toSignin(w, r, "out")
}

// IssueLink makes a one-time sign-in link for who. The caller must have
// checked that who is an organiser.
func (c *Console) IssueLink(ctx context.Context, who Identity) (string, error) {
	tok, err := newToken()
	if err != nil {
		return "", err
	}
	now := c.now()
	if _, err := pruneLogins(ctx, c.db, now.Add(-24*time.Hour)); err != nil {
		c.log.Warn("could not forget old sign-in links", "err", err)
	}
	if _, err := pruneSessions(ctx, c.db, now.Add(-IdleTimeout)); err != nil {
		c.log.Warn("could not forget old sessions", "err", err)
	}
	if err := c.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := insertLogin(ctx, tx, tok, who, now, LinkTTL); err != nil {
			return err
		}
		return store.AuditIn(ctx, tx, who.UserID, "web.link", "web", who.Platform)
	}); err != nil {
		return "", fmt.Errorf("admin: sign-in link: %w", err)
	}
	return c.baseURL() + Prefix + "/login?token=" + tok, nil
}

// baseURL is where people reach the server.
func (c *Console) baseURL() string {
	if c.opts.PublicURL != "" {
		return c.opts.PublicURL
	}
	return "http://localhost"
}

// SignOut ends every session and unused link of a person.
func (c *Console) SignOut(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := c.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = deleteUserSessions(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := deleteUserLogins(ctx, tx, userID); err != nil {
			return err
		}
		return store.AuditIn(ctx, tx, userID, "web.logout", "web", "from chat")
	})
	if err != nil {
		return 0, fmt.Errorf("admin: sign out: %w", err)
	}
	return n, nil
}

// Command is the `web` chat command: login and logout.
func (c *Console) Command() *bot.Command {
	return &bot.Command{
		Name:    "web",
		Usage:   "login|logout",
		Summary: "sign in to (or out of) the organisers' web console",
		Help: "Organisers send `web login` to me in a direct message and get a link that signs them in to the console on " +
			"/admin. The link works once, within 10 minutes; a session ends after 12 hours without use, or with `web logout`.",
		Subcommands: []*bot.Command{
			{Name: "login", Summary: "get a one-time sign-in link (in a direct message)", Role: bot.RoleOrganiser, Run: c.cmdLogin},
			{Name: "logout", Summary: "sign out of the web console in every browser", Run: c.cmdLogout},
		},
	}
}

// OffCommand is the web command of a bot whose HTTP server is off: it
// says how to turn the console on instead of leaving `web login` unknown.
func OffCommand() *bot.Command {
	off := func(ctx context.Context, req *bot.Request) error {
		return req.Reply(ctx, bot.Reply{Text: "The web console is off because the HTTP server is: set http.listen (BOTHY_HTTP_LISTEN), and web.public_url to the address people use, then restart me."})
	}
	return &bot.Command{
		Name: "web", Usage: "login|logout", Summary: "sign in to (or out of) the organisers' web console", Run: off,
		Subcommands: []*bot.Command{
			{Name: "login", Summary: "get a one-time sign-in link (in a direct message)", Role: bot.RoleOrganiser, Run: off},
			{Name: "logout", Summary: "sign out of the web console in every browser", Run: off},
		},
	}
}

// Register adds the web command to a bot.
func (c *Console) Register(b *bot.Bot) { b.Register(c.Command()) }

func (c *Console) cmdLogin(ctx context.Context, req *bot.Request) error {
	if !req.Msg.Direct {
		return req.Reply(ctx, bot.Reply{Text: "I only send sign-in links in a direct message, so nobody else sees them. Send me `web login` there."})
	}
	link, err := c.IssueLink(ctx, Identity{Platform: req.Msg.Platform, UserID: req.Msg.UserID, Name: req.Msg.UserName})
	if err != nil {
		return err
	}
	text := "Here is your sign-in link for the organisers' console. It works once, within 10 minutes, and only for you, so please don't share it:\n" +
		link + "\nSign out everywhere with `web logout`."
	if c.opts.PublicURL == "" {
		text += "\n(The address is a guess: set web.public_url to the address people use to reach me.)"
	}
	return req.Reply(ctx, bot.Reply{Text: text})
}

func (c *Console) cmdLogout(ctx context.Context, req *bot.Request) error {
	n, err := c.SignOut(ctx, req.Msg.UserID)
	if err != nil {
		return err
	}
	if n == 0 {
		return req.Reply(ctx, bot.Reply{Text: "You were not signed in to the web console anywhere. Any unused sign-in link is cancelled."})
	}
	return req.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Signed out of the web console (%s ended).", plural(int(n), "session", "sessions"))})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// requestID is the ID the web server's middleware gave the request.
func requestID(r *http.Request) string { return web.RequestID(r.Context()) }

// pathID reads the {id} path value as a positive number.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// crossSite says whether the browser reports that a request came from
// another site: Sec-Fetch-Site, or failing that an Origin whose host is
// not the one asked. A client that sends neither (curl, a script) is not
// a browser being steered by another site.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	case "same-origin", "none":
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

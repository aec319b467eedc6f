package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

type ctxKey int

const requestIDKey ctxKey = iota

// RequestIDHeader carries the request ID in and out.
const RequestIDHeader = "X-Request-ID"

// RequestID returns the ID of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// validRequestID accepts an incoming ID from a proxy only if it is short
// and plain, so it cannot forge log lines or carry anything odd.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusWriter remembers the status and size for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRequest gives every request an ID, sets the security headers and
// logs one line when it is done. Only the path is logged, never the query
// string or headers: they may carry the page token.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		h := w.Header()
		h.Set(RequestIDHeader, id)
		h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.log.Log(r.Context(), accessLevel(r.URL.Path, sw.status), "request",
			"request_id", id, "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "bytes", sw.bytes, "duration", time.Since(start).Round(time.Microsecond))
	})
}

// accessLevel keeps probes and scrapes, which arrive every few seconds,
// out of the info log unless they fail.
func accessLevel(path string, status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelWarn
	case path == "/healthz" || path == "/readyz" || path == "/metrics":
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// tokenCookie keeps a browser signed in after it opened a ?token= link.
const tokenCookie = "bothy_page"

// pageGate applies the page mode: off answers 404, token asks for the
// shared token as ?token=, "Authorization: Bearer" or the cookie set after
// a ?token= visit.
func (s *Server) pageGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch s.opts.Page {
		case PageOff:
			http.Error(w, "The community page is switched off.", http.StatusNotFound)
			return
		case PagePublic:
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		q := r.URL.Query()
		// The page links calendar feeds with a key that opens the feeds
		// alone, so the page token itself is never in the page.
		if k := q.Get("key"); k != "" && strings.HasSuffix(r.URL.Path, ".ics") && r.Method == http.MethodGet {
			if subtle.ConstantTimeCompare([]byte(k), []byte(s.calendarKey())) == 1 {
				next.ServeHTTP(w, r)
				return
			}
			s.denied(w, r)
			return
		}
		if t := q.Get("token"); t != "" {
			if !s.tokenOK(t) {
				s.denied(w, r)
				return
			}
			// A browser visit: remember the token in a cookie and move to
			// the same address without it, so it does not stay in history,
			// bookmarks or screenshots. Calendar apps fetch the feed with
			// the token each time, so feeds are served directly.
			if !strings.HasSuffix(r.URL.Path, ".ics") && r.Method == http.MethodGet {
				// Lax, not Strict: the link is shared in Slack, Element
				// or an email, and a Strict cookie is not sent on the
				// redirect that follows a click from another site. The
				// page only reads, so Lax gives cross-site posts nothing.
				http.SetCookie(w, &http.Cookie{
					Name: tokenCookie, Value: t, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r),
					MaxAge: 30 * 24 * 3600,
				})
				q.Del("token")
				u := *r.URL
				u.RawQuery = q.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			scheme, t, _ := strings.Cut(auth, " ")
			if strings.EqualFold(scheme, "Bearer") && s.tokenOK(strings.TrimSpace(t)) {
				next.ServeHTTP(w, r)
				return
			}
			s.denied(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && s.tokenOK(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		s.denied(w, r)
	})
}

// secureCookies says whether a cookie may only travel over TLS: when Bothy
// serves TLS itself, or when web.public_url says browsers reach it by
// https (a TLS proxy in front talks plain HTTP to Bothy).
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || s.opts.secure
}

// tokenOK compares in constant time so the token cannot be guessed from
// response timing.
// calendarKey is what the page's calendar links carry in token mode: it
// is derived from the page token, opens the .ics feeds and nothing else,
// and changes when the token does. Calendar apps never have the browser's
// cookie, so a feed link needs something in its address.
func (s *Server) calendarKey() string {
	m := hmac.New(sha256.New, []byte(s.opts.Token))
	m.Write([]byte("bothy calendar feeds"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.opts.Token)) == 1
}

func (s *Server) denied(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="bothy"`)
	http.Error(w, "This community page needs the access token: open the link your organisers shared (it ends in ?token=...).", http.StatusUnauthorized)
}

//go:build integration

package main

// The attack catalogue (issue 15): each test replays an attack that once
// worked, against the real parts (the bothy binary or its in-process
// wiring, real SQLite files, the local Slack-protocol server, Dendrite,
// the web server), and fails if the attack works again. Add new findings
// here, one test each, named TestAttack....

import (
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// freeAddr returns a loopback address nothing listens on yet.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// noRedirects is an HTTP client that shows redirects instead of following
// them, so a test can read the Set-Cookie on a 303.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestAttackTokenCookieOverPlainHTTP: behind a TLS proxy Bothy speaks plain
// HTTP, and the page-token cookie was Secure only when Bothy served TLS
// itself, so a browser would send the token over any http:// link to the
// same host. With web.public_url on https the cookie must be Secure.
func TestAttackTokenCookieOverPlainHTTP(t *testing.T) {
	const token = "attack-page-token-9d2f71"
	addr := freeAddr(t)
	vars := map[string]string{
		"BOTHY_HTTP_LISTEN":     addr,
		"BOTHY_HTTP_PAGE":       "token",
		"BOTHY_HTTP_PAGE_TOKEN": token,
		"BOTHY_WEB_PUBLIC_URL":  "https://bothy.example.org",
	}
	stop, _ := opsStartBot(t, vars, "--db", filepath.Join(t.TempDir(), "bothy.db"))
	defer stop()

	// What the proxy forwards: the browser opened the https link.
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Value == token {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("no token cookie set (status %d, Set-Cookie %q)", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	if !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Errorf("token cookie %q: want Secure, HttpOnly and SameSite=Strict behind an https public URL", strings.Join(resp.Header.Values("Set-Cookie"), "; "))
	}
}

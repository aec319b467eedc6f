//go:build integration

package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The harness itself: axe must find what is wrong, or a clean report
// means nothing.
func TestAxeFindsViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/bad":
			_, _ = w.Write([]byte(`<!doctype html><html><head><title>Bad</title></head><body>
<img src="/x.png"><form><input type="text" name="q"></form>
<p style="color:#aaa;background:#fff">faint text</p></body></html>`))
		default:
			_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>Good</title></head><body>
<main><h1>Good</h1><form><label for="q">Question</label><input id="q" type="text" name="q"></form></main></body></html>`))
		}
	}))
	defer srv.Close()
	b := Start(t)
	b.Goto(srv.URL + "/bad")
	found := map[string]bool{}
	for _, v := range b.Axe(1280, 390) {
		found[v.ID] = true
		if v.Width != 1280 && v.Width != 390 {
			t.Errorf("violation at width %d", v.Width)
		}
	}
	for _, want := range []string{"image-alt", "label", "html-has-lang"} {
		if !found[want] {
			t.Errorf("axe did not report %s; it found %v", want, found)
		}
	}
	b.Goto(srv.URL + "/good")
	if v := b.Axe(); len(v) != 0 {
		t.Errorf("clean page reported: %v", v)
	}
	if got := b.Text("h1"); !strings.Contains(got, "Good") {
		t.Errorf("text = %q", got)
	}
}

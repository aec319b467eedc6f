//go:build integration

package web

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/web/browsertest"
)

// The community page in a real browser: Debian's headless Chromium loads
// it from a test server, and the test reads the DOM it built and takes a
// phone-sized screenshot.

// chromium runs one headless Chromium with a fresh profile and returns its
// standard output.
func chromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-quic", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func browserServer(t *testing.T) *httptest.Server {
	t.Helper()
	e := newEnv(t, nil)
	return e.ts
}

func TestBrowserCommunityPage(t *testing.T) {
	bin := browsertest.Chromium(t)
	ts := browserServer(t)

	t.Run("page content", func(t *testing.T) {
		dom := chromium(t, bin, "--dump-dom", ts.URL+"/")
		mustContain(t, dom,
			"<h2 id=\"meetups-h\">Upcoming meetups</h2>",
			"Plain English clinic", "Thursday 19 March 2026, 12:30 GMT",
			"Crisis comms roundtable: winter resilience", "Dundee Central Library, Wellgate",
			`href="/meetups/12.ics"`, "Add to calendar",
			"<h2 id=\"shoutouts-h\">Shout-outs</h2>",
			"Aileen Campbell", "turned the flood warning copy round in an hour",
			"Morag Fraser", "shared her alt text checklist",
			`<label for="q">Ask the knowledge base</label>`,
		)
	})

	t.Run("search", func(t *testing.T) {
		// What the form submits: GET /search?q=...
		dom := chromium(t, bin, "--dump-dom", ts.URL+"/search?q=How+do+I+write+alt+text%3F")
		mustContain(t, dom,
			`value="How do I write alt text?"`,
			"Write alt text that says what the image shows",
			`<h2 id="sources-h">Sources</h2>`,
			`<a href="https://kb.example.scot/accessible-social-media">Accessible social media posts</a>`,
			"Alt text checklist",
		)
	})

	t.Run("phone screenshots", func(t *testing.T) {
		dir := os.Getenv("BOTHY_SCREENSHOT_DIR")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "bothy-screenshots")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, shot := range []struct{ name, path, size string }{
			{"community-page-phone.png", "/", "390,844"},
			// The whole page on a phone's width, to see the wall as well.
			{"community-page-phone-full.png", "/", "390,2200"},
			{"search-phone.png", "/search?q=How+do+I+write+alt+text%3F", "390,844"},
		} {
			tmp := filepath.Join(t.TempDir(), shot.name)
			chromium(t, bin, "--screenshot="+tmp, "--window-size="+shot.size, ts.URL+shot.path)
			img := checkScreenshot(t, tmp)
			if w := img.Bounds().Dx(); w != 390 {
				t.Errorf("%s: width %d, want the phone's 390", shot.name, w)
			}
			dst := filepath.Join(dir, shot.name)
			if err := copyPath(tmp, dst); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot of %s: %s", shot.path, dst)
		}
	})
}

// checkScreenshot asserts the PNG decodes and shows a real page: not
// blank, with enough colours for text, cards and the header.
func checkScreenshot(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if len(b) < 10_000 {
		t.Errorf("screenshot is only %d bytes", len(b))
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	colours := map[[3]uint32]bool{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("screenshot has %d colours: blank or unstyled", len(colours))
	}
	// The header band is the brand green: proof the stylesheet loaded
	// under the page's Content-Security-Policy.
	r, g, bl, _ := img.At(5, 5).RGBA()
	if got := [3]uint32{r >> 8, g >> 8, bl >> 8}; got != [3]uint32{0x1f, 0x4e, 0x3d} {
		t.Errorf("top-left pixel %x, want the header's #1f4e3d (stylesheet not applied?)", got)
	}
	return img
}

func copyPath(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

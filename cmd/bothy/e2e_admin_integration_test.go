//go:build integration

package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
	"github.com/bothy-chat/bothy/bot/web/browsertest"
)

// TestConsoleEndToEnd runs the bothy binary on the local Slack server with
// the HTTP server on, and an organiser works in the console in headless
// Chromium: the sign-in link comes from `web login` in a Slack direct
// message; a gap is answered and the next member who asks in Slack gets
// the answer; a helpful answer is confirmed (its wording is kept as a
// phrasing of the quoted section); a document is edited, the file changes on disk and
// the next question in Slack is answered from it; the dashboard counts what
// happened. Every page is checked with axe-core.
func TestConsoleEndToEnd(t *testing.T) {
	const (
		organiserID = "U0ORGANISE"
		memberID    = "U0MEMBER01"
		general     = "C0GENERAL1"
		orgDM       = "D0ORGANISE"
	)
	br := browsertest.Start(t)
	srv := slacktest.New(slacktest.Options{PingInterval: 500 * time.Millisecond})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: organiserID, Name: "olive", RealName: "Olive Organiser", DisplayName: "Olive"})
	srv.AddUser(slacktest.User{ID: memberID, Name: "mo", RealName: "Mo Member", DisplayName: "Mo"})
	srv.AddChannel(general, "general")

	dir := t.TempDir()
	kb := filepath.Join(dir, "kb")
	if err := os.Mkdir(kb, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"accessible-social-media.md", "photo-consent-children.md"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "starter", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(kb, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "bothy.db")
	addr := freeAddr(t)
	site := "http://" + addr
	startBothy(t, "bothy", dir, map[string]string{
		"SLACK_APP_TOKEN":      slacktest.AppToken,
		"SLACK_BOT_TOKEN":      slacktest.BotToken,
		"BOTHY_SLACK_API_URL":  srv.APIURL,
		"BOTHY_ORGANISERS":     organiserID,
		"BOTHY_DB":             db,
		"BOTHY_KNOWLEDGE_DIRS": kb,
		"BOTHY_HTTP_LISTEN":    addr,
		"BOTHY_WEB_PUBLIC_URL": site,
		"BOTHY_COMMUNITY_NAME": "Comms network",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatalf("bothy never connected to Slack: %v", err)
	}
	eventually(t, e2eWait, "the web server is ready", func() bool {
		resp, err := http.Get(site + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	ts := 0
	ask := func(question string) url.Values {
		t.Helper()
		ts++
		qts := "1790000100." + strconv.Itoa(100000+ts)
		ack(t, ctx, srv)(srv.SendEvent("EvA"+strconv.Itoa(ts), slacktest.AppMention(memberID, general, qts, "", "<@"+slacktest.BotUserID+"> "+question)))
		return waitPost(t, ctx, srv, "the answer to "+question, func(p url.Values) bool {
			return p.Get("channel") == general && p.Get("thread_ts") == qts
		})
	}

	// A member asks two questions: one the knowledge base answers, which
	// they rate helpful, and one it cannot.
	const good = "how do I write good alt text for images?"
	post := ask(good)
	btns := blockByID(parseBlocks(t, post.Get("blocks")), "bothy_buttons")
	if btns == nil {
		t.Fatalf("no feedback buttons on %q", post.Get("text"))
	}
	goodID, answerTS := answeredSlackQuestion(t, db, good)
	ack(t, ctx, srv)(srv.SendInteractive(slacktest.BlockActions(memberID, general, answerTS, "", "bothy_buttons",
		btns.Elements[0].ActionID, btns.Elements[0].Value, srv.ResponseURL("fb1"), "trig-fb1")))
	eventually(t, e2eWait, "the Helpful is stored", func() bool { return len(feedbackRows(t, db, goodID)) == 1 })
	const biscuits = "which biscuits should we serve at the network meeting?"
	if got := ask(biscuits).Get("text"); !strings.Contains(got, "doesn't cover that") {
		t.Fatalf("the biscuit question was answered: %q", got)
	}

	t.Run("sign in through the link from a Slack direct message", func(t *testing.T) {
		br := br.For(t)
		ack(t, ctx, srv)(srv.SendEvent("EvLogin", slacktest.DirectMessage(organiserID, orgDM, "1790000200.000100", "web login")))
		dm := waitPost(t, ctx, srv, "the sign-in link", func(p url.Values) bool {
			return p.Get("channel") == orgDM && strings.Contains(p.Get("text"), "/admin/login?token=")
		})
		link := regexp.MustCompile(`https?://[^\s|>]+/admin/login\?token=[A-Za-z0-9_-]+`).FindString(dm.Get("text"))
		if !strings.HasPrefix(link, site+"/admin/login?token=") {
			t.Fatalf("link %q in %q", link, dm.Get("text"))
		}
		br.Goto(link)
		br.CheckAccessible("sign-in link page")
		p := br.Click("main form button[type=submit]")
		if p.URL != site+"/admin/" || p.Status != http.StatusOK {
			t.Fatalf("after signing in: %+v", p)
		}
		if h := br.Text("header"); !strings.Contains(h, organiserID) {
			t.Errorf("header %q does not name the organiser", h)
		}
		// The link was used up.
		if resp, err := http.Get(link); err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("used link: %v %v", resp.StatusCode, err)
		}
	})

	t.Run("answer the gap; the next member who asks gets the answer", func(t *testing.T) {
		br := br.For(t)
		br.Goto(site + "/admin/gaps")
		br.CheckAccessible("gaps")
		br.Click("ol.gaps a")
		br.Fill("#answer", "Shortbread and oatcakes, and always something gluten free.")
		if p := br.Click(`form[action$="/answer"] button[type=submit]`); !strings.Contains(p.URL, "done=answered") {
			t.Fatalf("after answering: %+v\n%s", p, br.Text("main"))
		}
		if got := ask(biscuits).Get("text"); !strings.Contains(got, "oatcakes") {
			t.Errorf("the next member was not answered from the FAQ: %q", got)
		}
	})

	t.Run("confirm the helpful answer", func(t *testing.T) {
		br := br.For(t)
		br.Goto(site + "/admin/feedback")
		br.CheckAccessible("feedback")
		text := br.Text("main")
		if !strings.Contains(text, good) || !strings.Contains(text, "1 helpful, 0 not helpful") || !strings.Contains(text, "How do I write good alt text for images?") {
			t.Fatalf("feedback page:\n%s", text)
		}
		p := br.Click(`form[action="/admin/feedback/` + strconv.FormatInt(goodID, 10) + `/confirm"] button`)
		if !strings.Contains(p.URL, "done=confirmed") {
			t.Fatalf("after confirming: %+v\n%s", p, br.Text("main"))
		}
		var learnt int
		queryDB(t, db, "SELECT count(*) FROM kb_phrasings WHERE question_id = ? AND origin = 'helpful'", func(r *sql.Rows) error { return r.Scan(&learnt) }, goodID)
		if learnt != 1 {
			t.Errorf("the confirmed wording was not kept as a phrasing (%d rows)", learnt)
		}
	})

	t.Run("edit a document; the file changes and the next question is answered from it", func(t *testing.T) {
		br := br.For(t)
		const q = "how do we book the community minibus?"
		if got := ask(q).Get("text"); strings.Contains(got, "facilities desk") {
			t.Fatalf("answered before the edit: %q", got)
		}
		br.Goto(site + "/admin/docs")
		br.Click(`a[href="/admin/doc?id=accessible-social-media"]`)
		br.CheckAccessible("document editor")
		br.Fill("#newsection", "## How do we book the community minibus?\n\nBook the community minibus through the facilities desk at least two working days ahead.\n")
		if p := br.Click(`#docform button[value=save]`); !strings.Contains(p.URL, "done=saved") {
			t.Fatalf("after saving: %+v\n%s", p, br.Text("main"))
		}
		data, err := os.ReadFile(filepath.Join(kb, "accessible-social-media.md"))
		if err != nil || !strings.HasSuffix(string(data), "two working days ahead.\n") {
			t.Fatalf("file on disk (%v):\n%s", err, data)
		}
		if got := ask(q).Get("text"); !strings.Contains(got, "facilities desk") {
			t.Errorf("the next question was not answered from the edit: %q", got)
		}
	})

	t.Run("read the dashboard", func(t *testing.T) {
		br := br.For(t)
		br.Goto(site + "/admin/")
		text := br.Text("main")
		for _, want := range []string{"Questions per week", "5 questions in the last 12 weeks",
			"1 of 1 ratings in the last 12 weeks said helpful (100%).", "Most asked topics", "Making social media posts accessible",
			"Meetups and RSVPs", "Shout-outs per month by category"} {
			if !strings.Contains(text, want) {
				t.Errorf("dashboard lacks %q:\n%s", want, text)
			}
		}
		br.CheckAccessible("dashboard")
	})

	// Every change is in the audit log with who made it.
	var actors []string
	queryDB(t, db, "SELECT action || ' ' || actor FROM audit_log WHERE action IN ('web.login', 'kb.gap.answer', 'kb.doc.edit') ORDER BY id", func(r *sql.Rows) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		actors = append(actors, s)
		return nil
	})
	if want := "web.login " + organiserID + ",kb.gap.answer " + organiserID + ",kb.doc.edit " + organiserID; strings.Join(actors, ",") != want {
		t.Errorf("audit = %q, want %q", actors, want)
	}
	// The public page never links to the console.
	resp, err := http.Get(site + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "Comms network") || strings.Contains(string(body), "/admin") {
		t.Error("the community page links to /admin")
	}
}

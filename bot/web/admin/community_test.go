package admin

import (
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
)

func TestDashboard(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	// Two weeks of questions: last week two answered and one not; this
	// week one answered, rated helpful.
	h.clock.Add(-7 * 24 * time.Hour)
	h.ask("how do I write good alt text for images?")
	h.ask("do videos need captions?")
	h.ask("which biscuits should we serve at the network meeting?")
	h.clock.Add(7 * 24 * time.Hour)
	a := h.ask("how do I write good alt text for images?")
	_ = h.kb.Feedback(h.ctx, a.QuestionID, "U1", true)
	m, err := h.meet.Create(h.ctx, meetups.Draft{Title: "Plain English clinic", Start: h.clock.Now().Add(72 * time.Hour)}, organiser)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.meet.RecordRSVP(h.ctx, m.ID, "test", "U1", "Una", "yes"); err != nil {
		t.Fatal(err)
	}
	give(t, h, "U1", "U2", "thanks for the brilliant flood warning copy #crisis")
	give(t, h, "U2", "U3", "thanks for the alt text checklist you shared #accessibility")

	p := b.get("/admin/")
	if p.code != http.StatusOK {
		t.Fatalf("dashboard: %d", p.code)
	}
	mustContain(t, p.body,
		"Questions per week", "4 questions in the last 12 weeks, 3 answered.",
		"<th scope=\"row\">2 Mar 2026</th><td>2</td><td>1</td><td>3</td>",
		"<th scope=\"row\">9 Mar 2026</th><td>1</td><td>0</td><td>1</td>",
		"Helpful answers per week", "1 of 1 ratings in the last 12 weeks said helpful (100%).",
		"Most asked topics", "<th scope=\"row\">Making social media posts accessible</th><td>3</td>",
		"Meetups and RSVPs", "Plain English clinic", "<td>1</td>",
		"Shout-outs per month by category", "<th scope=\"col\">crisis</th>", "<th scope=\"row\">March 2026</th>",
		"<strong>1</strong> unanswered question to look at",
	)
	// Every chart is an inline SVG with a name, and has a table.
	if n := strings.Count(p.body, `role="img" aria-labelledby=`); n != 5 {
		t.Errorf("%d named charts, want 5", n)
	}
	if n := strings.Count(p.body, "<table>"); n != 5 {
		t.Errorf("%d tables, want 5", n)
	}
	// The bars are drawn: the answered bar of last week is twice this week's.
	bars := regexp.MustCompile(`<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" class="s-answered"><title>([^<]+)</title>`).FindAllStringSubmatch(p.body, -1)
	if len(bars) != 2 {
		t.Fatalf("answered bars: %v", bars)
	}
	h1, _ := strconv.ParseFloat(bars[0][1], 64)
	h2, _ := strconv.ParseFloat(bars[1][1], 64)
	if math.Abs(h1-2*h2) > 0.2 || !strings.Contains(bars[0][2], "2 answered") {
		t.Errorf("bars %v", bars)
	}
	mustNotContain(t, p.body, "<script")
}

func give(t *testing.T, h *harness, from, to, reason string) {
	t.Helper()
	if _, err := h.shout.Give(h.ctx, shoutouts.GiveRequest{Platform: "test", Giver: bot.User{ID: from, Name: from},
		Recipients: []bot.User{{ID: to, Name: to}}, Reason: reasonOf(reason), Category: categoryOf(reason)}); err != nil {
		t.Fatal(err)
	}
}

func reasonOf(s string) string {
	r, _, _ := strings.Cut(s, " #")
	return r
}

func categoryOf(s string) string {
	_, c, _ := strings.Cut(s, " #")
	return c
}

func TestMeetupsAreAnnouncedAsInChat(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	start := h.clock.Now().Add(10 * 24 * time.Hour)
	viaWeb, err := h.meet.Create(h.ctx, meetups.Draft{Title: "Web edit", Start: start, Venue: "Old Hall"}, organiser)
	if err != nil {
		t.Fatal(err)
	}
	viaChat, err := h.meet.Create(h.ctx, meetups.Draft{Title: "Chat edit", Start: start, Venue: "Old Hall"}, organiser)
	if err != nil {
		t.Fatal(err)
	}
	h.meet.DeliverNow(h.ctx)

	announced := func(f func()) string {
		h.chat.Reset()
		f()
		var out []string
		for _, s := range h.chat.Sent() {
			if s.Target.RoomID == "announce" {
				out = append(out, s.Reply.Text)
			}
		}
		return strings.Join(out, "\n")
	}
	webText := announced(func() {
		p := b.post("/admin/meetups/"+strconv.FormatInt(viaWeb.ID, 10)+"/edit", url.Values{"field": {"venue"}, "value": {"The Lighthouse, Glasgow"}})
		if p.code != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", p.code, p.body)
		}
	})
	chatText := announced(func() {
		h.say(organiser, "meetup edit "+strconv.FormatInt(viaChat.ID, 10)+" venue The Lighthouse, Glasgow")
	})
	same := func(web, chat string) bool {
		norm := func(s, title string, id int64) string {
			n := strconv.FormatInt(id, 10)
			return strings.NewReplacer(title, "X", "meetup "+n, "meetup N", "rsvp "+n+" ", "rsvp N ").Replace(s)
		}
		return web != "" && norm(web, "Web edit", viaWeb.ID) == norm(chat, "Chat edit", viaChat.ID)
	}
	if !same(webText, chatText) {
		t.Errorf("announcements differ:\nweb:  %q\nchat: %q", webText, chatText)
	}

	t.Run("a date chat would refuse is refused the same way", func(t *testing.T) {
		p := b.post("/admin/meetups/"+strconv.FormatInt(viaWeb.ID, 10)+"/edit", url.Values{"field": {"when"}, "value": {"the twelfth of never"}})
		if p.code != http.StatusUnprocessableEntity || !strings.Contains(p.body, "I couldn&#39;t find a date") {
			t.Fatalf("bad date: %d\n%s", p.code, p.body)
		}
		mustContain(t, p.body, `value="the twelfth of never"`)
	})

	t.Run("cancel", func(t *testing.T) {
		webCancel := announced(func() {
			p := b.post("/admin/meetups/"+strconv.FormatInt(viaWeb.ID, 10)+"/cancel", url.Values{"reason": {"venue flooded"}})
			if p.code != http.StatusSeeOther {
				t.Fatalf("cancel: %d\n%s", p.code, p.body)
			}
		})
		chatCancel := announced(func() { h.say(organiser, "meetup cancel "+strconv.FormatInt(viaChat.ID, 10)+" venue flooded") })
		if !same(webCancel, chatCancel) {
			t.Errorf("cancellations differ:\nweb:  %q\nchat: %q", webCancel, chatCancel)
		}
		m, _ := h.meet.Get(h.ctx, viaWeb.ID)
		if m.Status != meetups.StatusCancelled || m.CancelReason != "venue flooded" {
			t.Errorf("meetup = %+v", m)
		}
	})
	rows := h.audit("meetup.edit")
	if len(rows) < 1 || rows[len(rows)-1].Actor != organiser {
		t.Errorf("audit = %+v", rows)
	}
}

func TestShoutoutsAndAwards(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	b := h.signedIn()
	give(t, h, "U1", "U2", "thanks for the brilliant flood warning copy #crisis")
	list, _ := h.shout.Recent(h.ctx, 10)
	id := strconv.FormatInt(list[0].ID, 10)
	p := b.get("/admin/shoutouts")
	mustContain(t, p.body, "brilliant flood warning copy", "Retract")

	if p := b.post("/admin/shoutouts/"+id+"/retract", url.Values{"reason": {""}}); p.code != http.StatusUnprocessableEntity {
		t.Errorf("retract without a reason: %d", p.code)
	}
	if p := b.post("/admin/shoutouts/"+id+"/retract", url.Values{"reason": {"posted by mistake"}}); p.code != http.StatusSeeOther {
		t.Fatalf("retract: %d\n%s", p.code, p.body)
	}
	if s, _ := h.shout.Get(h.ctx, list[0].ID); !s.Retracted() || s.RetractedBy != organiser || s.RetractReason != "posted by mistake" {
		t.Errorf("shout-out = %+v", s)
	}
	if p := b.post("/admin/shoutouts/"+id+"/retract", url.Values{"reason": {"again"}}); p.code != http.StatusConflict {
		t.Errorf("second retraction: %d", p.code)
	}

	if p := b.post("/admin/awards/open", url.Values{"name": {"2026"}, "categories": {""}}); p.code != http.StatusUnprocessableEntity || !strings.Contains(p.body, "at least one category") {
		t.Errorf("round without categories: %d", p.code)
	}
	if p := b.post("/admin/awards/open", url.Values{"name": {"2026"}, "categories": {"best-thread crisis-comms"}}); p.code != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", p.code, p.body)
	}
	mustContain(t, b.get("/admin/shoutouts").body, "<strong>2026</strong>: best-thread, crisis-comms", "Close nominations")
	if p := b.post("/admin/awards/close", url.Values{"name": {"2026"}}); p.code != http.StatusSeeOther {
		t.Fatalf("close: %d", p.code)
	}
	if r, _ := h.shout.Round(h.ctx, "2026"); r.Open() || r.ClosedBy != organiser {
		t.Errorf("round = %+v", r)
	}
	for _, a := range []string{"shoutout.retract", "awards.open", "awards.close"} {
		if rows := h.audit(a); len(rows) != 1 || rows[0].Actor != organiser {
			t.Errorf("audit %s = %+v", a, rows)
		}
	}
	mustContain(t, b.get("/admin/audit").body, "awards.close", "posted by mistake")
}

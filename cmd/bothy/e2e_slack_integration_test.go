//go:build integration

package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/adapters/slack/slacktest"
)

// TestSlackEndToEnd runs the bothy binary against the local server that
// speaks Slack's Web API and Socket Mode, configured only by environment
// variables: a mention gets a threaded Block Kit answer with sources and
// feedback buttons, pressing Helpful is stored as feedback, /bothy help
// answers privately, and a meetup added by an organiser in a direct
// message is announced with RSVP buttons that record the RSVP.
func TestSlackEndToEnd(t *testing.T) {
	start := time.Now()
	const (
		organiserID = "U0ORGANISE"
		memberID    = "U0MEMBER01"
		general     = "C0GENERAL1"
		announce    = "C0ANNOUNCE"
		orgDM       = "D0ORGANISE"
	)
	srv := slacktest.New(slacktest.Options{PingInterval: 500 * time.Millisecond})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: organiserID, Name: "olive", RealName: "Olive Organiser", DisplayName: "Olive"})
	srv.AddUser(slacktest.User{ID: memberID, Name: "mo", RealName: "Mo Member", DisplayName: "Mo"})
	srv.AddChannel(general, "general")
	srv.AddChannel(announce, "announcements")

	dir := t.TempDir()
	db := filepath.Join(dir, "bothy.db")
	vars := map[string]string{
		"SLACK_APP_TOKEN":      slacktest.AppToken,
		"SLACK_BOT_TOKEN":      slacktest.BotToken,
		"BOTHY_SLACK_API_URL":  srv.APIURL,
		"BOTHY_SLACK_ANNOUNCE": announce,
		"BOTHY_ORGANISERS":     organiserID,
		"BOTHY_DB":             db,
	}
	b := startBothy(t, "bothy", dir, vars)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := srv.WaitConnected(ctx, 1); err != nil {
		t.Fatalf("bothy never opened a Socket Mode connection: %v", err)
	}
	t.Logf("connected after %s", time.Since(start).Round(time.Millisecond))

	const question = "IT have blocked Twitter, what do I do?"
	const questionTS = "1790000000.000100"
	t.Run("mention gets a threaded Block Kit answer with sources and buttons", func(t *testing.T) {
		ack(t, ctx, srv)(srv.SendEvent("Ev0001", slacktest.AppMention(memberID, general, questionTS, "", "<@"+slacktest.BotUserID+"> "+question)))
		post := waitPost(t, ctx, srv, "the answer", func(p url.Values) bool {
			return p.Get("channel") == general && p.Get("thread_ts") == questionTS
		})
		blocks := parseBlocks(t, post.Get("blocks"))
		if len(blocks) == 0 || blocks[0].Type != "section" || !strings.Contains(blocks[0].text(), "When IT blocks social media sites") {
			t.Errorf("first block is not the answer: %+v", blocks)
		}
		src := blockByID(blocks, "bothy_sources")
		if src == nil || src.Type != "context" {
			t.Fatalf("no sources context block in %s", post.Get("blocks"))
		}
		if s := src.text(); !strings.Contains(s, "[1]") || !strings.Contains(s, "When IT blocks social media sites") || !strings.Contains(s, "https://www.ncsc.gov.uk/") {
			t.Errorf("sources block = %q", s)
		}
		btns := blockByID(blocks, "bothy_buttons")
		if btns == nil || len(btns.Elements) != 2 {
			t.Fatalf("no Helpful / Not helpful buttons in %s", post.Get("blocks"))
		}
		qid, answerTS := answeredSlackQuestion(t, db, question)
		want := []struct{ label, action string }{{"Helpful", "kb.helpful"}, {"Not helpful", "kb.unhelpful"}}
		for i, w := range want {
			e := btns.Elements[i]
			if e.Text.Text != w.label || e.ActionID != w.action || e.Value != strconv.FormatInt(qid, 10) {
				t.Errorf("button %d = %q %q %q, want %q %q %d", i, e.Text.Text, e.ActionID, e.Value, w.label, w.action, qid)
			}
		}
		if !strings.Contains(post.Get("text"), "Sources:") {
			t.Errorf("notification fallback text lacks the sources: %q", post.Get("text"))
		}

		t.Run("pressing Helpful records feedback", func(t *testing.T) {
			h := btns.Elements[0]
			ack(t, ctx, srv)(srv.SendInteractive(slacktest.BlockActions(memberID, general, answerTS, questionTS,
				"bothy_buttons", h.ActionID, h.Value, srv.ResponseURL("fb1"), "trig-fb1")))
			var rows []string
			eventually(t, e2eWait, "the feedback is stored", func() bool {
				rows = feedbackRows(t, db, qid)
				return len(rows) > 0
			})
			if len(rows) != 1 || rows[0] != memberID+" true" {
				t.Errorf("feedback rows = %q, want [%q]", rows, memberID+" true")
			}
		})
	})

	t.Run("slash command help", func(t *testing.T) {
		ack(t, ctx, srv)(srv.SendSlashCommand(slacktest.SlashCommand(memberID, general, "help", srv.ResponseURL("help1"), "trig-help")))
		var got url.Values
		if err := srv.Wait(ctx, func(calls []slacktest.Call) bool {
			for _, c := range calls {
				if c.Method == "response_url" && c.Params.Get("response_id") == "help1" {
					got = c.Params
					return true
				}
			}
			return false
		}); err != nil {
			t.Fatalf("no answer to /bothy help: %v", err)
		}
		if got.Get("response_type") != "ephemeral" {
			t.Errorf("help answer is %q, want ephemeral", got.Get("response_type"))
		}
		for _, cmd := range []string{"ask", "meetup", "shoutout"} {
			if !strings.Contains(got.Get("text"), cmd) {
				t.Errorf("help does not list %s:\n%s", cmd, got.Get("text"))
			}
		}
	})

	t.Run("meetup from a DM is announced with RSVP buttons", func(t *testing.T) {
		ack(t, ctx, srv)(srv.SendEvent("Ev0002", slacktest.DirectMessage(organiserID, orgDM, "1790000001.000100",
			"meetup add Slack comms social on "+meetupDate()+" at The Lighthouse, Glasgow")))
		waitPost(t, ctx, srv, "the organiser's confirmation", func(p url.Values) bool {
			return p.Get("channel") == orgDM && strings.Contains(p.Get("text"), "Added meetup")
		})
		ann := waitPost(t, ctx, srv, "the announcement", func(p url.Values) bool {
			return p.Get("channel") == announce && strings.Contains(p.Get("text"), "New meetup: Slack comms social")
		})
		btns := blockByID(parseBlocks(t, ann.Get("blocks")), "bothy_buttons")
		if btns == nil || len(btns.Elements) != 3 {
			t.Fatalf("announcement has no RSVP buttons: %s", ann.Get("blocks"))
		}
		going := btns.Elements[0]
		ms := meetupList(t, dir, db)
		if len(ms) != 1 || ms[0].Title != "Slack comms social" || ms[0].Going != 0 {
			t.Fatalf("meetup list = %+v", ms)
		}
		if going.Text.Text != "Going" || going.Value != strconv.FormatInt(ms[0].ID, 10)+":yes" {
			t.Errorf("first button = %q value %q", going.Text.Text, going.Value)
		}
		// The row is marked sent once Slack's reply to the post is back,
		// which can be a moment after the test server saw the post.
		var annTS string
		eventually(t, e2eWait, "the announcement marked sent in the outbox", func() bool {
			queryDB(t, db, "SELECT message_id FROM meetup_outbox WHERE platform = 'slack' AND kind = 'announce' AND status = 'sent'",
				func(r *sql.Rows) error { return r.Scan(&annTS) })
			return annTS != ""
		})

		ack(t, ctx, srv)(srv.SendInteractive(slacktest.BlockActions(memberID, announce, annTS, "",
			"bothy_buttons", going.ActionID, going.Value, srv.ResponseURL("rsvp1"), "trig-rsvp1")))
		eventually(t, e2eWait, "meetup list shows the RSVP", func() bool {
			ms := meetupList(t, dir, db)
			return len(ms) == 1 && ms[0].Going == 1
		})
	})

	b.stop(t)
	for _, c := range srv.Calls("") {
		if c.Status != 200 || c.Error != "" {
			t.Errorf("%s failed: status %d error %q", c.Method, c.Status, c.Error)
		}
	}
	if strings.Contains(b.log.String(), slacktest.BotToken) || strings.Contains(b.log.String(), slacktest.AppToken) {
		t.Error("a Slack token appeared in bothy's output")
	}
	t.Logf("whole run took %s", time.Since(start).Round(time.Millisecond))
}

// ack returns a check that an envelope was sent and bothy acknowledged it.
func ack(t *testing.T, ctx context.Context, srv *slacktest.Server) func(string, error) {
	return func(env string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("send envelope: %v", err)
		}
		if err := srv.WaitAck(ctx, env); err != nil {
			t.Fatalf("envelope %s not acknowledged: %v", env, err)
		}
	}
}

// waitPost waits for a successful chat.postMessage matching pred.
func waitPost(t *testing.T, ctx context.Context, srv *slacktest.Server, what string, pred func(url.Values) bool) url.Values {
	t.Helper()
	var found url.Values
	// Wait calls cond with the server locked: read only the calls given.
	err := srv.Wait(ctx, func(calls []slacktest.Call) bool {
		for _, c := range calls {
			if p := c.Params; c.Method == "chat.postMessage" && c.Status == 200 && c.Error == "" && pred(p) {
				found = p
				return true
			}
		}
		return false
	})
	if err != nil {
		var seen []string
		for _, c := range srv.Calls("") {
			seen = append(seen, c.Method+" "+c.Params.Get("channel")+" "+strconv.Quote(c.Params.Get("text")))
		}
		t.Fatalf("no chat.postMessage with %s: %v; calls:\n%s", what, err, strings.Join(seen, "\n"))
	}
	return found
}

// slackBlock is the part of a Block Kit block the tests read.
type slackBlock struct {
	Type     string         `json:"type"`
	BlockID  string         `json:"block_id"`
	Text     *slackText     `json:"text"`
	Elements []slackElement `json:"elements"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackElement struct {
	Type     string    `json:"type"`
	Text     slackText `json:"text"`
	ActionID string    `json:"action_id"`
	Value    string    `json:"value"`
}

// UnmarshalJSON lets a context block's elements (bare text objects) and an
// actions block's buttons share slackElement.
func (e *slackElement) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type     string          `json:"type"`
		Text     json.RawMessage `json:"text"`
		ActionID string          `json:"action_id"`
		Value    string          `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.Type, e.ActionID, e.Value = raw.Type, raw.ActionID, raw.Value
	if len(raw.Text) > 0 && raw.Text[0] == '"' {
		return json.Unmarshal(raw.Text, &e.Text.Text)
	}
	if len(raw.Text) > 0 {
		return json.Unmarshal(raw.Text, &e.Text)
	}
	return nil
}

// text is all the block's visible text.
func (b slackBlock) text() string {
	var parts []string
	if b.Text != nil {
		parts = append(parts, b.Text.Text)
	}
	for _, e := range b.Elements {
		parts = append(parts, e.Text.Text)
	}
	return strings.Join(parts, "\n")
}

func parseBlocks(t *testing.T, s string) []slackBlock {
	t.Helper()
	var blocks []slackBlock
	if err := json.Unmarshal([]byte(s), &blocks); err != nil {
		t.Fatalf("blocks are not JSON (%v): %s", err, s)
	}
	return blocks
}

func blockByID(blocks []slackBlock, id string) *slackBlock {
	for i := range blocks {
		if blocks[i].BlockID == id {
			return &blocks[i]
		}
	}
	return nil
}

// answeredSlackQuestion waits until the question is recorded with the
// answer's message timestamp and returns both.
func answeredSlackQuestion(t *testing.T, db, text string) (int64, string) {
	t.Helper()
	id := answeredQuestion(t, db, text)
	var ts string
	queryDB(t, db, "SELECT message_id FROM kb_questions WHERE id = ?", func(r *sql.Rows) error { return r.Scan(&ts) }, id)
	return id, ts
}

package shoutouts

import (
	"strings"
	"testing"
	"time"
)

func TestParseShoutout(t *testing.T) {
	tests := []struct {
		in       string
		mentions []string
		reason   string
		category string
		err      error
	}{
		{"@carol for the snow-day closures thread", []string{"@carol"}, "the snow-day closures thread", "", nil},
		{"to <@U1> <@U2>, and <@U3> for great work on the FOI guide #records", []string{"<@U1>", "<@U2>", "<@U3>"}, "great work on the FOI guide", "records", nil},
		{"@carol:example.org, @dave:example.org for calm crisis posts #Crisis.", []string{"@carol:example.org", "@dave:example.org"}, "calm crisis posts", "crisis", nil},
		{"carol for keeping the #comms channel friendly", []string{"carol"}, "keeping the #comms channel friendly", "", nil},
		{"@carol great thread on purdah rules", []string{"@carol"}, "great thread on purdah rules", "", nil},
		{"@carol @carol for double counted work", []string{"@carol"}, "double counted work", "", nil},
		{"@carol for: the thread", []string{"@carol"}, "the thread", "", nil},
		{"@carol - the thread", []string{"@carol"}, "the thread", "", nil},
		{"@carol for — : the thread", []string{"@carol"}, "the thread", "", nil},
		{"@bob for -2+3 more sums here", []string{"@bob"}, "-2+3 more sums here", "", nil},
		{"@bob for :-) the thread", []string{"@bob"}, ":-) the thread", "", nil},
		{"@bob for —the thread", []string{"@bob"}, "—the thread", "", nil},
		{"@bob for - -", []string{"@bob"}, "", "", ErrNoReason},
		{"for the thread", nil, "", "", ErrNoRecipient},
		{"", nil, "", "", ErrNoRecipient},
		{"@carol", []string{"@carol"}, "", "", ErrNoReason},
		{"@carol for #crisis", []string{"@carol"}, "", "crisis", ErrNoReason},
		{"@a @b @c @d @e @f @g @h @i @j @k for too many people", nil, "", "", ErrTooManyMentions},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParseShoutout(tc.in, nil)
			if err != tc.err {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if strings.Join(p.Mentions, "|") != strings.Join(tc.mentions, "|") || p.Reason != tc.reason || p.Category != tc.category {
				t.Errorf("got %+v, want mentions %v reason %q category %q", p, tc.mentions, tc.reason, tc.category)
			}
		})
	}
}

// TestRefusals checks each fairness rule gives its own message and records
// nothing it should not.
func TestRefusals(t *testing.T) {
	type step struct {
		advance time.Duration
		user    string
		text    string
		want    string // substring of the reply
	}
	tests := []struct {
		name  string
		quota int
		steps []step
		rows  int // shout-outs recorded at the end
	}{
		{"self", 5, []step{{0, "UALICE", "shoutout <@UALICE> for my own great thread", "can't give a shout-out to yourself"}}, 0},
		{"short reason", 5, []step{{0, "UALICE", "shoutout <@UBOB> for nice", "at least 3 words"}}, 0},
		{"punctuation is not words", 5, []step{{0, "UALICE", "shoutout <@UBOB> for !!! ... ???", "at least 3 words"}}, 0},
		{"no recipient", 5, []step{{0, "UALICE", "shoutout for the great thread", "Who is the shout-out for?"}}, 0},
		{"no reason", 5, []step{{0, "UALICE", "kudos <@UBOB>", "What is the shout-out for?"}}, 0},
		{"thanks alone", 5, []step{{0, "UALICE", "thanks", "You're welcome!"}}, 0},
		{"unknown person", 5, []step{{0, "UALICE", "shoutout @nobody for the great thread", `couldn't work out who "@nobody" is`}}, 0},
		{"duplicate within 24h", 5, []step{
			{0, "UALICE", "shoutout <@UBOB> for the snow-day closures thread", "Shout-out recorded for Bob (#1)"},
			{23 * time.Hour, "UALICE", "thanks <@UBOB> for The snow day closures thread!", "already gave Bob a shout-out for that in the last 24 hours (#1)"},
		}, 1},
		{"same reason after 24h is fine", 5, []step{
			{0, "UALICE", "shoutout <@UBOB> for the snow-day closures thread", "recorded"},
			{25 * time.Hour, "UALICE", "shoutout <@UBOB> for the snow-day closures thread", "Shout-out recorded for Bob (#2)"},
		}, 2},
		{"different giver is not a duplicate", 5, []step{
			{0, "UALICE", "shoutout <@UBOB> for the snow-day closures thread", "recorded"},
			{0, "UCAROL", "shoutout <@UBOB> for the snow-day closures thread", "Shout-out recorded for Bob (#2)"},
		}, 2},
		{"daily quota", 2, []step{
			{0, "UALICE", "shoutout <@UBOB> for the first great thing", "recorded"},
			{0, "UALICE", "shoutout <@UCAROL> for the second great thing", "recorded"},
			{0, "UALICE", "shoutout <@UDAVE> for the third great thing", "You've already given 2 shout-outs today, which is the daily limit"},
			// 10:00 UTC on 11 March plus 14h is the next day in London.
			{14 * time.Hour, "UALICE", "shoutout <@UDAVE> for the third great thing", "Shout-out recorded for Dave"},
		}, 3},
		{"quota with several people", 2, []step{
			{0, "UALICE", "shoutout <@UBOB> for the first great thing", "recorded"},
			{0, "UALICE", "shoutout <@UCAROL> <@UDAVE> for the second great thing", "That would be 2 shout-outs, but you have 1 left today (the daily limit is 2)"},
		}, 1},
		{"quota zero means no limit", 0, []step{
			{0, "UALICE", "shoutout <@UBOB> <@UCAROL> <@UDAVE> <@UORG> for the first great thing", "recorded"},
			{0, "UALICE", "shoutout <@UBOB> <@UCAROL> <@UDAVE> <@UORG> for the second great thing", "recorded"},
		}, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, func(o *Options) { o.DailyQuota = tc.quota })
			for i, st := range tc.steps {
				e.clock.Add(st.advance)
				got := replyText(e.say(st.user, st.text))
				if !strings.Contains(got, st.want) {
					t.Errorf("step %d %q: reply %q, want it to contain %q", i, st.text, got, st.want)
				}
			}
			if n := e.count("SELECT count(*) FROM shoutouts"); n != tc.rows {
				t.Errorf("%d shout-outs recorded, want %d", n, tc.rows)
			}
		})
	}
}

func TestMultiRecipientAndNotifications(t *testing.T) {
	t.Run("direct messages", func(t *testing.T) {
		e := newEnv(t, true, nil)
		out := e.say("UALICE", "shoutout <@UBOB> <@UCAROL>, and <@UALICE> for the brilliant FOI guide #records")
		reply := replyText(out)
		for _, want := range []string{"Shout-out recorded for Bob (#1) and Carol (#2)", `"the brilliant FOI guide" #records`, "Not recorded for Alice: You can't give a shout-out to yourself"} {
			if !strings.Contains(reply, want) {
				t.Errorf("reply %q lacks %q", reply, want)
			}
		}
		if out[0].Target.ThreadID != "m1" {
			t.Errorf("acknowledgement went to thread %q, want the message's thread m1", out[0].Target.ThreadID)
		}
		dms := map[string]string{}
		for _, s := range out {
			if dmTo(s) != "" {
				dms[dmTo(s)] = s.Reply.Text
			}
		}
		if len(dms) != 2 || !strings.Contains(dms["UBOB"], "from Alice") || !strings.Contains(dms["UCAROL"], "#2") {
			t.Errorf("direct notifications = %v, want one each to UBOB and UCAROL", dms)
		}
		var platform, giver string
		if err := e.db.Read.QueryRow("SELECT platform, giver_id FROM shoutouts WHERE recipient_id = 'UCAROL'").Scan(&platform, &giver); err != nil || platform != "slack" || giver != "UALICE" {
			t.Errorf("stored platform %q giver %q (%v)", platform, giver, err)
		}
	})
	t.Run("mention when no direct messages", func(t *testing.T) {
		e := newEnv(t, false, nil)
		out := e.say("UALICE", "shoutout <@UBOB> for the brilliant FOI guide")
		if len(out) != 2 {
			t.Fatalf("sent %d messages, want acknowledgement and mention: %+v", len(out), out)
		}
		if !strings.HasPrefix(out[1].Reply.Text, "<@UBOB>, you received a shout-out from Alice") || out[1].Target.RoomID != "C1" {
			t.Errorf("mention = %+v", out[1])
		}
		// The recipient is named as the one person the message is for, so
		// adapters that notify by list (Matrix m.mentions) reach them.
		if m := out[1].Reply.Mentions; len(m) != 1 || m[0] != "UBOB" {
			t.Errorf("mentions = %v, want [UBOB]", m)
		}
	})
	t.Run("opted out", func(t *testing.T) {
		e := newEnv(t, true, nil)
		if got := replyText(e.say("UBOB", "shoutout notifications off")); !strings.Contains(got, "won't tell you") {
			t.Errorf("opt-out reply %q", got)
		}
		if got := replyText(e.say("UBOB", "shoutout notifications")); !strings.Contains(got, "are off") {
			t.Errorf("status reply %q", got)
		}
		out := e.say("UALICE", "shoutout <@UBOB> for the brilliant FOI guide")
		if len(out) != 1 || dmTo(out[0]) != "" {
			t.Errorf("opted-out member was notified: %+v", out)
		}
		e.say("UBOB", "shoutout notifications on")
		out = e.say("UALICE", "shoutout <@UBOB> for another brilliant FOI guide")
		if len(out) != 2 || dmTo(out[1]) != "UBOB" {
			t.Errorf("opted back in but not notified: %+v", out)
		}
	})
}

func TestRecent(t *testing.T) {
	e := newEnv(t, true, nil)
	e.say("UALICE", "shoutout <@UBOB> for the first great thing")
	e.clock.Add(time.Minute)
	e.say("UALICE", "shoutout <@UCAROL> for the second great thing")
	e.clock.Add(time.Minute)
	e.say("UALICE", "shoutout <@UDAVE> for the third great thing")
	e.say("UORG", "shoutout retract 2 posted by mistake")
	list, err := e.svc.Recent(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].RecipientID != "UDAVE" || list[1].RecipientID != "UBOB" {
		t.Errorf("recent = %+v, want Dave then Bob (Carol's retracted)", list)
	}
}

// Without "for", the leading mentions are the people, as the platform
// writes mentions (here a Slack-like adapter's markup).
func TestParseShoutoutPlatformMentions(t *testing.T) {
	slackLike := func(w string) bool { return strings.HasPrefix(w, "<@") || strings.HasPrefix(w, "@") }
	p, err := ParseShoutout("<@U1> <@U2> great work on the FOI guide", slackLike)
	if err != nil || strings.Join(p.Mentions, "|") != "<@U1>|<@U2>" || p.Reason != "great work on the FOI guide" {
		t.Fatalf("got %+v, %v", p, err)
	}
}

// "me", "myself" and "@me" mean the sender: never a person called "me".
func TestMeMeansSender(t *testing.T) {
	const self = "You can't give a shout-out to yourself"
	tests := []struct {
		name, text, want string
		rows             int
	}{
		{"me", "shoutout me for being really great today", self, 0},
		{"@me", "shoutout @me for being really great today", self, 0},
		{"myself", "shoutout myself for being really great today", self, 0},
		{"@Myself", "kudos @Myself for being really great today", self, 0},
		{"me among others", "shoutout <@UBOB> and me for the flood comms work", "Not recorded for Alice: " + self, 1},
		{"board for me, none yet", "shoutouts for me", "You haven't received any shout-outs yet. Why not thank someone whose work helped you? shoutout @person for ...", 0},
		{"board for @me, none yet", "shoutouts for @me", "shoutout @person for ...", 0},
		{"board for myself, none yet", "shoutouts for myself", "You haven't received any", 0},
		{"nominate me", "nominate me for x because being really great today", "can't nominate yourself", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, nil)
			e.say("UORG", "awards open 2026 x")
			got := replyText(e.say("UALICE", tc.text))
			if !strings.Contains(got, tc.want) {
				t.Errorf("reply %q, want it to contain %q", got, tc.want)
			}
			if n := e.count("SELECT count(*) FROM shoutouts"); n != tc.rows {
				t.Errorf("%d shout-outs recorded, want %d", n, tc.rows)
			}
			if n := e.count("SELECT count(*) FROM shoutouts WHERE recipient_id IN ('me', 'myself', 'Myself') OR recipient_name IN ('me', 'myself')") +
				e.count("SELECT count(*) FROM award_nominations"); n != 0 {
				t.Errorf("%d records name \"me\" or a nomination was recorded", n)
			}
		})
	}
	t.Run("board for me lists mine", func(t *testing.T) {
		e := newEnv(t, true, nil)
		e.say("UBOB", "shoutout <@UALICE> for the flood comms work")
		for _, text := range []string{"shoutouts for me", "shoutouts for @me", "shoutouts for myself"} {
			if got := replyText(e.say("UALICE", text)); !strings.Contains(got, "Alice has received 1 shout-out") {
				t.Errorf("%q: %q", text, got)
			}
		}
	})
}

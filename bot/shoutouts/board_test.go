package shoutouts

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
)

// give records a shout-out at a given time straight through the service.
func (e *env) give(at time.Time, giver, recipient, category string) Shoutout {
	e.t.Helper()
	e.clock.Set(at)
	e.seq++
	res, err := e.svc.Give(context.Background(), GiveRequest{
		Platform: "slack", RoomID: "C1", Giver: bot.User{ID: giver, Name: names[giver]},
		Recipients: []bot.User{{ID: recipient, Name: names[recipient]}},
		Reason:     fmt.Sprintf("good work number %d", e.seq), Category: category,
	})
	if err != nil || len(res.Recorded) != 1 {
		e.t.Fatalf("give: %+v %v", res, err)
	}
	return res.Recorded[0]
}

func TestLeaderboard(t *testing.T) {
	e := newEnv(t, true, func(o *Options) { o.DailyQuota = 0 })
	loc := london(t)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }
	e.give(at(2025, 12, 20, 12, 0), "UALICE", "UBOB", "crisis")   // last year
	e.give(at(2026, 2, 10, 12, 0), "UALICE", "UCAROL", "records") // this year
	e.give(at(2026, 2, 11, 12, 0), "UDAVE", "UCAROL", "records")
	e.give(at(2026, 3, 2, 12, 0), "UBOB", "UDAVE", "crisis")     // this month, last week
	e.give(at(2026, 3, 8, 23, 30), "UCAROL", "UBOB", "")         // Sunday night: still last week
	e.give(at(2026, 3, 9, 0, 30), "UALICE", "UDAVE", "")         // Monday: this week
	e.give(at(2026, 3, 10, 9, 0), "UCAROL", "UDAVE", "crisis")   // this week
	e.give(at(2026, 3, 10, 9, 5), "UALICE", "UBOB", "")          // this week
	gone := e.give(at(2026, 3, 10, 9, 10), "UBOB", "UCAROL", "") // retracted below
	e.clock.Set(start)
	if _, err := e.svc.Retract(t.Context(), gone.ID, "UORG", "duplicate of an earlier one"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		period   Period
		category string
		people   string // "Name:count" best first
		total    int
	}{
		{ThisWeek, "", "Dave:2 Bob:1", 3},
		{ThisMonth, "", "Dave:3 Bob:2", 5},
		{ThisYear, "", "Dave:3 Bob:2 Carol:2", 7},
		{AllTime, "", "Bob:3 Dave:3 Carol:2", 8},
		{AllTime, "crisis", "Dave:2 Bob:1", 3},
		{ThisYear, "#records", "Carol:2", 2},
		{ThisWeek, "records", "", 0},
	}
	for _, tc := range tests {
		t.Run(string(tc.period)+tc.category, func(t *testing.T) {
			b, err := e.svc.Leaderboard(t.Context(), tc.period, tc.category)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range b.People {
				got = append(got, fmt.Sprintf("%s:%d", c.Name, c.Count))
			}
			if strings.Join(got, " ") != tc.people || b.Total != tc.total {
				t.Errorf("people %v total %d, want %q total %d", got, b.Total, tc.people, tc.total)
			}
		})
	}

	t.Run("chat", func(t *testing.T) {
		got := replyText(e.say("UBOB", "shoutouts this month"))
		for _, want := range []string{"Shout-outs this month: 5, from 3 people to 2 people.", "1. Dave: 3", "2. Bob: 2", "Categories: #crisis 2"} {
			if !strings.Contains(got, want) {
				t.Errorf("board %q lacks %q", got, want)
			}
		}
		// Bob and Dave share first place of all time; Carol comes third.
		if got := replyText(e.say("UBOB", "shoutouts")); !strings.Contains(got, "1. Bob: 3\n1. Dave: 3\n3. Carol: 2") {
			t.Errorf("all-time board %q, want Bob and Dave both first", got)
		}
		if got := replyText(e.say("UBOB", "shoutouts this year #records")); !strings.Contains(got, "in #records: 2") || !strings.Contains(got, "1. Carol: 2") {
			t.Errorf("category board %q", got)
		}
		if got := replyText(e.say("UBOB", "shoutouts this week #nothing")); !strings.Contains(got, "none yet") {
			t.Errorf("empty board %q", got)
		}
		if got := replyText(e.say("UBOB", "shoutouts last fortnight")); !strings.Contains(got, "not a period I know") {
			t.Errorf("bad period %q", got)
		}
		got = replyText(e.say("UBOB", "shoutouts for <@UCAROL>"))
		if !strings.Contains(got, "Carol has received 2 shout-outs") || !strings.Contains(got, "from Dave: good work number 3 #records") || strings.Contains(got, "#9") {
			t.Errorf("for Carol %q (retracted #9 must not show)", got)
		}
		if got := replyText(e.say("UDAVE", "shoutouts for me")); !strings.Contains(got, "Dave has received 3 shout-outs") {
			t.Errorf("for me %q", got)
		}
		if got := replyText(e.say("UDAVE", "shoutouts for <@UORG>")); !strings.Contains(got, "hasn't received any") {
			t.Errorf("for none %q", got)
		}
	})
}

func TestPeriodSince(t *testing.T) {
	loc := london(t)
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, loc) // Sunday, the day clocks go forward
	tests := []struct {
		p    Period
		want time.Time
	}{
		{ThisWeek, time.Date(2026, 3, 23, 0, 0, 0, 0, loc)},
		{ThisMonth, time.Date(2026, 3, 1, 0, 0, 0, 0, loc)},
		{ThisYear, time.Date(2026, 1, 1, 0, 0, 0, 0, loc)},
		{AllTime, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(string(tc.p), func(t *testing.T) {
			if got := tc.p.Since(now, loc); !got.Equal(tc.want) {
				t.Errorf("since = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBoardRanks(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		want   []string // rank of each line, in order
	}{
		{"all tied", []int{3, 3, 3, 1}, []string{"1. ", "1. ", "1. ", "4. "}},
		{"no ties", []int{5, 4, 1}, []string{"1. ", "2. ", "3. "}},
		{"tie below the top", []int{5, 2, 2, 1}, []string{"1. ", "2. ", "2. ", "4. "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Board{Total: 1}
			for i, n := range tc.counts {
				b.People = append(b.People, Count{Name: fmt.Sprintf("p%d", i), Count: n})
			}
			lines := strings.Split(b.Text(), "\n")[2:]
			for i, want := range tc.want {
				if line := want + fmt.Sprintf("p%d: %d", i, tc.counts[i]); lines[i] != line {
					t.Errorf("line %d = %q, want %q", i, lines[i], line)
				}
			}
		})
	}
}

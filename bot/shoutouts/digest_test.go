package shoutouts

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/bottest"
)

// digestEnv is a bot on two platforms with one announcement channel each,
// and a way to "restart" the service on the same database file.
type digestEnv struct {
	t      *testing.T
	path   string
	clock  *bottest.Clock
	bot    *bot.Bot
	slack  *bottest.Adapter
	matrix *bottest.Adapter
	opts   Options
}

var digestChannels = []bot.Channel{{Platform: "slack", RoomID: "CANNOUNCE"}, {Platform: "matrix", RoomID: "!ann:example.org"}}

func newDigestEnv(t *testing.T, day time.Weekday, at string) *digestEnv {
	d := &digestEnv{t: t, path: filepath.Join(t.TempDir(), "bothy.db"), clock: bottest.NewClock(time.Time{})}
	d.slack = newPlatform("slack")
	d.matrix = newPlatform("matrix")
	d.bot = bot.New(bot.Options{})
	d.bot.AddAdapter(bottest.RoomsOnly(d.slack))
	d.bot.AddAdapter(bottest.RoomsOnly(d.matrix))
	d.opts = Options{Sender: d.bot, Clock: d.clock, Location: london(t), Digest: DigestOptions{Day: day, Time: at, Channels: digestChannels}}
	return d
}

// service opens the database afresh and builds a new Service, as a
// restarted bot would.
func (d *digestEnv) service() *Service {
	d.t.Helper()
	o := d.opts
	o.DB = bottest.OpenDBAt(d.t, d.path)
	svc, err := New(o)
	if err != nil {
		d.t.Fatal(err)
	}
	return svc
}

// tickAt moves the clock and ticks, returning the posts made.
func (d *digestEnv) tickAt(svc *Service, at time.Time) ([]bottest.Sent, error) {
	d.clock.Set(at)
	err := svc.Tick(context.Background())
	return append(d.slack.Take(), d.matrix.Take()...), err
}

func TestDigestOncePerPeriodAcrossRestarts(t *testing.T) {
	d := newDigestEnv(t, time.Friday, "16:00")
	loc := london(t)
	svc := d.service()
	// A shout-out during the week, so the digest has something to say.
	d.clock.Set(time.Date(2026, 3, 4, 12, 0, 0, 0, loc))
	if _, err := svc.Give(t.Context(), GiveRequest{Platform: "slack", Giver: bot.User{ID: "UALICE", Name: "Alice"},
		Recipients: []bot.User{{ID: "UBOB", Name: "Bob"}}, Reason: "the brilliant FOI guide", Category: "records"}); err != nil {
		t.Fatal(err)
	}
	fri := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, loc) }

	if out, _ := d.tickAt(svc, fri(6, 15, 59)); len(out) != 0 {
		t.Fatalf("posted before the due time: %+v", out)
	}
	out, err := d.tickAt(svc, fri(6, 16, 0))
	if err != nil || len(out) != 2 {
		t.Fatalf("at the due time: %d posts (%v), want 2", len(out), err)
	}
	for i, p := range out {
		if p.Target.RoomID != digestChannels[i].RoomID || p.Reply.Key != digestKey("2026-03-06", digestChannels[i]) {
			t.Errorf("post %d went to %q with key %q", i, p.Target.RoomID, p.Reply.Key)
		}
		if !strings.Contains(p.Reply.Text, "Shout-outs: 1, from 1 person to 1 person.") || !strings.Contains(p.Reply.Text, "Bob, from Alice: the brilliant FOI guide #records") {
			t.Errorf("digest text:\n%s", p.Reply.Text)
		}
	}
	if out, _ := d.tickAt(svc, fri(6, 16, 1)); len(out) != 0 {
		t.Errorf("posted twice in one period: %+v", out)
	}
	// Restart: a new service on the same database file.
	svc = d.service()
	for _, at := range []time.Time{fri(6, 16, 2), fri(7, 9, 0), fri(12, 23, 59)} {
		if out, _ := d.tickAt(svc, at); len(out) != 0 {
			t.Errorf("after restart, at %v: posted again: %+v", at, out)
		}
	}
	out, _ = d.tickAt(svc, fri(13, 16, 0))
	if len(out) != 2 || out[0].Reply.Key != digestKey("2026-03-13", digestChannels[0]) {
		t.Errorf("next week: %+v", out)
	}
	if !strings.Contains(out[0].Reply.Text, "No shout-outs this week") {
		t.Errorf("second week's digest counts last week's shout-out:\n%s", out[0].Reply.Text)
	}
}

func TestDigestRetriesAndLateness(t *testing.T) {
	loc := london(t)
	due := time.Date(2026, 3, 6, 16, 0, 0, 0, loc)

	t.Run("failed send is retried once, with the same key", func(t *testing.T) {
		d := newDigestEnv(t, time.Friday, "16:00")
		svc := d.service()
		d.slack.FailSends(1)
		out, err := d.tickAt(svc, due)
		if err == nil || len(out) != 1 || out[0].Target.RoomID != "!ann:example.org" {
			t.Fatalf("first tick: %+v, %v; want only the Matrix post and an error", out, err)
		}
		svc = d.service() // and a restart in between
		out, err = d.tickAt(svc, due.Add(time.Minute))
		if err != nil || len(out) != 1 || out[0].Target.RoomID != "CANNOUNCE" || out[0].Reply.Key != digestKey("2026-03-06", digestChannels[0]) {
			t.Fatalf("retry: %+v, %v", out, err)
		}
		if out, _ := d.tickAt(svc, due.Add(2*time.Minute)); len(out) != 0 {
			t.Errorf("posted again after the retry: %+v", out)
		}
	})

	t.Run("crash after posting, before recording", func(t *testing.T) {
		d := newDigestEnv(t, time.Friday, "16:00")
		svc := d.service()
		// The intent was recorded and the post may have gone out: a retry
		// must reuse the key so the platform can drop the repeat.
		if err := markDigestSending(t.Context(), svc.db.Write, "2026-03-06", digestChannels[1], due); err != nil {
			t.Fatal(err)
		}
		out, _ := d.tickAt(svc, due.Add(time.Hour))
		if len(out) != 2 || out[1].Reply.Key != digestKey("2026-03-06", digestChannels[1]) {
			t.Errorf("retry after crash: %+v", out)
		}
	})

	tests := []struct {
		name  string
		at    time.Time
		posts int
	}{
		{"down at the due time, back the next morning", due.Add(17 * time.Hour), 2},
		{"back within the grace period", due.Add(DigestGrace), 2},
		{"back too late: skipped", due.Add(DigestGrace + time.Minute), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDigestEnv(t, time.Friday, "16:00")
			// The bot ran the day before the due time, then was down.
			if out, _ := d.tickAt(d.service(), due.Add(-24*time.Hour)); len(out) != 0 {
				t.Fatalf("posted the day before: %+v", out)
			}
			svc := d.service()
			if out, _ := d.tickAt(svc, tc.at); len(out) != tc.posts {
				t.Errorf("%d posts, want %d", len(out), tc.posts)
			}
			if out, _ := d.tickAt(svc, tc.at.Add(time.Hour)); len(out) != 0 {
				t.Errorf("posted again an hour later: %d", len(out))
			}
		})
	}
}

// TestDigestFreshInstall checks that a bot started for the first time
// after the due time waits for the next one instead of posting an empty
// "weekly" digest into every announcement room at once.
func TestDigestFreshInstall(t *testing.T) {
	loc := london(t)
	due := time.Date(2026, 3, 6, 16, 0, 0, 0, loc)
	d := newDigestEnv(t, time.Friday, "16:00")
	svc := d.service()
	if out, _ := d.tickAt(svc, due.Add(36*time.Hour)); len(out) != 0 {
		t.Errorf("fresh install posted the period before it existed: %d posts", len(out))
	}
	// A restart does not make that period look merely missed.
	svc = d.service()
	if out, _ := d.tickAt(svc, due.Add(37*time.Hour)); len(out) != 0 {
		t.Errorf("after a restart: %d posts", len(out))
	}
	if out, _ := d.tickAt(svc, due.Add(7*24*time.Hour)); len(out) != 2 {
		t.Errorf("next due time: %d posts, want 2", len(out))
	}
	// Started within the minute after the due time counts as on time.
	d = newDigestEnv(t, time.Friday, "16:00")
	if out, _ := d.tickAt(d.service(), due.Add(30*time.Second)); len(out) != 2 {
		t.Errorf("started just after the due time: %d posts, want 2", len(out))
	}
}

// TestDigestLocalTimeAcrossDST checks the digest follows the wall clock in
// Europe/London: 16:00 is 16:00Z in winter and 15:00Z in summer.
func TestDigestLocalTimeAcrossDST(t *testing.T) {
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name          string
		before, after time.Time
		period        string
	}{
		{"last Friday of GMT", utc(3, 27, 15, 59), utc(3, 27, 16, 0), "2026-03-27"},
		{"first Friday of BST", utc(4, 3, 14, 59), utc(4, 3, 15, 0), "2026-04-03"},
		{"last Friday of BST", utc(10, 23, 14, 59), utc(10, 23, 15, 0), "2026-10-23"},
		{"first Friday of GMT again", utc(10, 30, 15, 59), utc(10, 30, 16, 0), "2026-10-30"},
	}
	d := newDigestEnv(t, time.Friday, "16:00")
	svc := d.service()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, _ := d.tickAt(svc, tc.before); len(out) != 0 {
				t.Errorf("posted a minute early, at %v", tc.before)
			}
			out, _ := d.tickAt(svc, tc.after)
			if len(out) != 2 || out[0].Reply.Key != digestKey(tc.period, digestChannels[0]) {
				t.Errorf("at %v: %d posts, want 2 for period %s", tc.after, len(out), tc.period)
			}
		})
	}

	// A digest at 01:30 on Sundays meets a missing hour (29 March) and a
	// doubled one (25 October); walking through either day in 10-minute
	// ticks must post exactly once.
	for _, day := range []time.Time{utc(3, 28, 12, 0), utc(10, 24, 12, 0)} {
		t.Run("01:30 Sunday from "+day.Format("2 Jan"), func(t *testing.T) {
			d := newDigestEnv(t, time.Sunday, "01:30")
			svc := d.service()
			posts := 0
			for at := day; at.Before(day.Add(48 * time.Hour)); at = at.Add(10 * time.Minute) {
				out, err := d.tickAt(svc, at)
				if err != nil {
					t.Fatal(err)
				}
				posts += len(out)
			}
			if posts != 2 {
				t.Errorf("%d posts over the weekend, want 2 (one per channel)", posts)
			}
		})
	}
}

func TestDigestSections(t *testing.T) {
	loc := london(t)
	since, until := time.Date(2026, 3, 6, 16, 0, 0, 0, loc), time.Date(2026, 3, 13, 16, 0, 0, 0, loc)
	tests := []struct {
		name    string
		docs    func(context.Context, time.Time) ([]string, error)
		meetups func(context.Context, time.Time) ([]string, error)
		want    []string
		not     []string
	}{
		{"both sections", func(_ context.Context, s time.Time) ([]string, error) {
			if !s.Equal(since) {
				return nil, errors.New("wrong since")
			}
			return []string{"Handing over a social media account"}, nil
		}, func(context.Context, time.Time) ([]string, error) {
			return []string{"Tartan TeaCamp, 16 June 18:00, Glasgow"}, nil
		}, []string{"New in the knowledge base:\n- Handing over a social media account", "Coming up:\n- Tartan TeaCamp, 16 June 18:00, Glasgow"}, nil},
		{"not wired", nil, nil, nil, []string{"knowledge base", "Coming up"}},
		{"empty lists are left out", func(context.Context, time.Time) ([]string, error) { return nil, nil },
			func(context.Context, time.Time) ([]string, error) { return []string{}, nil }, nil, []string{"knowledge base", "Coming up"}},
		{"a failing source is noted", func(context.Context, time.Time) ([]string, error) { return nil, errors.New("index locked") },
			nil, []string{"New in the knowledge base: not available this week."}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, func(o *Options) {
				if tc.docs != nil {
					o.Digest.Documents = docsFunc(tc.docs)
				}
				if tc.meetups != nil {
					o.Digest.Meetups = meetupsFunc(tc.meetups)
				}
				o.DailyQuota = 0
			})
			e.give(time.Date(2026, 3, 9, 9, 0, 0, 0, loc), "UALICE", "UBOB", "crisis")
			e.give(time.Date(2026, 3, 10, 9, 0, 0, 0, loc), "UCAROL", "UBOB", "crisis")
			e.give(time.Date(2026, 3, 11, 9, 0, 0, 0, loc), "UALICE", "UDAVE", "")
			e.give(time.Date(2026, 3, 14, 9, 0, 0, 0, loc), "UALICE", "UCAROL", "") // after the period
			text, err := e.svc.DigestText(t.Context(), since, until)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{"**Weekly digest** (Fri 6 Mar to Fri 13 Mar 2026)", "Shout-outs: 3, from 2 people to 2 people.",
				"Most appreciated: Bob (2), Dave (1)", "Categories: #crisis 2", "- Dave, from Alice: good work number 3"}, tc.want...)
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("digest lacks %q:\n%s", w, text)
				}
			}
			for _, n := range append([]string{"good work number 4"}, tc.not...) {
				if strings.Contains(text, n) {
					t.Errorf("digest has %q:\n%s", n, text)
				}
			}
		})
	}
}

// docsFunc and meetupsFunc let a test give the digest a plain function.
type docsFunc func(context.Context, time.Time) ([]string, error)

func (f docsFunc) DocumentsSince(ctx context.Context, since time.Time) ([]string, error) {
	return f(ctx, since)
}

type meetupsFunc func(context.Context, time.Time) ([]string, error)

func (f meetupsFunc) MeetupsBefore(ctx context.Context, until time.Time) ([]string, error) {
	return f(ctx, until)
}

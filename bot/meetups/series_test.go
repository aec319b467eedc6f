package meetups

import (
	"strings"
	"testing"
	"time"
)

// seriesDates lists the scheduled dates of one series still to come.
func seriesDates(e *env, seriesID int64) []string {
	e.t.Helper()
	ms, err := listMeetups(e.ctx, e.db.Read, e.clock.Now(), true)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.SeriesID == seriesID {
			out = append(out, m.StartsAt.In(e.loc).Format("2 Jan 15:04"))
		}
	}
	return out
}

// The QA report: two series at the same time, one date of the second
// cancelled without "series"; once the date passed only the first got its
// next date, because each console run (fed from a pipe) stopped before its
// scheduler pass finished. The shutdown hook now makes that pass itself.
func TestCancellingOneDateKeepsTheSeries(t *testing.T) {
	loc := london(t)
	cases := []struct {
		name string
		stop func(e *env)
	}{
		{"shutdown hook alone", func(e *env) {
			if err := e.svc.Flush(e.ctx); err != nil {
				e.t.Fatal(err)
			}
		}},
		{"a run whose input has already ended", func(e *env) {
			e.rec.End()
			if err := e.bot.Run(e.ctx); err != nil {
				e.t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, time.Date(2027, 1, 15, 23, 0, 0, 0, loc))
			e.say("alice", "!meetup add SeriesA on every Saturday at 00:46")
			e.say("alice", "!meetup add SeriesB on every Saturday at 00:46")
			out := e.say("alice", "!meetup cancel 2 one-off cancel")
			for _, want := range []string{"Only this date is cancelled", "every Saturday at 00:46", "meetup cancel 2 series"} {
				if !strings.Contains(out, want) {
					t.Fatalf("cancel reply %q lacks %q", out, want)
				}
			}
			e.clock.Set(time.Date(2027, 1, 16, 0, 47, 0, 0, loc))
			e.rec.Take()
			c.stop(e)
			for id, title := range map[int64]string{1: "SeriesA", 2: "SeriesB"} {
				if got := seriesDates(e, id); len(got) != 1 || got[0] != "23 Jan 00:46" {
					t.Errorf("%s: scheduled dates %v, want [23 Jan 00:46]", title, got)
				}
			}
			announced := strings.Join(e.rec.Texts(), "\n")
			if !strings.Contains(announced, "New meetup: SeriesB") {
				t.Errorf("SeriesB's next date was not announced; sent:\n%s", announced)
			}
		})
	}
}

func TestStoppingASeriesAfterCancellingOneDate(t *testing.T) {
	loc := london(t)
	e := newEnv(t, time.Date(2027, 1, 15, 23, 0, 0, 0, loc))
	e.say("alice", "!meetup add SeriesA on every Saturday at 00:46")
	e.say("alice", "!meetup cancel 1 snow")
	if out := e.say("alice", "!meetup cancel 1 series"); !strings.Contains(out, "won't repeat any more") {
		t.Fatalf("stopping the series of a cancelled date: %q", out)
	}
	if out := e.say("alice", "!meetup cancel 1"); !strings.Contains(out, "already cancelled") {
		t.Fatalf("cancelling a cancelled date again: %q", out)
	}
	e.clock.Set(time.Date(2027, 1, 16, 0, 47, 0, 0, loc))
	e.tick()
	if got := seriesDates(e, 1); len(got) != 0 {
		t.Fatalf("stopped series went on: %v", got)
	}
}

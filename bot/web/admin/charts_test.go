package admin

import (
	"strings"
	"testing"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/knowledge"
)

func TestChartGrid(t *testing.T) {
	for _, c := range []struct {
		values []float64
		max    float64
		want   string
	}{
		{[]float64{1, 0}, 0, "0 1"},
		{[]float64{3, 4}, 0, "0 1 2 3 4"},
		{[]float64{7, 2}, 0, "0 2 4 6 8"},
		{[]float64{130, 20}, 0, "0 50 100 150"},
		{[]float64{50, 100}, 100, "0% 25% 50% 75% 100%"},
	} {
		var ch chart
		unit := ""
		if c.max == 100 {
			unit = "%"
		}
		stackedBars(&ch, []string{"a", "b"}, []series{{Name: "n", Class: "s", Values: c.values}}, c.max, unit)
		var got []string
		for _, g := range ch.Grid {
			got = append(got, g.Text)
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("%v: grid %q, want %q", c.values, s, c.want)
		}
		// The tallest bar reaches the top line when the top is a grid value.
		if c.values[1] == 100 && ch.Bars[1].Y != ch.Grid[len(ch.Grid)-1].Y {
			t.Errorf("full bar top %v, grid top %v", ch.Bars[1].Y, ch.Grid[len(ch.Grid)-1].Y)
		}
	}
}

// Chart summaries read as English at one and at none.
func TestChartSummariesCountInEnglish(t *testing.T) {
	c := &Console{loc: time.UTC}
	for _, tc := range []struct{ got, want string }{
		{topicsChart([]knowledge.DocCount{{ID: "d", Title: "Purdah", Count: 1}}).Summary, "The most asked topic was Purdah (1 question)."},
		{c.meetupsChart([]meetups.Meetup{{Title: "Social", StartsAt: time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)}}).Summary, "1 meetup."},
		{c.meetupsChart([]meetups.Meetup{{Title: "Social", Going: 3}, {Title: "Clinic", Going: 1}}).Summary, "2 meetups; the best attended was Social (3 going)."},
	} {
		if tc.got != tc.want {
			t.Errorf("summary %q, want %q", tc.got, tc.want)
		}
	}
}

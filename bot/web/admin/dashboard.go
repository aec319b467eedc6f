package admin

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/bothy-chat/bothy/bot/meetups"
	"github.com/bothy-chat/bothy/bot/shoutouts"
	"github.com/bothy-chat/bothy/knowledge"
)

// The dashboard: what the community asks and how it is answered, its
// meetups and its shout-outs, at a glance.

const (
	dashWeeks  = 12
	dashMonths = 12
	topTopics  = 10
	maxMeetups = 12
	maxCats    = 5
)

type dashData struct {
	Charts []chart
	// Missing names features that are not set up.
	Missing []string
	Counts  []count
}

type count struct {
	N     int
	Label string
	Link  string
}

// weekStart is the Monday 00:00 (community time) of t's week.
func (c *Console) weekStart(t time.Time) time.Time {
	l := t.In(c.loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, c.loc)
	off := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -off)
}

// weeks returns the starts of the last n weeks, oldest first.
func (c *Console) weeks(n int) []time.Time {
	cur := c.weekStart(c.now())
	out := make([]time.Time, n)
	for i := range out {
		out[i] = cur.AddDate(0, 0, -7*(n-1-i))
	}
	return out
}

// weekIndex finds which of weeks a UTC day ("2006-01-02") falls in.
func (c *Console) weekIndex(weeks []time.Time, day string) int {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return -1
	}
	ws := c.weekStart(t.Add(12 * time.Hour))
	for i, w := range weeks {
		if w.Equal(ws) {
			return i
		}
	}
	return -1
}

func weekLabel(t time.Time) string { return t.Format("2 Jan") }

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) {
	var d dashData
	ctx := r.Context()
	if k := c.opts.Knowledge; k != nil {
		weeks := c.weeks(dashWeeks)
		since := weeks[0].Add(-24 * time.Hour)
		days, err := k.QuestionsByDay(ctx, since)
		if err != nil {
			c.fail(w, r, "counting questions", err)
			return
		}
		fb, err := k.FeedbackByDay(ctx, since)
		if err != nil {
			c.fail(w, r, "counting feedback", err)
			return
		}
		top, err := k.TopDocuments(ctx, weeks[0], topTopics)
		if err != nil {
			c.fail(w, r, "counting topics", err)
			return
		}
		d.Charts = append(d.Charts, c.questionsChart(weeks, days), c.helpfulChart(weeks, fb), topicsChart(top))
		gaps, err := k.Gaps(ctx, gapWindow)
		if err != nil {
			c.fail(w, r, "counting gaps", err)
			return
		}
		n := len(groupGaps(gaps))
		d.Counts = append(d.Counts, count{n, pick(n, "unanswered question", "unanswered questions") + " to look at", "/admin/gaps"})
		if reviews, err := openReviews(ctx, c.db); err == nil {
			d.Counts = append(d.Counts, count{len(reviews), pick(len(reviews), "section", "sections") + " flagged for review", "/admin/docs"})
		}
	} else {
		d.Missing = append(d.Missing, "the knowledge base")
	}
	if m := c.opts.Meetups; m != nil {
		ms, err := m.Since(ctx, c.now().AddDate(-1, 0, 0))
		if err != nil {
			c.fail(w, r, "listing meetups", err)
			return
		}
		d.Charts = append(d.Charts, c.meetupsChart(ms))
	} else {
		d.Missing = append(d.Missing, "meetups")
	}
	if s := c.opts.Shoutouts; s != nil {
		months := c.months(dashMonths)
		list, err := s.Since(ctx, months[0])
		if err != nil {
			c.fail(w, r, "listing shout-outs", err)
			return
		}
		d.Charts = append(d.Charts, c.shoutoutsChart(months, list))
	} else {
		d.Missing = append(d.Missing, "shout-outs")
	}
	c.render(w, r, "dashboard.html", http.StatusOK, "Dashboard", d)
}

func (c *Console) questionsChart(weeks []time.Time, days []knowledge.DayCount) chart {
	ans := make([]float64, len(weeks))
	not := make([]float64, len(weeks))
	for _, d := range days {
		if i := c.weekIndex(weeks, d.Day); i >= 0 {
			ans[i] += float64(d.Answered)
			not[i] += float64(d.Unanswered)
		}
	}
	ch := chart{ID: "questions", Title: "Questions per week"}
	labels := make([]string, len(weeks))
	total, totalAns := 0.0, 0.0
	ch.Table = table{Caption: "Questions per week, answered and not answered", Head: []string{"Week starting", "Answered", "Not answered", "Total"}}
	for i, wk := range weeks {
		labels[i] = weekLabel(wk)
		total += ans[i] + not[i]
		totalAns += ans[i]
		ch.Table.Rows = append(ch.Table.Rows, []string{wk.Format("2 Jan 2006"), fmtNum(ans[i]), fmtNum(not[i]), fmtNum(ans[i] + not[i])})
	}
	stackedBars(&ch, labels, []series{{Name: "answered", Class: "s-answered", Values: ans}, {Name: "not answered", Class: "s-unanswered", Values: not}}, 0, "")
	ch.Summary = fmt.Sprintf("%s questions in the last %d weeks, %s answered.", fmtNum(total), len(weeks), fmtNum(totalAns))
	return ch
}

func (c *Console) helpfulChart(weeks []time.Time, days []knowledge.FeedbackDay) chart {
	yes := make([]float64, len(weeks))
	no := make([]float64, len(weeks))
	for _, d := range days {
		if i := c.weekIndex(weeks, d.Day); i >= 0 {
			yes[i] += float64(d.Helpful)
			no[i] += float64(d.Unhelpful)
		}
	}
	ch := chart{ID: "helpful", Title: "Helpful answers per week"}
	ratio := make([]float64, len(weeks))
	labels := make([]string, len(weeks))
	ch.Table = table{Caption: "Ratings per week and the share rated helpful", Head: []string{"Week starting", "Helpful", "Not helpful", "Helpful share"}}
	sumYes, sumAll := 0.0, 0.0
	for i, wk := range weeks {
		labels[i] = weekLabel(wk)
		share := "no ratings"
		if n := yes[i] + no[i]; n > 0 {
			ratio[i] = math.Round(100 * yes[i] / n)
			share = fmtNum(ratio[i]) + "%"
		}
		sumYes += yes[i]
		sumAll += yes[i] + no[i]
		ch.Table.Rows = append(ch.Table.Rows, []string{wk.Format("2 Jan 2006"), fmtNum(yes[i]), fmtNum(no[i]), share})
	}
	stackedBars(&ch, labels, []series{{Name: "rated helpful", Class: "s-helpful", Values: ratio}}, 100, "%")
	ch.Empty = sumAll == 0
	ch.Summary = "No answers were rated in the last 12 weeks."
	if sumAll > 0 {
		ch.Summary = fmt.Sprintf("%s of %s ratings in the last %d weeks said helpful (%s%%).", fmtNum(sumYes), fmtNum(sumAll), len(weeks), fmtNum(math.Round(100*sumYes/sumAll)))
	}
	return ch
}

func topicsChart(top []knowledge.DocCount) chart {
	ch := chart{ID: "topics", Title: "Most asked topics"}
	ch.Table = table{Caption: "The documents that answered the most questions in the last 12 weeks", Head: []string{"Document", "Questions answered from it"}}
	labels := make([]string, len(top))
	values := make([]float64, len(top))
	for i, t := range top {
		labels[i], values[i] = t.Title, float64(t.Count)
		ch.Table.Rows = append(ch.Table.Rows, []string{t.Title, strconv.Itoa(t.Count)})
	}
	horizontalBars(&ch, labels, values, "s-topic")
	ch.Summary = "No questions were answered in the last 12 weeks."
	if len(top) > 0 {
		ch.Summary = fmt.Sprintf("The most asked topic was %s (%s).", top[0].Title, plural(top[0].Count, "question", "questions"))
	}
	return ch
}

func (c *Console) meetupsChart(ms []meetups.Meetup) chart {
	if len(ms) > maxMeetups {
		ms = ms[len(ms)-maxMeetups:]
	}
	ch := chart{ID: "meetups", Title: "Meetups and RSVPs"}
	ch.Table = table{Caption: "Meetups in the last year and those planned, with RSVPs", Head: []string{"Date", "Meetup", "Going", "Maybe", "Waitlist", "Status"}}
	labels := make([]string, len(ms))
	going := make([]float64, len(ms))
	maybe := make([]float64, len(ms))
	for i, m := range ms {
		labels[i] = m.StartsAt.In(c.loc).Format("2 Jan")
		if m.Status != "cancelled" {
			going[i], maybe[i] = float64(m.Going), float64(m.Maybe)
		}
		ch.Table.Rows = append(ch.Table.Rows, []string{m.StartsAt.In(c.loc).Format("2 Jan 2006"), m.Title,
			strconv.Itoa(m.Going), strconv.Itoa(m.Maybe), strconv.Itoa(m.Waitlist), m.Status})
	}
	stackedBars(&ch, labels, []series{{Name: "going", Class: "s-going", Values: going}, {Name: "maybe", Class: "s-maybe", Values: maybe}}, 0, "")
	ch.Summary = "No meetups in the last year or planned."
	if len(ms) > 0 {
		best := 0
		for i := range ms {
			if going[i] > going[best] {
				best = i
			}
		}
		ch.Summary = plural(len(ms), "meetup", "meetups") + "."
		if ms[best].Going > 0 {
			ch.Summary = fmt.Sprintf("%s; the best attended was %s (%d going).", plural(len(ms), "meetup", "meetups"), ms[best].Title, ms[best].Going)
		}
	}
	return ch
}

// months returns the first days of the last n months, oldest first.
func (c *Console) months(n int) []time.Time {
	l := c.now().In(c.loc)
	cur := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, c.loc)
	out := make([]time.Time, n)
	for i := range out {
		out[i] = cur.AddDate(0, -(n - 1 - i), 0)
	}
	return out
}

func (c *Console) shoutoutsChart(months []time.Time, list []shoutouts.Shoutout) chart {
	perCat := map[string][]float64{}
	totals := map[string]float64{}
	for _, s := range list {
		if s.Retracted() {
			continue
		}
		t := s.CreatedAt.In(c.loc)
		i := (t.Year()-months[0].Year())*12 + int(t.Month()) - int(months[0].Month())
		if i < 0 || i >= len(months) {
			continue
		}
		cat := s.Category
		if cat == "" {
			cat = "no category"
		}
		if perCat[cat] == nil {
			perCat[cat] = make([]float64, len(months))
		}
		perCat[cat][i]++
		totals[cat]++
	}
	cats := make([]string, 0, len(perCat))
	for k := range perCat {
		cats = append(cats, k)
	}
	sort.Slice(cats, func(i, j int) bool {
		if totals[cats[i]] != totals[cats[j]] {
			return totals[cats[i]] > totals[cats[j]]
		}
		return cats[i] < cats[j]
	})
	if len(cats) > maxCats {
		other := make([]float64, len(months))
		for _, k := range cats[maxCats-1:] {
			for i, v := range perCat[k] {
				other[i] += v
			}
		}
		cats = append(cats[:maxCats-1], "other categories")
		perCat["other categories"] = other
	}
	ch := chart{ID: "shoutouts", Title: "Shout-outs per month by category"}
	head := append([]string{"Month"}, cats...)
	ch.Table = table{Caption: "Shout-outs given each month, by category", Head: append(head, "Total")}
	labels := make([]string, len(months))
	var ss []series
	for k, cat := range cats {
		ss = append(ss, series{Name: cat, Class: "s-cat" + strconv.Itoa(k+1), Values: perCat[cat]})
	}
	all := 0.0
	for i, m := range months {
		labels[i] = m.Format("Jan")
		row := []string{m.Format("January 2006")}
		sum := 0.0
		for _, cat := range cats {
			row = append(row, fmtNum(perCat[cat][i]))
			sum += perCat[cat][i]
		}
		all += sum
		ch.Table.Rows = append(ch.Table.Rows, append(row, fmtNum(sum)))
	}
	stackedBars(&ch, labels, ss, 0, "")
	ch.Summary = fmt.Sprintf("%s %s in the last %d months.", fmtNum(all), pick(int(all), "shout-out", "shout-outs"), len(months))
	return ch
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

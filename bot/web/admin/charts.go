package admin

import (
	"fmt"
	"math"
	"strconv"
)

// Charts are inline SVG drawn by the templates from the shapes worked out
// here: no script, no external asset. Every chart also has its numbers in
// a table beside it, which is what a screen reader reads.

type rect struct {
	X, Y, W, H float64
	Class      string
	// Tip is the bar's own title (a tooltip, and its name for assistive
	// technology that reads inside the picture).
	Tip string
}

type label struct {
	X, Y   float64
	Text   string
	Anchor string
}

type legendItem struct {
	Class, Name string
}

type table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

type chart struct {
	ID      string
	Title   string
	Summary string
	W, H    int
	Bars    []rect
	Labels  []label
	Grid    []label // horizontal lines at Y, with the value as Text
	Legend  []legendItem
	Table   table
	Empty   bool
	// Left is where the plot starts (grid lines run from here).
	Left, Right float64
}

type series struct {
	Name, Class string
	Values      []float64
}

const (
	chartW   = 640
	chartH   = 260
	padLeft  = 44
	padRight = 8
	padTop   = 12
	padBot   = 36
)

// niceStep is the grid step for counts up to top: 1, 2 or 5 times a power
// of ten, whole numbers only, at most five steps to the top.
func niceStep(top float64) float64 {
	if top <= 4 {
		return 1
	}
	raw := top / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return math.Max(1, m*p)
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// stackedBars draws one column per label with the series stacked.
// maxValue fixes the scale (0 means from the data); unit follows values
// in tooltips ("%", or "").
func stackedBars(c *chart, labels []string, ss []series, maxValue float64, unit string) {
	c.W, c.H, c.Left, c.Right = chartW, chartH, padLeft, chartW-padRight
	top := 0.0
	for i := range labels {
		sum := 0.0
		for _, s := range ss {
			sum += s.Values[i]
		}
		top = math.Max(top, sum)
	}
	c.Empty = top == 0
	step := maxValue / 4
	if maxValue <= 0 {
		step = niceStep(top)
		maxValue = math.Max(step, math.Ceil(top/step)*step)
	}
	plotH := float64(chartH - padTop - padBot)
	plotW := float64(chartW - padLeft - padRight)
	for v := 0.0; v <= maxValue+step/2; v += step {
		y := padTop + plotH - plotH*v/maxValue
		c.Grid = append(c.Grid, label{X: padLeft - 6, Y: round1(y), Text: fmtNum(v) + unit, Anchor: "end"})
	}
	n := len(labels)
	if n == 0 {
		return
	}
	slot := plotW / float64(n)
	bw := math.Min(slot*0.7, 48)
	every := 1
	for n/every > 8 {
		every++
	}
	for i, l := range labels {
		x := padLeft + slot*float64(i) + (slot-bw)/2
		y := padTop + plotH
		for _, s := range ss {
			v := s.Values[i]
			if v <= 0 {
				continue
			}
			h := plotH * v / maxValue
			y -= h
			c.Bars = append(c.Bars, rect{X: round1(x), Y: round1(y), W: round1(bw), H: round1(h), Class: s.Class,
				Tip: fmt.Sprintf("%s: %s%s %s", l, fmtNum(v), unit, s.Name)})
		}
		if i%every == 0 || i == n-1 && n <= 8 {
			c.Labels = append(c.Labels, label{X: round1(x + bw/2), Y: float64(chartH - padBot + 18), Text: l, Anchor: "middle"})
		}
	}
	for _, s := range ss {
		if s.Name != "" {
			c.Legend = append(c.Legend, legendItem{Class: s.Class, Name: s.Name})
		}
	}
}

// rowH is the height of one row of a horizontal bar chart.
const rowH = 38

// horizontalBars draws one labelled bar per row, longest first as given.
func horizontalBars(c *chart, labels []string, values []float64, class string) {
	c.W = chartW
	c.H = max(len(labels)*rowH+8, 40)
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	c.Empty = top == 0
	if c.Empty {
		return
	}
	plotW := float64(chartW - padRight - 48)
	for i, l := range labels {
		y := float64(i*rowH) + 4
		w := plotW * values[i] / top
		c.Labels = append(c.Labels, label{X: 0, Y: y + 13, Text: l, Anchor: "start"})
		c.Bars = append(c.Bars, rect{X: 0, Y: round1(y + 18), W: round1(math.Max(w, 2)), H: 14, Class: class,
			Tip: fmt.Sprintf("%s: %s", l, fmtNum(values[i]))})
		c.Labels = append(c.Labels, label{X: round1(math.Max(w, 2) + 6), Y: y + 30, Text: fmtNum(values[i]), Anchor: "start"})
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

package chart

import (
	"fmt"
	"html/template"
	"strings"
)

// Line is a line chart over time with an optional target line: the reservation curve
// against the live's target.
type Line struct {
	Title  string
	Labels []string // one per point (e.g. "20:05")
	Series []Series // up to six, each with len(Labels) values
	// Target > 0 draws a dashed horizontal line labelled TargetLabel.
	Target      int64
	TargetLabel string
	Format      Format
	Empty       string // shown when there is nothing to draw
	Size        Size
}

// Render draws the chart.
func (c Line) Render() (template.HTML, error) {
	if len(c.Series) > maxSeries {
		return "", fmt.Errorf("chart: %d series, at most %d", len(c.Series), maxSeries)
	}
	if len(c.Labels) > maxPoints {
		return "", fmt.Errorf("chart: %d points, at most %d", len(c.Labels), maxPoints)
	}
	for _, sr := range c.Series {
		if len(sr.Values) != len(c.Labels) {
			return "", fmt.Errorf("chart: series %q has %d values for %d labels", sr.Name, len(sr.Values), len(c.Labels))
		}
	}
	format := orCount(c.Format)
	var desc []string
	hi := max(c.Target, 0)
	for _, sr := range c.Series {
		hi = max(hi, maxOf(sr.Values))
		if n := len(sr.Values); n > 0 {
			desc = append(desc, sr.Name+": "+format(sr.Values[n-1]))
		}
	}
	if c.Target > 0 {
		desc = append(desc, c.TargetLabel+": "+format(c.Target))
	}
	s := newSVG(c.Size, c.Title, strings.Join(desc, "; "))
	if len(c.Labels) == 0 || len(c.Series) == 0 {
		return s.empty(c.Empty), nil
	}
	top, step := niceTop(hi)
	y := s.yAxis(top, step, format)
	plotW := float64(s.size.Width - marginLeft - marginRight)
	n := len(c.Labels)
	x := func(i int) float64 {
		if n == 1 {
			return float64(marginLeft) + plotW/2
		}
		return float64(marginLeft) + plotW*float64(i)/float64(n-1)
	}
	s.xLabels(c.Labels, x)
	if c.Target > 0 {
		ty := px(y(c.Target))
		fmt.Fprintf(&s.b, `<path class="target" d="M%d %sH%d"/>`, marginLeft, ty, s.size.Width-marginRight)
		fmt.Fprintf(&s.b, `<text class="target-label" x="%d" y="%s" text-anchor="end">%s %s</text>`,
			s.size.Width-marginRight, px(y(c.Target)-4), esc(c.TargetLabel), esc(format(c.Target)))
	}
	for k, sr := range c.Series {
		var d strings.Builder
		for i, v := range sr.Values {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			d.WriteString(cmd + px(x(i)) + " " + px(y(v)))
		}
		fmt.Fprintf(&s.b, `<path class="line s%d" d="%s"><title>%s</title></path>`, k, d.String(), esc(sr.Name))
		if n == 1 {
			fmt.Fprintf(&s.b, `<circle class="s%d" cx="%s" cy="%s" r="3"/>`, k, px(x(0)), px(y(sr.Values[0])))
		}
	}
	s.legend(c.Series)
	return s.done(), nil
}

func (s *svg) legend(series []Series) {
	if len(series) < 2 {
		return
	}
	s.b.WriteString(`<g class="legend">`)
	x := s.size.Width - marginRight - 120*len(series)
	for k, sr := range series {
		fmt.Fprintf(&s.b, `<rect class="s%d" x="%d" y="8" width="10" height="10"/><text x="%d" y="17">%s</text>`,
			k, x+120*k, x+120*k+14, esc(sr.Name))
	}
	s.b.WriteString(`</g>`)
}

// Bars is a vertical bar chart over time; the first Highlight bars stand out (the first 20
// minutes of private inflow).
type Bars struct {
	Title     string
	Labels    []string
	Values    []int64
	Highlight int
	Format    Format
	Empty     string
	Size      Size
}

// Render draws the chart.
func (c Bars) Render() (template.HTML, error) {
	if len(c.Values) != len(c.Labels) {
		return "", fmt.Errorf("chart: %d values for %d labels", len(c.Values), len(c.Labels))
	}
	if len(c.Values) > maxPoints {
		return "", fmt.Errorf("chart: %d bars, at most %d", len(c.Values), maxPoints)
	}
	format := orCount(c.Format)
	var total int64
	for _, v := range c.Values {
		total += max(v, 0)
	}
	s := newSVG(c.Size, c.Title, fmt.Sprintf("%d × %s", len(c.Values), format(total)))
	if len(c.Values) == 0 {
		return s.empty(c.Empty), nil
	}
	top, step := niceTop(maxOf(c.Values))
	y := s.yAxis(top, step, format)
	plotW := float64(s.size.Width - marginLeft - marginRight)
	slot := plotW / float64(len(c.Values))
	barW := max(slot*0.8, 1)
	x := func(i int) float64 { return float64(marginLeft) + slot*float64(i) + slot/2 }
	if c.Highlight > 0 {
		hw := slot * float64(min(c.Highlight, len(c.Values)))
		fmt.Fprintf(&s.b, `<rect class="band" x="%d" y="%d" width="%s" height="%d"/>`, marginLeft, marginTop, px(hw),
			s.size.Height-marginTop-marginBottom)
	}
	base := y(0)
	for i, v := range c.Values {
		cls := "bar s0"
		if i < c.Highlight {
			cls = "bar s0 hl"
		}
		top := y(v)
		fmt.Fprintf(&s.b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s"><title>%s: %s</title></rect>`,
			cls, px(x(i)-barW/2), px(top), px(barW), px(base-top), esc(c.Labels[i]), esc(format(v)))
	}
	s.xLabels(c.Labels, x)
	return s.done(), nil
}

// Split is a horizontal bar chart of parts of a whole, each with its value and share:
// reservations by channel, GMV by product type.
type Split struct {
	Title  string
	Items  []Item
	Format Format
	Empty  string
	Width  int // 0 → 720; the height follows the number of items
}

// Render draws the chart.
func (c Split) Render() (template.HTML, error) {
	if len(c.Items) > 50 {
		return "", fmt.Errorf("chart: %d items, at most 50", len(c.Items))
	}
	format := orCount(c.Format)
	var total, hi int64
	desc := make([]string, 0, len(c.Items))
	for _, it := range c.Items {
		total += max(it.Value, 0)
		hi = max(hi, it.Value)
	}
	for _, it := range c.Items {
		desc = append(desc, fmt.Sprintf("%s: %s (%s)", it.Label, format(it.Value), Percent(ShareBasisPoints(it.Value, total))))
	}
	const rowH, labelW, valueW = 28, 140, 170
	size := Size{Width: c.Width, Height: marginTop + rowH*max(len(c.Items), 1) + 8}
	s := newSVG(size, c.Title, strings.Join(desc, "; "))
	if len(c.Items) == 0 || total == 0 {
		return s.empty(c.Empty), nil
	}
	plotW := float64(s.size.Width - marginRight - labelW - valueW)
	for i, it := range c.Items {
		yy := marginTop + rowH*i
		w := 0.0
		if hi > 0 && it.Value > 0 {
			w = plotW * float64(it.Value) / float64(hi)
		}
		bp := ShareBasisPoints(it.Value, total)
		fmt.Fprintf(&s.b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, yy+17, esc(it.Label))
		fmt.Fprintf(&s.b, `<rect class="bar s%d" x="%d" y="%d" width="%s" height="%d"><title>%s: %s</title></rect>`,
			i%maxSeries, labelW, yy+4, px(max(w, 1)), rowH-8, esc(it.Label), esc(format(it.Value)))
		fmt.Fprintf(&s.b, `<text class="value" x="%s" y="%d">%s · %s</text>`, px(float64(labelW)+max(w, 1)+6), yy+17,
			esc(format(it.Value)), Percent(bp))
	}
	return s.done(), nil
}

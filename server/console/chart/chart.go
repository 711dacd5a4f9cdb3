// Package chart draws the console's charts as inline SVG from int64 series: a line chart
// against a target (reservations vs target), vertical bars over time with a highlighted
// window (private inflow per minute, first 20 minutes), and horizontal bars with shares
// (reservations by channel, GMV by product type).
//
// The output is plain SVG markup with no style attributes and no script: colours and fonts
// come from classes in the console's stylesheet (.chart, .s0–.s5, .bar, .hl, .target), so the
// console's Content-Security-Policy needs no 'unsafe-inline'. Every chart carries a <title>
// and a <desc> with its numbers for screen readers. Numbers shown are formatted from the
// int64 values by the caller's Format (fen → yuan for money); floats are used only for pixel
// positions, never for a number anyone reads.
package chart

import (
	"fmt"
	"html/template"
	"math/bits"
	"strconv"
	"strings"
)

// Format turns a value into the text a chart shows (Count when nil).
type Format func(int64) string

// Count shows a whole number with thousands separators.
func Count(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// Series is one named line.
type Series struct {
	Name   string
	Values []int64
}

// Item is one labelled value of a bar chart.
type Item struct {
	Label string
	Value int64
}

// Size is a chart's drawing size in SVG units (it scales with the page: width 100%).
type Size struct{ Width, Height int }

const (
	defaultWidth  = 720
	defaultHeight = 260
	maxSeries     = 6 // classes .s0–.s5
	maxPoints     = 2000
	// Plot margins: left for the y labels, bottom for the x labels, top for the title.
	marginLeft, marginRight, marginTop, marginBottom = 64, 16, 32, 28
)

func (s Size) orDefault() Size {
	if s.Width <= 0 {
		s.Width = defaultWidth
	}
	if s.Height <= 0 {
		s.Height = defaultHeight
	}
	return s
}

// svg builds one chart's markup.
type svg struct {
	b    strings.Builder
	size Size
}

func newSVG(size Size, title, desc string) *svg {
	s := &svg{size: size.orDefault()}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img">`,
		s.size.Width, s.size.Height, s.size.Width, s.size.Height)
	fmt.Fprintf(&s.b, `<title>%s</title><desc>%s</desc>`, esc(title), esc(desc))
	fmt.Fprintf(&s.b, `<text class="title" x="%d" y="18">%s</text>`, marginLeft, esc(title))
	return s
}

func (s *svg) done() template.HTML {
	s.b.WriteString(`</svg>`)
	// Every text went through esc and every number through strconv: the markup is safe.
	return template.HTML(s.b.String()) // #nosec G203 -- built from escaped parts only
}

func (s *svg) empty(msg string) template.HTML {
	fmt.Fprintf(&s.b, `<text class="empty" x="%d" y="%d">%s</text>`, s.size.Width/2-40, s.size.Height/2, esc(msg))
	return s.done()
}

// esc escapes text for SVG content and attribute values.
func esc(s string) string { return template.HTMLEscapeString(s) }

// px formats a coordinate with one decimal.
func px(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// niceTop is the smallest 1/2/2.5/5×10^k step times 4 at or above max (4 grid lines), so axis
// labels are round numbers.
func niceTop(max int64) (top, step int64) {
	if max <= 0 {
		return 4, 1
	}
	raw := (max + 3) / 4
	for mag := int64(1); ; mag *= 10 {
		for _, st := range []int64{mag, 2 * mag, 25 * mag / 10, 5 * mag} {
			if st >= raw && st > 0 {
				return 4 * st, st
			}
		}
		if mag > (1<<62)/10 {
			return max, (max + 3) / 4
		}
	}
}

// ShareBasisPoints is part/total in basis points (0 when total ≤ 0), rounded down, with a
// 128-bit product so large fen totals cannot overflow.
func ShareBasisPoints(part, total int64) int64 {
	if total <= 0 || part <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(part), 10_000)
	if part >= total {
		return 10_000 // a part cannot be more than the whole: cap at 100%
	}
	q, _ := bits.Div64(hi, lo, uint64(total))
	return int64(q)
}

// Percent shows basis points as a percentage with one decimal ("73.6%").
func Percent(bp int64) string {
	return strconv.FormatInt(bp/100, 10) + "." + strconv.FormatInt(bp%100/10, 10) + "%"
}

func maxOf(vs []int64) int64 {
	var m int64
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}

// yAxis draws the grid lines and their labels, answering the plot's scale.
func (s *svg) yAxis(top, step int64, format Format) (y func(int64) float64) {
	plotTop, plotBottom := float64(marginTop), float64(s.size.Height-marginBottom)
	y = func(v int64) float64 {
		v = min(max(v, 0), top)
		return plotBottom - (plotBottom-plotTop)*float64(v)/float64(top)
	}
	for v := int64(0); v <= top; v += step {
		yy := px(y(v))
		fmt.Fprintf(&s.b, `<line class="tick" x1="%d" y1="%s" x2="%d" y2="%s"/>`, marginLeft, yy, s.size.Width-marginRight, yy)
		fmt.Fprintf(&s.b, `<text class="ylabel" x="%d" y="%s" text-anchor="end">%s</text>`, marginLeft-6, px(y(v)+4), esc(format(v)))
	}
	return y
}

// xLabels writes at most about eight evenly spread labels under the plot.
func (s *svg) xLabels(labels []string, x func(i int) float64) {
	n := len(labels)
	if n == 0 {
		return
	}
	every := max(1, (n+7)/8)
	for i := 0; i < n; i += every {
		fmt.Fprintf(&s.b, `<text class="xlabel" x="%s" y="%d" text-anchor="middle">%s</text>`, px(x(i)), s.size.Height-8, esc(labels[i]))
	}
}

func orCount(f Format) Format {
	if f == nil {
		return Count
	}
	return f
}

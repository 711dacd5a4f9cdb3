package chart

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// element is one parsed SVG element.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parse checks that out is well-formed XML with an <svg> root and returns its elements in
// document order.
func parse(t *testing.T, out template.HTML) []element {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	var els []element
	var stack []int
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, out)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := element{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			els = append(els, e)
			stack = append(stack, len(els)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				els[stack[len(stack)-1]].text += string(tk)
			}
		}
	}
	if len(els) == 0 || els[0].name != "svg" || els[0].attrs["role"] != "img" {
		t.Fatalf("root is not <svg role=img>: %s", out)
	}
	return els
}

func byClass(els []element, name, class string) []element {
	var out []element
	for _, e := range els {
		if e.name == name && (class == "" || strings.Contains(" "+e.attrs["class"]+" ", " "+class+" ")) {
			out = append(out, e)
		}
	}
	return out
}

// CSP-safe: no inline style, no script, no event handlers, no external references.
func assertInert(t *testing.T, out template.HTML) {
	t.Helper()
	s := string(out)
	for _, bad := range []string{"style=", "<script", "onload", "onclick", "href=", "<style", "javascript:"} {
		if strings.Contains(strings.ToLower(s), bad) {
			t.Fatalf("chart holds %q:\n%s", bad, s)
		}
	}
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

func yuan(fen int64) string {
	return "¥" + strconv.FormatInt(fen/100, 10) + "." + strconv.FormatInt(fen%100/10, 10) + strconv.FormatInt(fen%10, 10)
}

func TestLineReservationsAgainstTarget(t *testing.T) {
	out, err := Line{Title: "预约 vs 目标", Labels: []string{"d-3", "d-2", "d-1", "d0"},
		Series: []Series{{Name: "预约", Values: []int64{10, 120, 260, 410}}}, Target: 500, TargetLabel: "目标"}.Render()
	if err != nil {
		t.Fatal(err)
	}
	assertInert(t, out)
	els := parse(t, out)
	if got := els[1]; got.name != "title" || got.text != "预约 vs 目标" {
		t.Fatalf("first child %+v", got)
	}
	if d := byClass(els, "desc", ""); len(d) != 1 || d[0].text != "预约: 410; 目标: 500" {
		t.Fatalf("desc %+v", d)
	}
	lines := byClass(els, "path", "line")
	if len(lines) != 1 || !strings.HasPrefix(lines[0].attrs["d"], "M") || strings.Count(lines[0].attrs["d"], "L") != 3 {
		t.Fatalf("line paths %+v", lines)
	}
	target := byClass(els, "path", "target")
	if len(target) != 1 {
		t.Fatalf("target line %+v", target)
	}
	// 410 < 500: the curve's last point sits below (greater y) the target line.
	pts := strings.FieldsFunc(lines[0].attrs["d"], func(r rune) bool { return r == 'M' || r == 'L' || r == ' ' })
	lastY := num(t, pts[len(pts)-1])
	var x0, x1 int
	var ty float64
	if _, err := fmt.Sscanf(target[0].attrs["d"], "M%d %fH%d", &x0, &ty, &x1); err != nil {
		t.Fatalf("target path %q: %v", target[0].attrs["d"], err)
	}
	if lastY <= ty {
		t.Fatalf("last point y %v not below target y %v", lastY, ty)
	}
	// Round axis labels: 0, 200, 400, 600, 800 for a maximum of 500.
	var ys []string
	for _, e := range byClass(els, "text", "ylabel") {
		ys = append(ys, e.text)
	}
	if strings.Join(ys, ",") != "0,200,400,600,800" {
		t.Fatalf("y labels %v", ys)
	}
}

func TestLineRefusesMismatchedSeries(t *testing.T) {
	if _, err := (Line{Labels: []string{"a", "b"}, Series: []Series{{Name: "x", Values: []int64{1}}}}).Render(); err == nil {
		t.Fatal("want an error for 1 value on 2 labels")
	}
	if _, err := (Line{Series: make([]Series, 7)}).Render(); err == nil {
		t.Fatal("want an error for 7 series")
	}
}

func TestBarsInflowHighlightsFirstMinutes(t *testing.T) {
	labels := make([]string, 30)
	values := make([]int64, 30)
	for i := range labels {
		labels[i] = strconv.Itoa(i)
		values[i] = int64(30 - i)
	}
	out, err := Bars{Title: "Inflow per minute", Labels: labels, Values: values, Highlight: 20}.Render()
	if err != nil {
		t.Fatal(err)
	}
	assertInert(t, out)
	els := parse(t, out)
	bars := byClass(els, "rect", "bar")
	if len(bars) != 30 || len(byClass(els, "rect", "hl")) != 20 || len(byClass(els, "rect", "band")) != 1 {
		t.Fatalf("%d bars, %d highlighted", len(bars), len(byClass(els, "rect", "hl")))
	}
	// Taller bar for a bigger value, equal baselines.
	h0, h1 := num(t, bars[0].attrs["height"]), num(t, bars[29].attrs["height"])
	if h0 <= h1 {
		t.Fatalf("bar heights %v (30) vs %v (1)", h0, h1)
	}
	base0 := num(t, bars[0].attrs["y"]) + h0
	base1 := num(t, bars[29].attrs["y"]) + h1
	if math.Abs(base0-base1) > 0.11 {
		t.Fatalf("baselines differ: %v vs %v", base0, base1)
	}
	if got := byClass(els, "title", ""); got[1].text != "0: 30" {
		t.Fatalf("first bar title %q", got[1].text)
	}
	// At most about eight x labels, however many minutes.
	if n := len(byClass(els, "text", "xlabel")); n > 8 || n < 4 {
		t.Fatalf("%d x labels", n)
	}
}

func TestSplitShowsValuesAndShares(t *testing.T) {
	out, err := Split{Title: "GMV by type", Format: yuan, Items: []Item{
		{"flash_sale", 736_00}, {"classic", 200_00}, {"profit", 64_00}, {"exclusive", 0}, {"<b>&\"x\"", 0}}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	assertInert(t, out)
	els := parse(t, out)
	var values []string
	for _, e := range byClass(els, "text", "value") {
		values = append(values, e.text)
	}
	want := []string{"¥736.00 · 73.6%", "¥200.00 · 20.0%", "¥64.00 · 6.4%", "¥0.00 · 0.0%", "¥0.00 · 0.0%"}
	if strings.Join(values, "|") != strings.Join(want, "|") {
		t.Fatalf("values %q", values)
	}
	// Labels are text, never markup.
	if !strings.Contains(string(out), "&lt;b&gt;&amp;&#34;x&#34;") || strings.Contains(string(out), "<b>") {
		t.Fatalf("label not escaped:\n%s", out)
	}
	bars := byClass(els, "rect", "bar")
	if num(t, bars[0].attrs["width"]) <= num(t, bars[1].attrs["width"]) {
		t.Fatal("the biggest part does not have the longest bar")
	}
}

func TestEmptyChartsSaySo(t *testing.T) {
	for name, render := range map[string]func() (template.HTML, error){
		"line":  Line{Title: "t", Empty: "暂无数据"}.Render,
		"bars":  Bars{Title: "t", Empty: "暂无数据"}.Render,
		"split": Split{Title: "t", Empty: "暂无数据", Items: []Item{{"a", 0}}}.Render,
	} {
		out, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		els := parse(t, out)
		if e := byClass(els, "text", "empty"); len(e) != 1 || e[0].text != "暂无数据" {
			t.Fatalf("%s: %s", name, out)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	c := Line{Title: "x", Labels: []string{"a", "b", "c"}, Series: []Series{{"p", []int64{1, 2, 3}}, {"q", []int64{3, 2, 1}}}, Target: 5}
	a, _ := c.Render()
	b, _ := c.Render()
	if a != b {
		t.Fatal("same input, different SVG")
	}
	if n := len(byClass(parse(t, a), "g", "legend")); n != 1 {
		t.Fatalf("two series need a legend, got %d", n)
	}
}

func TestNiceTop(t *testing.T) {
	tests := []struct{ max, top, step int64 }{
		{0, 4, 1}, {1, 4, 1}, {4, 4, 1}, {5, 8, 2}, {9, 20, 5}, {500, 800, 200}, {1000, 1000, 250}, {1001, 2000, 500},
		{41_000, 80_000, 20_000},
	}
	for _, tt := range tests {
		top, step := niceTop(tt.max)
		if top != tt.top || step != tt.step || top < tt.max {
			t.Errorf("niceTop(%d) = %d/%d, want %d/%d", tt.max, top, step, tt.top, tt.step)
		}
	}
	if top, _ := niceTop(math.MaxInt64 / 2); top < math.MaxInt64/2 {
		t.Fatalf("huge max: top %d", top)
	}
}

func TestShareBasisPoints(t *testing.T) {
	tests := []struct{ part, total, want int64 }{
		{736, 1000, 7360}, {1, 3, 3333}, {0, 10, 0}, {5, 0, 0}, {-1, 10, 0}, {20, 10, 10_000},
		{math.MaxInt64 / 2, math.MaxInt64, 4999}, // no overflow at the top of int64
	}
	for _, tt := range tests {
		if got := ShareBasisPoints(tt.part, tt.total); got != tt.want {
			t.Errorf("ShareBasisPoints(%d, %d) = %d, want %d", tt.part, tt.total, got, tt.want)
		}
	}
	if Percent(7360) != "73.6%" || Percent(0) != "0.0%" || Percent(10_000) != "100.0%" {
		t.Fatal("Percent")
	}
	if Count(1234567) != "1,234,567" || Count(-1000) != "-1,000" || Count(0) != "0" {
		t.Fatal("Count")
	}
}

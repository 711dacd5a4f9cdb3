package leaderboard

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // QR images may come in any format WeChat or a test hands over
	_ "image/jpeg"
	"image/png"
	"strconv"
	"strings"

	"github.com/fogleman/gg"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
)

// Poster limits: WeCom takes images up to 2 MB; more than 20 rows make a poster nobody reads
// on a phone (the text and the page carry the long board).
const (
	MaxPosterBytes = 2 << 20
	PosterMaxRows  = 20
)

// DefaultBrandColor is used when a brand has set none (or an unreadable one).
const DefaultBrandColor = "#E5484D"

// Poster geometry, in pixels of a 750-wide image (the width WeChat shows full-screen).
const (
	posterWidth  = 750
	posterMargin = 40
	headerHeight = 330
	rowHeight    = 80
	qrSide       = 240
)

var (
	inkDark    = color.RGBA{0x1F, 0x23, 0x29, 0xFF}
	inkGrey    = color.RGBA{0x86, 0x90, 0x9C, 0xFF}
	paper      = color.RGBA{0xF5, 0xF6, 0xF8, 0xFF}
	card       = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	rule       = color.RGBA{0xEE, 0xF0, 0xF3, 0xFF}
	medalColor = map[int]color.RGBA{
		1: {0xF5, 0xB4, 0x00, 0xFF},
		2: {0xA7, 0xB1, 0xC2, 0xFF},
		3: {0xCD, 0x7F, 0x32, 0xFF},
	}
)

// posterLayout says where things landed (tests look for ink and the QR there).
type posterLayout struct {
	NameBoxes []image.Rectangle
	QRBox     image.Rectangle
	Height    int
}

// RenderPoster draws the board as a PNG: brand name and colour, the heading, the live's title
// and start time, the progress to the target, the top rows (at most PosterMaxRows), the
// member's own standing and their QR code when the snapshot carries them. Characters the font
// cannot draw (emoji, scripts it lacks) are left out rather than drawn as boxes.
func RenderPoster(s Snapshot, f *Font, p Privacy) ([]byte, error) {
	img, _, err := drawPoster(s, f, p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	if buf.Len() > MaxPosterBytes {
		return nil, fmt.Errorf("poster is %d bytes, over WeCom's %d", buf.Len(), MaxPosterBytes)
	}
	return buf.Bytes(), nil
}

// ParseColor reads "#RRGGBB"; anything else is the default colour.
func ParseColor(hex string) color.RGBA {
	if c, ok := parseHex(hex); ok {
		return c
	}
	c, _ := parseHex(DefaultBrandColor)
	return c
}

func parseHex(hex string) (color.RGBA, bool) {
	h, ok := strings.CutPrefix(hex, "#")
	if !ok || len(h) != 6 {
		return color.RGBA{}, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return color.RGBA{}, false
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xFF}, true
}

// light reports a colour too light for white text on it (relative luminance, sRGB weights).
func light(c color.RGBA) bool {
	return 0.2126*float64(c.R)+0.7152*float64(c.G)+0.0722*float64(c.B) > 0.62*255
}

// poster carries the drawing state of one render.
type poster struct {
	dc    *gg.Context
	f     *Font
	faces map[float64]font.Face
}

func (pt *poster) use(px float64) {
	fc, ok := pt.faces[px]
	if !ok {
		fc = pt.f.face(px)
		pt.faces[px] = fc
	}
	pt.dc.SetFontFace(fc)
}

// drawable keeps the characters the font has, so nothing renders as tofu, and closes the
// gaps that dropped characters leave.
func (pt *poster) drawable(s string) string {
	kept := strings.Map(func(r rune) rune {
		if r == ' ' || pt.f.Has(r) {
			return r
		}
		return -1
	}, s)
	return strings.Join(strings.Fields(kept), " ")
}

// fit cuts s (already drawable) to maxW pixels at the current face, ending a cut with "…".
func (pt *poster) fit(s string, maxW float64) string {
	if w, _ := pt.dc.MeasureString(s); w <= maxW {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		cand := strings.TrimRight(string(r), " ") + "…"
		if w, _ := pt.dc.MeasureString(cand); w <= maxW {
			return cand
		}
	}
	return "…"
}

// text draws s at (x, baseline y) anchored by ax (0 left, 0.5 centre, 1 right), returning its
// box; bold draws it twice a pixel apart (the CJK fonts Debian ships have no bold face).
func (pt *poster) text(s string, px, x, y, ax float64, c color.Color, bold bool) image.Rectangle {
	pt.use(px)
	pt.dc.SetColor(c)
	w, _ := pt.dc.MeasureString(s)
	left := x - ax*w
	pt.dc.DrawString(s, left, y)
	if bold {
		pt.dc.DrawString(s, left+1, y)
	}
	return image.Rect(int(left), int(y-px), int(left+w)+2, int(y+px*0.25)+1)
}

func drawPoster(s Snapshot, f *Font, p Privacy) (image.Image, posterLayout, error) {
	if f == nil {
		return nil, posterLayout{}, errors.New("leaderboard: poster without a font")
	}
	v := newBoardView(s, p)
	if len(v.Rows) > PosterMaxRows {
		v.Rows = v.Rows[:PosterMaxRows]
	}
	brand := ParseColor(v.Color)
	onBrand := color.Color(color.White)
	if light(brand) {
		onBrand = inkDark
	}
	var qr image.Image
	if len(v.QR) > 0 {
		if im, _, err := image.Decode(bytes.NewReader(v.QR)); err == nil {
			qr = im // an unreadable QR leaves the footer's words only, not a failed poster
		}
	}

	// Heights first, so the canvas is as tall as its content.
	statsTop := headerHeight - 40
	statsH := 130
	rowsTop := statsTop + statsH + 30
	rowsH := len(v.Rows)*rowHeight + 20
	if v.Empty() {
		rowsH = 220
	}
	meTop := rowsTop + rowsH + 30
	meH := 0
	if v.Me != nil {
		meH = 120
	}
	footTop := meTop + meH
	if meH > 0 {
		footTop += 30
	}
	footH := 200
	if qr != nil {
		footH = qrSide + 60
	}
	height := footTop + footH + posterMargin

	pt := &poster{dc: gg.NewContext(posterWidth, height), f: f, faces: map[float64]font.Face{}}
	dc := pt.dc
	lay := posterLayout{Height: height}
	inner := float64(posterWidth - 2*posterMargin)

	dc.SetColor(paper)
	dc.Clear()
	dc.SetColor(brand)
	dc.DrawRectangle(0, 0, posterWidth, headerHeight)
	dc.Fill()

	// Header: brand, heading, live title, start time and group.
	m := float64(posterMargin)
	if v.Brand != "" {
		pt.use(28)
		pt.text(pt.fit(pt.drawable(v.Brand), inner), 28, m, 70, 0, onBrand, false)
	}
	pt.text(v.Heading, 54, m, 140, 0, onBrand, true)
	if t := pt.drawable(v.Title); t != "" {
		pt.use(32)
		pt.text(pt.fit(t, inner), 32, m, 192, 0, onBrand, false)
	}
	when := ""
	if v.Start != "" {
		when = "开播 " + v.Start
	}
	if g := pt.drawable(v.Group); g != "" {
		if when != "" {
			when += " · "
		}
		when += "分组 " + g
	}
	if when != "" {
		pt.use(26)
		pt.text(pt.fit(when, inner), 26, m, 238, 0, onBrand, false)
	}

	// Progress card.
	dc.SetColor(card)
	dc.DrawRoundedRectangle(m, float64(statsTop), inner, float64(statsH), 20)
	dc.Fill()
	stats := progressCells(v)
	cellW := inner / float64(len(stats))
	for i, c := range stats {
		cx := m + cellW*(float64(i)+0.5)
		pt.text(c.value, 46, cx, float64(statsTop)+68, 0.5, brand, true)
		pt.text(c.label, 24, cx, float64(statsTop)+106, 0.5, inkGrey, false)
	}

	// Rows card.
	dc.SetColor(card)
	dc.DrawRoundedRectangle(m, float64(rowsTop), inner, float64(rowsH), 20)
	dc.Fill()
	if v.Empty() {
		mid := posterWidth / 2.0
		pt.text("还没有人上榜", 38, mid, float64(rowsTop)+95, 0.5, inkDark, true)
		pt.text("邀请好友预约，第一名就是你！", 26, mid, float64(rowsTop)+150, 0.5, inkGrey, false)
	}
	for i, r := range v.Rows {
		y := float64(rowsTop + 10 + i*rowHeight)
		base := y + rowHeight/2 + 11
		if i > 0 {
			dc.SetColor(rule)
			dc.DrawLine(m+30, y, m+inner-30, y)
			dc.SetLineWidth(2)
			dc.Stroke()
		}
		if mc, ok := medalColor[r.Rank]; ok {
			dc.SetColor(mc)
			dc.DrawCircle(m+56, y+rowHeight/2, 24)
			dc.Fill()
			pt.text(strconv.Itoa(r.Rank), 28, m+56, base-1, 0.5, color.White, true)
		} else {
			pt.text(strconv.Itoa(r.Rank), 28, m+56, base-1, 0.5, inkGrey, true)
		}
		count := strconv.FormatInt(r.Count, 10)
		unitBox := pt.text(v.Unit, 24, m+inner-30, base, 1, inkGrey, false)
		countBox := pt.text(count, 36, float64(unitBox.Min.X)-8, base+1, 1, brand, true)
		name := "第" + strconv.Itoa(r.Rank) + "名"
		if !v.RankOnly {
			name = pt.drawable(r.Name)
			if strings.TrimSpace(name) == "" {
				name = "＊＊＊" // nothing the font can draw (an emoji-only nickname)
			}
		}
		pt.use(32)
		name = pt.fit(name, float64(countBox.Min.X)-(m+110)-20)
		lay.NameBoxes = append(lay.NameBoxes, pt.text(name, 32, m+110, base, 0, inkDark, false))
	}

	// The member's own standing.
	if v.Me != nil {
		tint := color.NRGBA{brand.R, brand.G, brand.B, 0x22}
		dc.SetColor(tint)
		dc.DrawRoundedRectangle(m, float64(meTop), inner, float64(meH), 20)
		dc.Fill()
		first, second := "我还没有上榜", "邀请好友预约，马上上榜"
		if v.Me.Rank > 0 {
			first = fmt.Sprintf("我的排名 第 %d 名 · 已邀请 %d %s", v.Me.Rank, v.Me.Count, v.Unit)
			switch {
			case v.Me.Rank == 1:
				second = "暂列第一，继续保持！"
			case v.Me.Gap > 0:
				second = fmt.Sprintf("再邀请 %d 人超过第 %d 名", v.Me.Gap, v.Me.AboveRow)
			default:
				second = "邀请更多好友，冲击榜首"
			}
		}
		pt.use(32)
		pt.text(pt.fit(first, inner-60), 32, m+30, float64(meTop)+52, 0, inkDark, true)
		pt.use(26)
		pt.text(pt.fit(second, inner-60), 26, m+30, float64(meTop)+94, 0, inkGrey, false)
	}

	// Footer: the QR to reserve through, or the way to get one.
	dc.SetColor(card)
	dc.DrawRoundedRectangle(m, float64(footTop), inner, float64(footH), 20)
	dc.Fill()
	taken := ""
	if v.Taken != "" {
		taken = "数据截至 " + v.Taken
	}
	if qr != nil {
		x0, y0 := int(m)+30, footTop+30
		lay.QRBox = image.Rect(x0, y0, x0+qrSide, y0+qrSide)
		dst := dc.Image().(*image.RGBA)
		scaler := draw.Interpolator(draw.CatmullRom)
		if b := qr.Bounds(); b.Dx() < qrSide {
			scaler = draw.NearestNeighbor // keep modules square when enlarging
		}
		scaler.Scale(dst, lay.QRBox, qr, qr.Bounds(), draw.Over, nil)
		tx := float64(x0 + qrSide + 30)
		tw := m + inner - 30 - tx
		pt.text("长按识别二维码", 32, tx, float64(y0)+80, 0, inkDark, true)
		pt.use(26)
		pt.text(pt.fit("预约直播，帮我冲榜", tw), 26, tx, float64(y0)+126, 0, inkGrey, false)
		if taken != "" {
			pt.use(22)
			pt.text(pt.fit(taken, tw), 22, tx, float64(y0)+qrSide-20, 0, inkGrey, false)
		}
	} else {
		mid := posterWidth / 2.0
		cta := "打开小程序，领取你的专属邀请海报"
		if b := pt.drawable(v.Brand); b != "" {
			cta = "打开「" + b + "」小程序"
		}
		pt.use(32)
		pt.text(pt.fit(cta, inner-60), 32, mid, float64(footTop)+80, 0.5, inkDark, true)
		pt.text("领取专属邀请链接，一起冲榜", 26, mid, float64(footTop)+124, 0.5, inkGrey, false)
		if taken != "" {
			pt.text(taken, 22, mid, float64(footTop)+168, 0.5, inkGrey, false)
		}
	}
	return dc.Image(), lay, nil
}

type statCell struct{ value, label string }

func progressCells(v boardView) []statCell {
	if v.Heading == headingIgnition {
		return []statCell{{strconv.FormatInt(v.Total, 10), "开播后访客"}}
	}
	cells := []statCell{{strconv.FormatInt(v.Total, 10), "已预约"}}
	if v.Target > 0 {
		cells = append(cells, statCell{strconv.FormatInt(v.Target, 10), "目标"})
		if v.Remaining > 0 {
			cells = append(cells, statCell{strconv.FormatInt(v.Remaining, 10), "还差"})
		} else {
			cells = append(cells, statCell{"达成", "目标进度"})
		}
	}
	return cells
}

// colorHex writes c as "#RRGGBB".
func colorHex(c color.RGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

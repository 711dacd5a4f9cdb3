package leaderboard

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	qrenc "github.com/skip2/go-qrcode"
	"golang.org/x/image/math/fixed"
)

// testFont loads the CJK TrueType font the way production finds it: SHARECAST_FONT_PATH, else
// Debian's fonts-wqy-zenhei (.ci/run installs it). Parsed once: 16 MB is slow under -race.
func testFont(t testing.TB) *Font {
	t.Helper()
	f, err := sharedTestFont()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var sharedTestFont = sync.OnceValues(func() (*Font, error) {
	paths := []string{os.Getenv("SHARECAST_FONT_PATH"), "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"}
	for _, p := range paths {
		if p == "" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f, err := ParseFont(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return f, nil
	}
	return nil, errors.New("no CJK TrueType font: apt-get install fonts-wqy-zenhei (or set SHARECAST_FONT_PATH); .ci/run installs it")
})

func qrPNG(t testing.TB, content string) []byte {
	t.Helper()
	b, err := qrenc.Encode(content, qrenc.Medium, 430)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ink counts pixels in r clearly darker than the card behind them.
func ink(img image.Image, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if l := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y; l < 160 {
				n++
			}
		}
	}
	return n
}

// Chinese characters draw real glyphs: inked, and different from the font's "missing" box.
func TestPosterFontDrawsChineseGlyphs(t *testing.T) {
	f := testFont(t)
	face := f.face(40)
	mask := func(r rune) []byte {
		_, m, _, _, ok := face.Glyph(fixed.P(0, 40), r)
		if !ok {
			t.Fatalf("no glyph for %q", r)
		}
		var out []byte
		b := m.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				a := m.At(x, y)
				_, _, _, al := a.RGBA()
				out = append(out, byte(al>>8))
			}
		}
		return out
	}
	tofu := mask('\uE000') // private use: no font has it, so this is the missing box
	for _, r := range "张三丰预约邀请排行榜匿名已目标还差" {
		if !f.Has(r) {
			t.Fatalf("font lacks %q", r)
		}
		m := mask(r)
		inked := 0
		for _, a := range m {
			if a > 128 {
				inked++
			}
		}
		if inked < 20 {
			t.Errorf("%q draws a blank glyph (%d inked pixels)", r, inked)
		}
		if bytes.Equal(m, tofu) {
			t.Errorf("%q draws the missing-glyph box", r)
		}
	}
	if f.Has('😀') || f.Has('\uE000') {
		t.Error("Has claims glyphs the font does not have")
	}
}

func TestPosterNamesQRAndSize(t *testing.T) {
	f := testFont(t)
	s := sampleSnapshot()
	s.Me = &Row{Rank: 4, Count: 8}
	s.QR = qrPNG(t, "https://sharecast.example/s/AbC123")
	img, lay, err := drawPoster(s, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.NameBoxes) != 4 {
		t.Fatalf("%d name boxes", len(lay.NameBoxes))
	}
	for i, b := range lay.NameBoxes {
		if n := ink(img, b); n < 80 {
			t.Errorf("row %d name box %v holds %d inked pixels: nothing drawn", i+1, b, n)
		}
	}
	out, err := RenderPoster(s, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) >= MaxPosterBytes {
		t.Fatalf("poster is %d bytes", len(out))
	}
	decoded, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if decoded.Bounds().Dx() != posterWidth || decoded.Bounds().Dy() != lay.Height {
		t.Fatalf("poster %v, layout height %d", decoded.Bounds(), lay.Height)
	}
	if got := decodeQR(t, decoded, lay.QRBox); got != "https://sharecast.example/s/AbC123" {
		t.Fatalf("QR reads %q", got)
	}
	t.Logf("poster with 4 rows, the member's standing and a QR: %d bytes", len(out))
}

func decodeQR(t *testing.T, img image.Image, box image.Rectangle) string {
	t.Helper()
	crop := image.NewRGBA(box.Inset(-20))
	for y := crop.Rect.Min.Y; y < crop.Rect.Max.Y; y++ {
		for x := crop.Rect.Min.X; x < crop.Rect.Max.X; x++ {
			crop.Set(x, y, img.At(x, y))
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(crop)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("the QR on the poster does not decode: %v", err)
	}
	return res.GetText()
}

func TestPosterEmptyBoard(t *testing.T) {
	f := testFont(t)
	s := sampleSnapshot()
	s.Rows = nil
	img, lay, err := drawPoster(s, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.NameBoxes) != 0 || lay.QRBox != (image.Rectangle{}) {
		t.Fatalf("empty board drew rows or a QR: %+v", lay)
	}
	rowsTop := headerHeight - 40 + 130 + 30
	if n := ink(img, image.Rect(posterMargin, rowsTop, posterWidth-posterMargin, rowsTop+220)); n < 500 {
		t.Fatalf("empty state not drawn (%d inked pixels)", n)
	}
	if _, err := RenderPoster(s, f, PrivacyRankOnly); err != nil {
		t.Fatal(err)
	}
}

// Hostile nicknames never push a row out of its place: same height as plain names, every
// name inside its column, before the count.
func TestPosterSurvivesHostileNames(t *testing.T) {
	f := testFont(t)
	plain, hostile := sampleSnapshot(), sampleSnapshot()
	plain.Rows, hostile.Rows = nil, nil
	for i, n := range hostileNames {
		plain.Rows = append(plain.Rows, Row{Rank: i + 1, Name: "张三", Count: int64(1000 - i)})
		hostile.Rows = append(hostile.Rows, Row{Rank: i + 1, Name: n, Count: int64(1000 - i)})
	}
	hostile.LiveTitle = strings.Repeat("超长的直播标题", 20)
	hostile.BrandName = "\u202E" + strings.Repeat("品牌", 40)
	_, lp, err := drawPoster(plain, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	img, lh, err := drawPoster(hostile, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	if lh.Height != lp.Height || len(lh.NameBoxes) != len(hostileNames) {
		t.Fatalf("hostile names changed the layout: %d vs %d px, %d rows", lh.Height, lp.Height, len(lh.NameBoxes))
	}
	for i, b := range lh.NameBoxes {
		if b.Min.X < posterMargin+100 || b.Max.X > posterWidth-posterMargin-90 || b != b.Intersect(img.Bounds()) {
			t.Errorf("row %d (%q) name box %v leaves its column", i+1, hostileNames[i], b)
		}
		if ink(img, b) < 30 {
			t.Errorf("row %d (%q) shows nothing", i+1, hostileNames[i])
		}
	}
}

func TestPosterCapsRowsAndStaysUnderWeComLimit(t *testing.T) {
	f := testFont(t)
	s := sampleSnapshot()
	s.Rows = nil
	for i := 1; i <= MaxTopN; i++ {
		s.Rows = append(s.Rows, Row{Rank: i, Name: strings.Repeat("長名", 32), Count: int64(100000 - i)})
	}
	s.QR = qrPNG(t, "https://sharecast.example/s/long")
	_, lay, err := drawPoster(s, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.NameBoxes) != PosterMaxRows {
		t.Fatalf("%d rows drawn, want %d", len(lay.NameBoxes), PosterMaxRows)
	}
	out, err := RenderPoster(s, f, PrivacyNickname)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) >= MaxPosterBytes {
		t.Fatalf("%d bytes", len(out))
	}
	t.Logf("poster with %d rows and a QR: %d bytes", PosterMaxRows, len(out))
}

func TestParseFontAndColors(t *testing.T) {
	if _, err := ParseFont([]byte("not a font")); err == nil {
		t.Fatal("ParseFont accepted junk")
	}
	if _, err := ParseFont(nil); err == nil {
		t.Fatal("ParseFont accepted nothing")
	}
	cases := map[string]string{"#07C160": "#07C160", "": DefaultBrandColor, "red": DefaultBrandColor, "#12345": DefaultBrandColor, "#GGGGGG": DefaultBrandColor}
	for in, want := range cases {
		if got := colorHex(ParseColor(in)); got != want {
			t.Errorf("ParseColor(%q) = %s, want %s", in, got, want)
		}
	}
	if !light(ParseColor("#FFE066")) || light(ParseColor("#E5484D")) {
		t.Error("light() misjudges brand colours")
	}
}

func BenchmarkRenderPoster(b *testing.B) {
	f := testFont(b)
	s := sampleSnapshot()
	s.QR = qrPNG(b, "https://sharecast.example/s/bench")
	for b.Loop() {
		if _, err := RenderPoster(s, f, PrivacyNickname); err != nil {
			b.Fatal(err)
		}
	}
}

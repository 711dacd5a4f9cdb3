package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/store/storetest"
)

// browser starts Debian's headless Chromium (never a downloaded one) for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("Chromium is needed for the browser tests: apt-get install chromium (.ci/run does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone: the page is mobile-first
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// keepShot writes a screenshot where a person can look at it when SHARECAST_TEST_SCREENSHOTS
// names a directory; the tests assert on the image itself either way.
func keepShot(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("SHARECAST_TEST_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// countPixels counts pixels of img in r for which match is true.
func countPixels(img image.Image, r image.Rectangle, match func(r, g, b uint8) bool) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if match(c.R, c.G, c.B) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint8) bool { return a > b-24 && a < b+24 || a == b }

// brandGreen matches #07C160, the board's brand colour in these tests.
func brandGreen(r, g, b uint8) bool { return r < 40 && near(g, 0xC1) && near(b, 0x60) }

func darkInk(r, g, b uint8) bool { return int(r)+int(g)+int(b) < 3*110 }

func TestBrowserShowsThePublicPageAndThePoster(t *testing.T) {
	board := newE2EBoard(t)
	s := start(t, storetest.Engines(t)[0], "", outputsSetup(board))
	owner, brandID := s.ownerOfDemo()
	snap := chineseBoard(time.Now().Add(time.Hour))
	board.put(brandID, e2eLive, snap)
	token := s.do("POST", "/admin/v1/lives/"+e2eLive+"/leaderboard/share", owner, map[string]any{}).str("token")
	ctx := browser(t)

	// The public page: Chinese names in the DOM, the brand's colour on screen.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(s.base+"/lb/"+token), chromedp.WaitVisible(chromedp.CSS("#rows li"))))
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`window.__loadedOnce = true; Array.from(document.querySelectorAll('#rows .name')).map(e => e.textContent)`))
	must(err)
	if strings.Join(names, ",") != "张三丰,李小龙,王五,匿名" {
		t.Fatalf("names on the page: %q", names)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	must(err)
	keepShot(t, "public-page.png", shot)
	img, err := png.Decode(bytes.NewReader(shot))
	must(err)
	if b := img.Bounds(); b.Dx() < 380 || b.Dx() > 800 {
		t.Fatalf("screenshot %v is not a phone's width", b)
	}
	header := image.Rect(0, 0, img.Bounds().Dx(), 60)
	if n := countPixels(img, header, brandGreen); n < header.Dx()*40 {
		t.Fatalf("header shows %d brand-coloured pixels", n)
	}
	if n := countPixels(img, image.Rect(0, 200, img.Bounds().Dx(), 500), darkInk); n < 500 {
		t.Fatalf("the rows show %d dark pixels: no text drawn", n)
	}

	// New numbers arrive without a reload.
	snap.Total = 150
	snap.Rows = append([]leaderboard.Row{{Rank: 1, Name: "赵六", Count: 40}}, snap.Rows...)
	for i := range snap.Rows {
		snap.Rows[i].Rank = i + 1
	}
	board.put(brandID, e2eLive, snap)
	must(chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById('total').textContent === '150'`,
		chromedp.WithPollingTimeout(15*time.Second))))
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#rows li:first-child .name")))
	must(err)
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__loadedOnce === true && Number(document.body.dataset.refreshes) >= 1`))
	must(err)
	if first != "赵六" || !same {
		t.Fatalf("after the refresh: first row %q, same page %v", first, same)
	}

	// The poster, as the admin route serves it, in the browser.
	_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + owner}})
	must(err)
	must(chromedp.Do(ctx, chromedp.Navigate(s.base+"/admin/v1/lives/"+e2eLive+"/leaderboard.png?top_n=5"),
		chromedp.WaitReady(chromedp.CSS("img"))))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.images[0].naturalWidth`))
	must(err)
	posterShot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("img")))
	must(err)
	if width != 750 {
		t.Fatalf("poster is %d px wide", width)
	}
	keepShot(t, "poster.png", posterShot)
	p, err := png.Decode(bytes.NewReader(posterShot))
	if err != nil {
		t.Fatal(err)
	}
	pb := p.Bounds()
	if n := countPixels(p, image.Rect(pb.Min.X, pb.Min.Y, pb.Max.X, pb.Min.Y+pb.Dy()/8), brandGreen); n < pb.Dx()*pb.Dy()/20 {
		t.Fatalf("poster header shows %d brand-coloured pixels", n)
	}
	if n := countPixels(p, image.Rect(pb.Min.X, pb.Min.Y+pb.Dy()/3, pb.Max.X, pb.Max.Y), darkInk); n < 800 {
		t.Fatalf("poster rows show %d dark pixels", n)
	}
}

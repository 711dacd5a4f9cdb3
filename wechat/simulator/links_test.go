package simulator_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/sharecast/sharecast/wechat/simulator"
)

// raw sends a request and answers the status, Content-Type and body as they are.
func (e *env) raw(method, target string, body any) (int, string, []byte) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	if s, ok := body.(string); ok {
		b = []byte(s)
	}
	rec := httptest.NewRecorder()
	e.sim.Handler().ServeHTTP(rec, httptest.NewRequest(method, target, bytes.NewReader(b)))
	return rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()
}

func TestGetWXACodeUnlimitDrawsADecodableQR(t *testing.T) {
	e := newEnv(t)
	tok, _ := e.stableToken(false)
	status, ct, body := e.raw(http.MethodPost, "/_sim/api/wxa/getwxacodeunlimit?access_token="+tok,
		map[string]any{"scene": "Ab3xYz09Qw12Rt", "page": "pages/live/index", "width": 430})
	if status != 200 || ct != "image/jpeg" {
		t.Fatalf("HTTP %d %s: %.200s", status, ct, body)
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 430 || b.Dy() != 430 {
		t.Fatalf("size %v, want 430×430", b)
	}
	if got := decode(t, img); got != "pages/live/index?scene=Ab3xYz09Qw12Rt" {
		t.Fatalf("decodes to %q", got)
	}
}

func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		// gozxing's finder-pattern search misreads about 1 in 150 clean codes (versionNumber
		// = 0); the image is the bare code, so read it as one, as a phone's scanner would.
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
	if err != nil {
		t.Fatalf("no QR code: %v", err)
	}
	return res.GetText()
}

func TestWXACodeAndURLLinkErrcodes(t *testing.T) {
	e := newEnv(t)
	tok, _ := e.stableToken(false)
	qr := "/_sim/api/wxa/getwxacodeunlimit?access_token=" + tok
	ul := "/_sim/api/wxa/generate_urllink?access_token=" + tok
	cases := []struct {
		name   string
		method string
		target string
		body   any
		want   int
	}{
		{"no token", "POST", "/_sim/api/wxa/getwxacodeunlimit", map[string]any{"scene": "a"}, 41001},
		{"unknown token", "POST", "/_sim/api/wxa/getwxacodeunlimit?access_token=forged", map[string]any{"scene": "a"}, 40001},
		{"GET", "GET", qr, nil, 43002},
		{"not JSON", "POST", qr, "scene=a", 47001},
		{"empty scene", "POST", qr, map[string]any{"scene": ""}, 40169},
		{"long scene", "POST", qr, map[string]any{"scene": strings.Repeat("a", 33)}, 40169},
		{"percent in scene", "POST", qr, map[string]any{"scene": "a%20b"}, 40169},
		{"unpublished page", "POST", qr, map[string]any{"scene": "a", "page": "pages/secret/index"}, 41030},
		{"page with query", "POST", qr, map[string]any{"scene": "a", "page": "pages/live/index?x=1"}, 41030},
		{"link: unpublished path", "POST", ul, map[string]any{"path": "pages/secret/index", "expire_type": 1, "expire_interval": 30}, 41030},
		{"link: long interval", "POST", ul, map[string]any{"path": "pages/live/index", "expire_type": 1, "expire_interval": 31}, 85402},
		{"link: bad query", "POST", ul, map[string]any{"path": "pages/live/index", "query": "a b", "expire_type": 1, "expire_interval": 1}, 40212},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, out := e.do(tc.method, tc.target, tc.body)
			if errcode(out) != tc.want {
				t.Fatalf("errcode %v, want %d", out, tc.want)
			}
		})
	}
	// A page published later is accepted without check_path complaints.
	if err := e.sim.PublishPages(simulator.DemoAppID, "pages/secret/index"); err != nil {
		t.Fatal(err)
	}
	if status, ct, _ := e.raw("POST", qr, map[string]any{"scene": "a", "page": "pages/secret/index"}); status != 200 || ct != "image/jpeg" {
		t.Fatalf("published page: %d %s", status, ct)
	}

	// 45009: the per-minute code quota and the daily link quota (a day later, so the calls
	// above no longer count).
	e.clk.Advance(25 * time.Hour)
	tok, _ = e.stableToken(false)
	qr = "/_sim/api/wxa/getwxacodeunlimit?access_token=" + tok
	ul = "/_sim/api/wxa/generate_urllink?access_token=" + tok
	e.sim.SetQuotas(3, 2)
	for i := range 3 {
		if _, ct, body := e.raw("POST", qr, map[string]any{"scene": "q"}); ct != "image/jpeg" {
			t.Fatalf("call %d: %s", i, body)
		}
	}
	if _, out := e.do("POST", qr, map[string]any{"scene": "q"}); errcode(out) != 45009 {
		t.Fatalf("over the minute quota: %v", out)
	}
	e.clk.Advance(time.Minute)
	if _, ct, _ := e.raw("POST", qr, map[string]any{"scene": "q"}); ct != "image/jpeg" {
		t.Fatal("the quota must reset after a minute")
	}
	link := map[string]any{"path": "pages/live/index", "query": "code=Ab3xYz09Qw12Rt", "expire_type": 1, "expire_interval": 30}
	_, out := e.do("POST", ul, link)
	if errcode(out) != 0 || !strings.HasPrefix(str(out["url_link"]), "https://wxaurl.cn/") {
		t.Fatalf("generate_urllink: %v", out)
	}
	id := strings.TrimPrefix(str(out["url_link"]), "https://wxaurl.cn/")
	if _, info := e.do("GET", "/_sim/control/urllinks/"+id, nil); str(info["query"]) != "code=Ab3xYz09Qw12Rt" || str(info["path"]) != "pages/live/index" {
		t.Fatalf("link info: %v", info)
	}
	if _, out := e.do("POST", ul, link); errcode(out) != 0 {
		t.Fatalf("second link of the day: %v", out)
	}
	if _, out := e.do("POST", ul, link); errcode(out) != 45009 {
		t.Fatalf("over the daily link quota: %v", out)
	}
}

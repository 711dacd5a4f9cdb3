package wechat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// The production client against the simulator over HTTP: QR codes and URL links, and how
// WeChat's errcodes surface.
func TestQRCodeAndURLLinkThroughTheSimulator(t *testing.T) {
	s := newSimWeChat(t)
	c := s.client()
	ctx := t.Context()
	keys := s.sim.Keys()

	img, ct, err := c.QRCode(ctx, simulator.DemoAppID, keys.AppSecret, "Ab3xYz09Qw12Rt", "pages/live/index")
	if err != nil || ct != "image/jpeg" || len(img) < 1000 {
		t.Fatalf("QRCode: %d bytes %q %v", len(img), ct, err)
	}
	link, err := c.URLLink(ctx, simulator.DemoAppID, keys.AppSecret, "pages/live/index", "code=Ab3xYz09Qw12Rt", 30*24*time.Hour)
	if err != nil || !strings.HasPrefix(link, "https://wxaurl.cn/") {
		t.Fatalf("URLLink: %q %v", link, err)
	}

	_, _, err = c.QRCode(ctx, simulator.DemoAppID, keys.AppSecret, "x", "pages/unpublished/index")
	if apperr.CodeOf(err) != "WECHAT_PAGE_INVALID" || apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("41030: %v", err)
	}
	_, _, err = c.QRCode(ctx, simulator.DemoAppID, keys.AppSecret, strings.Repeat("x", 40), "pages/live/index")
	if apperr.KindOf(err) != apperr.Internal {
		t.Fatalf("40169 is our bug, not the caller's: %v", err)
	}
	s.sim.SetQuotas(1, 1)
	s.clk.Advance(time.Minute)
	_, _, _ = c.QRCode(ctx, simulator.DemoAppID, keys.AppSecret, "x", "pages/live/index")
	_, _, err = c.QRCode(ctx, simulator.DemoAppID, keys.AppSecret, "x", "pages/live/index")
	if e, ok := apperr.As(err); !ok || e.Code != "WECHAT_QUOTA" || e.RetryAfter != time.Minute {
		t.Fatalf("45009: %v", err)
	}
	if _, err = c.URLLink(ctx, simulator.DemoAppID, keys.AppSecret, "pages/live/index", "code=x", time.Hour); apperr.CodeOf(err) != "WECHAT_QUOTA" {
		t.Fatalf("45009 on links: %v", err)
	}
}

package channels_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat"
	"github.com/sharecast/sharecast/wechat/channels"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// shop is the simulator's demo shop over real HTTP, with pushes swallowed.
type shop struct {
	t   *testing.T
	sim *simulator.Simulator
	srv *httptest.Server
	wx  *wechat.Client
	c   *channels.Client
}

func newShop(t *testing.T) *shop {
	t.Helper()
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "success") }))
	t.Cleanup(sink.Close)
	sim, err := simulator.New(simulator.Options{Clock: clock.NewFixed(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)), ServiceURL: sink.URL})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	wx := wechat.NewClient(wechat.Options{BaseURL: srv.URL + "/_sim/api"})
	return &shop{t: t, sim: sim, srv: srv, wx: wx, c: channels.NewClient(wx, simulator.DemoShopAppID, sim.Keys().ChannelsShopSecret())}
}

func (s *shop) control(path string, body any) map[string]any {
	s.t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(s.srv.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("%s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

func TestClientReadsOrdersAndAfterSales(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	s.control("/_sim/control/channels/b/orders", map[string]any{
		"order_id": "3705115058471208928",
		"buyer":    map[string]any{"openid": "oBuyer", "unionid": "uBuyer"},
		"lines": []any{map[string]any{"product_id": "10", "sku_id": "20", "price_fen": 1000, "quantity": 2, "paid_fen": 1800},
			map[string]any{"product_id": "11", "sku_id": "21", "price_fen": 300, "quantity": 1}},
		"city": "杭州市", "sharer": map[string]any{"openid": "oSharer", "unionid": "uSharer", "share_scene": 1},
	})
	o, err := s.c.Order(ctx, "3705115058471208928")
	if err != nil {
		t.Fatal(err)
	}
	if o.OrderID != "3705115058471208928" || o.OpenID != "oBuyer" || o.UnionID != "uBuyer" || o.City != "杭州市" ||
		o.Status != channels.OrderToShip || !o.Paid() || len(o.Products) != 2 {
		t.Fatalf("order %+v", o)
	}
	if p := o.Products[0]; p.SKUID != "20" || p.Count != 2 || p.SalePrice != 1000 || p.RealPrice != 1800 {
		t.Fatalf("line %+v", p)
	}
	if o.Sharer == nil || o.Sharer.UnionID != "uSharer" || !o.Sharer.Resolved || len(o.SKUSharers) != 2 {
		t.Fatalf("sharer %+v %+v", o.Sharer, o.SKUSharers)
	}

	out := s.control("/_sim/control/channels/b/aftersales", map[string]any{"order_id": "3705115058471208928",
		"lines": []any{map[string]any{"sku_id": "20", "quantity": 1, "refund_fen": 850}}, "status": channels.AfterSaleRefundSuccess})
	asID := out["aftersales"].([]any)[0].(map[string]any)["after_sale_order_id"].(string)
	a, err := s.c.AfterSale(ctx, asID)
	if err != nil {
		t.Fatal(err)
	}
	if a.OrderID != o.OrderID || a.SKUID != "20" || a.Count != 1 || a.RefundFen != 850 || a.Status != channels.AfterSaleRefundSuccess || a.UnionID != "uBuyer" {
		t.Fatalf("after-sale %+v", a)
	}
	o, _ = s.c.Order(ctx, o.OrderID)
	if len(o.AfterSales) != 1 || o.AfterSales[0].Status != channels.AfterSaleRefundSuccess || o.Products[0].FinishAfterSale != 1 {
		t.Fatalf("order after the refund %+v", o)
	}

	// Unknown ids are NotFound; another shop's orders are invisible to this one's token.
	if _, err := s.c.Order(ctx, "1"); apperr.CodeOf(err) != "CHANNELS_ORDER_NOT_FOUND" || apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("unknown order: %v", err)
	}
	if _, err := s.c.AfterSale(ctx, "1"); apperr.CodeOf(err) != "CHANNELS_AFTERSALE_NOT_FOUND" {
		t.Fatalf("unknown after-sale: %v", err)
	}
	other := channels.NewClient(s.wx, "wx00000000000000ff", "any-secret")
	if _, err := other.Order(ctx, o.OrderID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("another shop read the order: %v", err)
	}
	// No credentials: Unavailable, no call.
	if _, err := channels.NewClient(s.wx, "", "").Order(ctx, o.OrderID); apperr.CodeOf(err) != "CHANNELS_NOT_CONFIGURED" {
		t.Fatalf("unconfigured: %v", err)
	}
	// A wrong secret for the registered demo shop: WeChat refuses the token (a client with its
	// own cache: tokens are cached per appid, and an app has one secret).
	fresh := wechat.NewClient(wechat.Options{BaseURL: s.srv.URL + "/_sim/api"})
	if _, err := channels.NewClient(fresh, simulator.DemoShopAppID, "wrong").Order(ctx, o.OrderID); apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("wrong secret: %v", err)
	}
}

// A token that WeChat no longer accepts (another process forced a refresh) is dropped and the
// call succeeds with a fresh one.
func TestClientRefreshesARejectedToken(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	s.control("/_sim/control/channels/b/orders", map[string]any{"order_id": "42",
		"lines": []any{map[string]any{"product_id": "1", "sku_id": "2", "price_fen": 100, "quantity": 1}}})
	if _, err := s.c.Order(ctx, "42"); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"grant_type": "client_credential", "appid": simulator.DemoShopAppID,
		"secret": s.sim.Keys().ChannelsShopSecret(), "force_refresh": true})
	resp, err := http.Post(s.srv.URL+"/_sim/api/cgi-bin/stable_token", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := s.c.Order(ctx, "42"); err != nil {
		t.Fatalf("after a forced refresh elsewhere: %v", err)
	}
}

func TestClientSharersAndNotices(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	inv, err := s.c.BindSharer(ctx, "member_wxid")
	if err != nil || inv.QRCodeImgBase64 == "" {
		t.Fatalf("bind: %+v %v", inv, err)
	}
	s.control("/_sim/control/channels/b/sharers", map[string]any{"username": "member_wxid", "openid": "oSharer", "unionid": "uSharer"})
	if _, err := s.c.BindSharer(ctx, "member_wxid"); apperr.CodeOf(err) != "SHARER_ALREADY_BOUND" || apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("bind twice: %v", err)
	}
	if _, err := s.c.BindSharer(ctx, "1-not-a-wechat-id"); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("bad WeChat ID: %v", err)
	}

	for i, sharer := range []string{"oSharer", "oOther", "oSharer"} {
		s.control("/_sim/control/channels/b/orders", map[string]any{
			"order_id": []string{"100", "101", "102"}[i],
			"lines":    []any{map[string]any{"product_id": "1", "sku_id": "2", "price_fen": 100, "quantity": 1}},
			"sharer":   map[string]any{"openid": sharer, "share_scene": 1},
		})
	}
	orders, err := s.c.SharerOrders(ctx, channels.SharerOrderQuery{OpenID: "oSharer"})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 2 || orders[0].OrderID != "100" || orders[1].OrderID != "102" || orders[0].ShareScene != 1 ||
		orders[0].SKUID != "2" || orders[0].LiveExportID == "" {
		t.Fatalf("sharer orders %+v", orders)
	}
	page2, err := s.c.SharerOrders(ctx, channels.SharerOrderQuery{Page: 2, PageSize: 2})
	if err != nil || len(page2) != 1 || page2[0].OrderID != "102" {
		t.Fatalf("page 2: %+v %v", page2, err)
	}

	s.control("/_sim/control/channels/b/notices", map[string]any{"notice_id": "n2", "start_time": "2026-03-05T20:00:00+08:00", "description": "later"})
	s.control("/_sim/control/channels/b/notices", map[string]any{"notice_id": "n1", "start_time": "2026-03-02T20:00:00+08:00", "description": "sooner"})
	s.control("/_sim/control/channels/b/notices", map[string]any{"notice_id": "n2", "start_time": "2026-03-05T20:00:00+08:00", "status": 1})
	notices, err := s.c.LiveNotices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 2 || notices[0].NoticeID != "n1" || notices[1].Status != channels.NoticeCancelled || notices[1].StatusWording == "" ||
		notices[0].StartTime != time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC).Unix() {
		t.Fatalf("notices %+v", notices)
	}
}

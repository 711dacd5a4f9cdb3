package main

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store/storetest"
	"github.com/sharecast/sharecast/wechat/channels"
)

// recordingIntake stands in for the orders domain: it records every call.
type recordingIntake struct {
	mu    sync.Mutex
	calls []intakeCall
}

type intakeCall struct {
	method, brandID, orderID string
	paid                     referral.PaidOrder
	update                   referral.AfterSaleUpdate
	at                       time.Time
}

func (r *recordingIntake) add(c intakeCall) error {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return nil
}

func (r *recordingIntake) Paid(_ context.Context, brandID string, o referral.PaidOrder) error {
	return r.add(intakeCall{method: "Paid", brandID: brandID, orderID: o.ExternalID, paid: o, at: o.PaidAt})
}
func (r *recordingIntake) Confirmed(_ context.Context, brandID, _, id string, at time.Time) error {
	return r.add(intakeCall{method: "Confirmed", brandID: brandID, orderID: id, at: at})
}
func (r *recordingIntake) Cancelled(_ context.Context, brandID, _, id string, at time.Time) error {
	return r.add(intakeCall{method: "Cancelled", brandID: brandID, orderID: id, at: at})
}
func (r *recordingIntake) Settled(_ context.Context, brandID, _, id string, at time.Time) error {
	return r.add(intakeCall{method: "Settled", brandID: brandID, orderID: id, at: at})
}
func (r *recordingIntake) AfterSale(_ context.Context, brandID string, u referral.AfterSaleUpdate) error {
	return r.add(intakeCall{method: "AfterSale", brandID: brandID, orderID: u.ExternalID, update: u, at: u.At})
}

// of answers the calls about one order, in the order they came.
func (r *recordingIntake) of(orderID string) []intakeCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []intakeCall
	for _, c := range r.calls {
		if c.orderID == orderID {
			out = append(out, c)
		}
	}
	return out
}

// wait polls until the order has n calls.
func (r *recordingIntake) wait(t *testing.T, orderID string, n int) []intakeCall {
	t.Helper()
	var calls []intakeCall
	if !within(30*time.Second, func() bool { calls = r.of(orderID); return len(calls) >= n }) {
		t.Fatalf("order %s: %d intake calls, want %d: %+v", orderID, len(calls), n, calls)
	}
	return calls
}

// The Channels door end to end: the simulator's shop creates an order and after-sales and
// pushes them signed and encrypted to the running service, which verifies, decrypts, stores,
// enqueues, and whose job reads the order back from the simulator and calls the orders domain
// (here a recording fake injected through buildOptions) with the right values. Forged probes
// and duplicate pushes change nothing.
func TestChannelsShopOrdersEndToEnd(t *testing.T) {
	dbs := storetest.Engines(t)
	rs := storetest.RedisEngines(t)
	for i, e := range dbs {
		t.Run(e.Name, func(t *testing.T) {
			in := &recordingIntake{}
			s := start(t, e, rs[min(i, len(rs)-1)], func(_ map[string]string, o *buildOptions) { o.orderIntake = in })
			channelsShopEndToEnd(t, s, in)
		})
	}
}

func channelsShopEndToEnd(t *testing.T, s *svc, in *recordingIntake) {
	ctx := context.Background()
	demoBrand, err := s.app.store.BrandBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	brand := demoBrand.ID
	sim := "/_sim/control/channels/" + brand
	hook := "/webhooks/channels/" + brand
	inbox := func() int {
		n, err := s.app.store.CountChannelsEvents(ctx, brand)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	control := func(path string, body any) resp {
		t.Helper()
		r := s.do("POST", path, "", body)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		return r
	}
	delivered := func(r resp, want int) {
		t.Helper()
		ps, _ := r.body["pushes"].([]any)
		if len(ps) != want {
			t.Fatalf("%d pushes, want %d: %s", len(ps), want, r.raw)
		}
		for _, p := range ps {
			if p.(map[string]any)["delivered"] != true {
				t.Fatalf("push not taken: %s", r.raw)
			}
		}
	}

	// WeChat's URL check, through the simulator and by hand.
	if r := control(sim+"/verify-url", nil); r.body["echoed"] != true {
		t.Fatalf("URL check: %s", r.raw)
	}
	keys := s.app.sim.Keys()
	q := url.Values{"timestamp": {"1714036504"}, "nonce": {"1514711492"}, "echostr": {"4375120948345356249"}}
	q.Set("signature", channels.URLSignature(keys.ChannelsToken, "1714036504", "1514711492"))
	if r := s.do("GET", hook+"?"+q.Encode(), "", nil); r.status != 200 || string(r.raw) != "4375120948345356249" {
		t.Fatalf("GET check: %d %s", r.status, r.raw)
	}
	q.Set("signature", channels.URLSignature("not-the-token", "1714036504", "1514711492"))
	expect(t, s.do("GET", hook+"?"+q.Encode(), "", nil), 401, "PUSH_SIGNATURE_INVALID")

	// A buyer pays three lines shared by a sharer; the pay push lands in the intake.
	payAt := time.Date(2026, 3, 1, 20, 15, 0, 0, time.FixedZone("CST", 8*3600))
	r := control(sim+"/orders", map[string]any{
		"buyer": map[string]any{"openid": "oShopBuyer0001", "unionid": "uBuyer0001"},
		"lines": []any{
			map[string]any{"product_id": "501", "sku_id": "9001", "price_fen": 990, "quantity": 1},
			map[string]any{"product_id": "502", "sku_id": "9002", "price_fen": 5900, "quantity": 2, "paid_fen": 10800},
			map[string]any{"product_id": "503", "sku_id": "9003", "price_fen": 19900, "quantity": 1},
		},
		"city":     "杭州市",
		"sharer":   map[string]any{"openid": "oShopSharer01", "unionid": "uSharer0001"},
		"pay_time": payAt.Format(time.RFC3339),
	})
	delivered(r, 1)
	orderID := r.str("order.order_id")
	calls := in.wait(t, orderID, 1)
	p := calls[0].paid
	wantPaid := referral.PaidOrder{Source: referral.SourceChannels, ExternalID: orderID,
		Buyer: referral.Identity{OpenID: "oShopBuyer0001", UnionID: "uBuyer0001"}, ShipCity: "杭州市",
		PaidAt: time.Unix(payAt.Unix(), 0), Sharer: referral.Identity{OpenID: "oShopSharer01", UnionID: "uSharer0001"},
		Lines: []referral.OrderLineInput{
			{LineID: "9001", ProductID: "501", SKUID: "9001", Quantity: 1, PaidFen: 990},
			{LineID: "9002", ProductID: "502", SKUID: "9002", Quantity: 2, PaidFen: 10800},
			{LineID: "9003", ProductID: "503", SKUID: "9003", Quantity: 1, PaidFen: 19900},
		}}
	if calls[0].method != "Paid" || calls[0].brandID != brand || fmt.Sprint(p) != fmt.Sprint(wantPaid) || len(orderID) != 19 {
		t.Fatalf("Paid\n got %+v\nwant %+v", p, wantPaid)
	}

	// An after-sale on one unit of 9002 opens, then refunds 5000 fen.
	r = control(sim+"/aftersales", map[string]any{"order_id": orderID, "lines": []any{map[string]any{"sku_id": "9002", "quantity": 1}}})
	delivered(r, 1)
	asID := r.body["aftersales"].([]any)[0].(map[string]any)["after_sale_order_id"].(string)
	calls = in.wait(t, orderID, 2)
	if u := calls[1].update; u.State != referral.AfterSaleOpen || u.AfterSaleID != asID || u.Source != referral.SourceChannels {
		t.Fatalf("open after-sale %+v", u)
	}
	delivered(control(sim+"/aftersales/"+asID, map[string]any{"status": channels.AfterSaleRefundSuccess, "refund_fen": 5000}), 1)
	calls = in.wait(t, orderID, 3)
	if u := calls[2].update; u.State != referral.AfterSaleRefunded || len(u.Lines) != 1 || u.Lines[0] != (referral.RefundLine{LineID: "9002", RefundFen: 5000}) {
		t.Fatalf("refund %+v", u)
	}

	// Receipt confirmed, then settled.
	delivered(control(sim+"/orders/"+orderID+"/confirm", nil), 1)
	delivered(control(sim+"/orders/"+orderID+"/settle", map[string]any{"at": "2026-03-25T00:00:00+08:00"}), 1)
	calls = in.wait(t, orderID, 5)
	seen := map[string]bool{calls[3].method: true, calls[4].method: true}
	if !seen["Confirmed"] || !seen["Settled"] {
		t.Fatalf("lifecycle calls %+v", calls[3:])
	}
	rows := inbox()
	if rows != 5 {
		t.Fatalf("inbox has %d events, want 5", rows)
	}

	// Forged probes before a real push: every one refused, nothing stored for them.
	control("/_sim/control/faults", map[string]any{"channels": map[string]any{"forged_probes": true, "duplicate_pushes": 4}})
	r = control(sim+"/orders", map[string]any{"buyer": map[string]any{"unionid": "uBuyer0002"},
		"lines": []any{map[string]any{"product_id": "501", "sku_id": "9001", "price_fen": 990, "quantity": 1}}})
	second := r.str("order.order_id")
	want := map[string]int{"probe_bad_signature": 401, "probe_wrong_appid": 400, "probe_truncated": 400, "probe_bad_padding": 400, "push": 200, "duplicate": 200}
	pushes := r.body["pushes"].([]any)
	if len(pushes) != 4+1+4 {
		t.Fatalf("pushes %s", r.raw)
	}
	for _, x := range pushes {
		pm := x.(map[string]any)
		if int(pm["status"].(float64)) != want[pm["kind"].(string)] {
			t.Errorf("%v answered %v", pm["kind"], pm["status"])
		}
	}
	in.wait(t, second, 1)
	if n := inbox(); n != rows+1 {
		t.Fatalf("probes and duplicates changed the inbox: %d rows, want %d", n, rows+1)
	}
	control("/_sim/control/faults", map[string]any{"channels": map[string]any{}})

	// A wrongly signed request sent by hand: 401, nothing stored; another brand's id: 404.
	probe := url.Values{"msg_signature": {"0000000000000000000000000000000000000000"}, "timestamp": {"1"}, "nonce": {"2"}, "encrypt_type": {"aes"}}
	body := map[string]any{"ToUserName": "gh_x", "Encrypt": "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtI="}
	expect(t, s.do("POST", hook+"?"+probe.Encode(), "", body), 401, "PUSH_SIGNATURE_INVALID")
	expect(t, s.do("POST", "/webhooks/channels/00000000-0000-0000-0000-000000000000?"+probe.Encode(), "", body), 404, "BRAND_NOT_FOUND")
	expect(t, s.do("POST", hook+"?"+probe.Encode(), "", "not json"), 400, "PUSH_INVALID")
	if n := inbox(); n != rows+1 {
		t.Fatalf("a refused request changed the inbox: %d rows", n)
	}
	// The duplicates reached the intake once: one Paid for the second order.
	if calls := in.of(second); len(calls) != 1 {
		t.Fatalf("second order: %d intake calls, want 1", len(calls))
	}
}

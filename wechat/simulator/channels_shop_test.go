package simulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat/channels"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// receiver plays sharecast's webhook: it checks and decrypts every push like the real one and
// keeps the events; what it refuses gets the 4xx sharecast answers.
type receiver struct {
	t     *testing.T
	crypt *channels.MsgCrypt
	mu    sync.Mutex
	got   []channels.Event
	raw   [][]byte
	paths []string
	// refused counts refusals by error.
	refused map[error]int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		if rc.crypt.VerifyURL(q.Get("signature"), q.Get("timestamp"), q.Get("nonce")) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, q.Get("echostr"))
		return
	}
	env, err := channels.ParseEnvelope(body)
	var msg []byte
	if err == nil {
		msg, err = rc.crypt.Open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt)
	}
	var ev channels.Event
	if err == nil {
		ev, err = channels.ParseEvent(msg)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil {
		for _, known := range []error{channels.ErrSignature, channels.ErrAppID, channels.ErrCiphertext, channels.ErrPadding, channels.ErrLength, channels.ErrEvent} {
			if errors.Is(err, known) {
				rc.refused[known]++
			}
		}
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, ev)
	rc.raw = append(rc.raw, msg)
	rc.paths = append(rc.paths, r.URL.Path)
	_, _ = io.WriteString(w, "success")
}

func (rc *receiver) events() []channels.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]channels.Event(nil), rc.got...)
}

// shopEnv is the simulator over real HTTP pushing to a receiver.
type shopEnv struct {
	*env
	srv *httptest.Server
	rcv *receiver
}

func newShopEnv(t *testing.T) *shopEnv {
	t.Helper()
	rcv := &receiver{t: t, refused: map[error]int{}}
	rsrv := httptest.NewServer(rcv)
	t.Cleanup(rsrv.Close)
	clk := clock.NewFixed(t0)
	sim, err := simulator.New(simulator.Options{DataDir: sharedDataDir, Clock: clk, ServiceURL: rsrv.URL})
	if err != nil {
		t.Fatal(err)
	}
	k := sim.Keys()
	rcv.crypt, err = channels.NewMsgCrypt(k.ChannelsToken, k.ChannelsEncodingAESKey, simulator.DemoShopAppID)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &shopEnv{env: &env{t: t, sim: sim, clk: clk}, srv: srv, rcv: rcv}
}

// post calls the simulator over HTTP (pushes need a real server on the other side anyway).
func (e *shopEnv) post(path string, body any) (int, map[string]any) {
	e.t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(e.srv.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("%s: answer is not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

func (e *shopEnv) mustPost(path string, body any) map[string]any {
	e.t.Helper()
	status, out := e.post(path, body)
	if status != http.StatusOK {
		e.t.Fatalf("%s: %d %v", path, status, out)
	}
	return out
}

func pushes(out map[string]any) []map[string]any {
	var ps []map[string]any
	for _, p := range out["pushes"].([]any) {
		ps = append(ps, p.(map[string]any))
	}
	return ps
}

func twoLineOrder() map[string]any {
	return map[string]any{
		"buyer": map[string]any{"openid": "oBuyer1", "unionid": "uBuyer1"},
		"lines": []any{
			map[string]any{"product_id": "1001", "sku_id": "2001", "price_fen": 1000, "quantity": 2, "paid_fen": 1800},
			map[string]any{"product_id": "1002", "sku_id": "2002", "price_fen": 500, "quantity": 1},
		},
		"city":   "上海市",
		"sharer": map[string]any{"openid": "oSharer", "unionid": "uSharer"},
	}
}

func TestShopOrderIsPushedSignedAndEncrypted(t *testing.T) {
	e := newShopEnv(t)
	out := e.mustPost("/_sim/control/channels/brand-1/orders", twoLineOrder())
	order := out["order"].(map[string]any)
	id := str(order["order_id"])
	if len(id) != 19 || order["shop_appid"] != simulator.DemoShopAppID {
		t.Fatalf("order %v", order)
	}
	ps := pushes(out)
	if len(ps) != 1 || ps[0]["delivered"] != true || ps[0]["kind"] != "push" || ps[0]["event"] != channels.EventOrderPay {
		t.Fatalf("pushes %v", ps)
	}
	evs := e.rcv.events()
	if len(evs) != 1 || evs[0].Event != channels.EventOrderPay || evs[0].OrderID() != id || int64(evs[0].Order.PayTime) != t0.Unix() {
		t.Fatalf("received %+v", evs)
	}
	if e.rcv.paths[0] != "/webhooks/channels/brand-1" {
		t.Fatalf("pushed to %s", e.rcv.paths[0])
	}
	// The id travels as a JSON number above 2^53, as WeChat sends it.
	if !bytes.Contains(e.rcv.raw[0], []byte(`"order_id":`+id)) {
		t.Fatalf("order_id is not a bare number: %s", e.rcv.raw[0])
	}
}

func TestShopAfterSalesAndLifecycle(t *testing.T) {
	e := newShopEnv(t)
	id := str(e.mustPost("/_sim/control/channels/b/orders", twoLineOrder())["order"].(map[string]any)["order_id"])

	// Line 2001 (2 units, 1800 paid): one unit refunded, in two steps.
	out := e.mustPost("/_sim/control/channels/b/aftersales", map[string]any{"order_id": id, "lines": []any{map[string]any{"sku_id": "2001", "quantity": 1}}})
	as := out["aftersales"].([]any)[0].(map[string]any)
	asID := str(as["after_sale_order_id"])
	if as["refund_fen"] != float64(900) || as["status"] != channels.AfterSaleMerchantProcessing {
		t.Fatalf("after-sale %v", as)
	}
	if status, bad := e.post("/_sim/control/channels/b/aftersales", map[string]any{"order_id": id, "lines": []any{map[string]any{"sku_id": "2001", "quantity": 2}}}); status != http.StatusConflict {
		t.Fatalf("more units than are free: %d %v", status, bad)
	}
	e.mustPost("/_sim/control/channels/b/aftersales/"+asID, map[string]any{"status": channels.AfterSaleRefundSuccess})
	if status, _ := e.post("/_sim/control/channels/b/aftersales/"+asID, map[string]any{"status": channels.AfterSaleMerchantProcessing}); status != http.StatusConflict {
		t.Fatalf("a finished after-sale moved again: %d", status)
	}
	// The rest refunded at once: the order is cancelled with cancel_type 3, pushed after.
	out = e.mustPost("/_sim/control/channels/b/aftersales", map[string]any{"order_id": id, "status": channels.AfterSaleRefundSuccess,
		"lines": []any{map[string]any{"sku_id": "2001"}, map[string]any{"sku_id": "2002"}}})
	ps := pushes(out)
	if len(ps) != 3 || ps[2]["event"] != channels.EventOrderCancel {
		t.Fatalf("pushes %v", ps)
	}
	evs := e.rcv.events()
	last := evs[len(evs)-1]
	if last.Event != channels.EventOrderCancel || last.Order.CancelType != channels.CancelAllRefunds {
		t.Fatalf("last event %+v", last)
	}
	want := []string{channels.EventOrderPay, channels.EventAfterSaleUpdate, channels.EventAfterSaleUpdate,
		channels.EventAfterSaleUpdate, channels.EventAfterSaleUpdate, channels.EventOrderCancel}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d", len(evs), len(want))
	}
	for i, w := range want {
		if evs[i].Event != w {
			t.Fatalf("event %d is %s, want %s", i, evs[i].Event, w)
		}
	}
	if evs[1].AfterSale.Status != channels.AfterSaleMerchantProcessing || evs[2].AfterSale.Status != channels.AfterSaleRefundSuccess ||
		string(evs[2].AfterSale.AfterSaleOrderID) != asID {
		t.Fatalf("after-sale events %+v %+v", evs[1].AfterSale, evs[2].AfterSale)
	}
	if status, _ := e.post("/_sim/control/channels/b/orders/"+id+"/confirm", nil); status != http.StatusConflict {
		t.Fatalf("confirming a cancelled order: %d", status)
	}
}

func TestShopOrderActions(t *testing.T) {
	e := newShopEnv(t)
	body := twoLineOrder()
	body["unpaid"] = true
	body["order_id"] = "3705115058471208928"
	out := e.mustPost("/_sim/control/channels/b/orders", body)
	if len(pushes(out)) != 0 || out["order"].(map[string]any)["status"] != float64(channels.OrderUnpaid) {
		t.Fatalf("unpaid order %v", out)
	}
	if status, _ := e.post("/_sim/control/channels/b/orders", body); status != http.StatusConflict {
		t.Fatalf("a second order with the same id: %d", status)
	}
	base := "/_sim/control/channels/b/orders/3705115058471208928/"
	for _, step := range []struct {
		action string
		body   any
		event  string
	}{
		{"pay", nil, channels.EventOrderPay},
		{"confirm", map[string]any{"confirm_type": 2}, channels.EventOrderConfirm},
		{"settle", map[string]any{"at": "2026-03-20T00:00:00+08:00"}, channels.EventOrderSettle},
		{"cancel", nil, channels.EventOrderCancel},
	} {
		ps := pushes(e.mustPost(base+step.action, step.body))
		if len(ps) != 1 || ps[0]["event"] != step.event || ps[0]["delivered"] != true {
			t.Fatalf("%s: %v", step.action, ps)
		}
	}
	evs := e.rcv.events()
	if evs[1].Order.ConfirmType != 2 || evs[2].Order.SettleTime != 1773936000 || evs[3].Order.CancelType != channels.CancelByMerchant {
		t.Fatalf("events %+v %+v %+v", evs[1].Order, evs[2].Order, evs[3].Order)
	}
	for _, bad := range []struct {
		path   string
		status int
	}{
		{base + "pay", http.StatusConflict},
		{base + "explode", http.StatusNotFound},
		{"/_sim/control/channels/b/orders/1/confirm", http.StatusNotFound},
		{"/_sim/control/channels/other-brand/orders/3705115058471208928/confirm", http.StatusNotFound},
	} {
		if status, out := e.post(bad.path, nil); status != bad.status {
			t.Errorf("%s: %d %v", bad.path, status, out)
		}
	}
}

func TestShopControlRefusesBadBodies(t *testing.T) {
	e := newShopEnv(t)
	line := func(extra map[string]any) map[string]any {
		l := map[string]any{"product_id": "1", "sku_id": "2", "price_fen": 100, "quantity": 1}
		for k, v := range extra {
			l[k] = v
		}
		return l
	}
	for _, b := range []any{
		map[string]any{},
		map[string]any{"lines": []any{line(map[string]any{"quantity": 0})}},
		map[string]any{"lines": []any{line(map[string]any{"price_fen": -1})}},
		map[string]any{"lines": []any{line(map[string]any{"paid_fen": 101})}},
		map[string]any{"lines": []any{line(nil), line(nil)}},
		map[string]any{"lines": []any{line(map[string]any{"sku_id": "a b"})}},
		map[string]any{"lines": []any{line(nil)}, "pay_time": "yesterday"},
		map[string]any{"lines": []any{line(nil)}, "sharer": map[string]any{}},
		map[string]any{"lines": []any{line(nil)}, "buyer": map[string]any{"openid": "o/../x"}},
		"not json",
	} {
		if status, out := e.post("/_sim/control/channels/b/orders", b); status != http.StatusBadRequest || out["code"] != "INVALID_ARGUMENT" {
			t.Errorf("%v: %d %v", b, status, out)
		}
	}
	if status, _ := e.post("/_sim/control/channels/b/aftersales", map[string]any{"order_id": "nope", "lines": []any{map[string]any{"sku_id": "2"}}}); status != http.StatusNotFound {
		t.Errorf("after-sale of an unknown order: %d", status)
	}
	if len(e.rcv.events()) != 0 {
		t.Fatal("a refused control call pushed something")
	}
}

func TestShopFaults(t *testing.T) {
	e := newShopEnv(t)
	faults := func(body any) map[string]any { return e.mustPost("/_sim/control/faults", body) }

	// Duplicates arrive at once, byte for byte the same request.
	faults(map[string]any{"channels": map[string]any{"duplicate_pushes": 3}})
	ps := pushes(e.mustPost("/_sim/control/channels/b/orders", twoLineOrder()))
	if len(ps) != 4 || ps[1]["kind"] != "duplicate" {
		t.Fatalf("pushes %v", ps)
	}
	if n := len(e.rcv.events()); n != 4 {
		t.Fatalf("received %d copies, want 4", n)
	}

	// Reorder: the first push waits for the second, which arrives first.
	faults(map[string]any{"channels": map[string]any{"reorder_pushes": true}})
	first := e.mustPost("/_sim/control/channels/b/orders", twoLineOrder())
	if ps := pushes(first); len(ps) != 1 || ps[0]["held"] != true {
		t.Fatalf("first push not held: %v", ps)
	}
	firstID := str(first["order"].(map[string]any)["order_id"])
	second := e.mustPost("/_sim/control/channels/b/orders", twoLineOrder())
	secondID := str(second["order"].(map[string]any)["order_id"])
	evs := e.rcv.events()
	if len(evs) != 6 || evs[4].OrderID() != secondID || evs[5].OrderID() != firstID {
		t.Fatalf("not reordered: %d events", len(evs))
	}
	// Switching reorder off delivers what is held.
	e.mustPost("/_sim/control/channels/b/orders", twoLineOrder())
	if len(e.rcv.events()) != 6 {
		t.Fatal("a held push was delivered early")
	}
	cur := faults(map[string]any{"channels": map[string]any{}})
	if cur["channels"].(map[string]any)["reorder_pushes"] != false || len(e.rcv.events()) != 7 {
		t.Fatalf("switching reorder off: %v, %d events", cur, len(e.rcv.events()))
	}

	// Forged probes precede the real push and are all refused for their own reason.
	faults(map[string]any{"channels": map[string]any{"forged_probes": true}})
	ps = pushes(e.mustPost("/_sim/control/channels/b/orders", twoLineOrder()))
	kinds := []string{}
	for _, p := range ps {
		kinds = append(kinds, str(p["kind"]))
		if strings.HasPrefix(str(p["kind"]), "probe_") && (p["status"] != float64(400) || p["delivered"] != false) {
			t.Errorf("probe %v was not refused", p)
		}
	}
	if strings.Join(kinds, ",") != "probe_bad_signature,probe_wrong_appid,probe_truncated,probe_bad_padding,push" {
		t.Fatalf("kinds %v", kinds)
	}
	e.rcv.mu.Lock()
	refused := e.rcv.refused
	e.rcv.mu.Unlock()
	if refused[channels.ErrSignature] != 1 || refused[channels.ErrAppID] != 1 || refused[channels.ErrCiphertext] != 1 || refused[channels.ErrPadding] != 1 {
		t.Fatalf("refusals %v", refused)
	}
	if len(e.rcv.events()) != 8 {
		t.Fatal("the real push after the probes was not delivered")
	}

	// Bad fault bodies change nothing.
	for _, b := range []any{map[string]any{"nope": map[string]any{}}, map[string]any{"channels": map[string]any{"duplicate_pushes": 99}},
		map[string]any{"channels": map[string]any{"typo": true}}} {
		if status, _ := e.post("/_sim/control/faults", b); status != http.StatusBadRequest {
			t.Errorf("%v: %d", b, status)
		}
	}
	if _, got := e.do(http.MethodGet, "/_sim/control/faults", nil); got["channels"].(map[string]any)["forged_probes"] != true {
		t.Fatalf("faults after bad bodies: %v", got)
	}

	// The push log lists everything sent for the brand.
	_, log := e.do(http.MethodGet, "/_sim/control/channels/b/pushes", nil)
	// 4 copies; held, then second + first; held, flushed; 4 probes + the push.
	if n := len(log["pushes"].([]any)); n != 4+3+2+5 {
		t.Fatalf("push log has %d entries", n)
	}
}

func TestShopVerifyURL(t *testing.T) {
	e := newShopEnv(t)
	out := e.mustPost("/_sim/control/channels/b/verify-url", nil)
	if out["status"] != float64(200) || out["echoed"] != true {
		t.Fatalf("%v", out)
	}
}

func TestShopRegistration(t *testing.T) {
	e := newShopEnv(t)
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	bad := []map[string]any{
		{"appid": "wx1", "secret": "s", "token": "t", "encoding_aes_key": "short"},
		{"appid": "", "secret": "s", "token": "t", "encoding_aes_key": key},
		{"appid": "wx1", "secret": "", "token": "t", "encoding_aes_key": key},
		{"appid": "wx1", "secret": "s", "token": "t", "encoding_aes_key": key, "push_url": "ftp://x"},
	}
	for _, b := range bad {
		req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/_sim/control/channels/b2/shop", strings.NewReader(mustJSON(b)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d", b, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/_sim/control/channels/b2/shop",
		strings.NewReader(mustJSON(map[string]any{"appid": "wx00000000000000b2", "secret": "s2", "token": "t2", "encoding_aes_key": key})))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("register: %v %v", resp, err)
	}
	resp.Body.Close()
	_, sh := e.do(http.MethodGet, "/_sim/control/channels/b2/shop", nil)
	if sh["appid"] != "wx00000000000000b2" || !strings.HasSuffix(str(sh["push_url"]), "/webhooks/channels/b2") {
		t.Fatalf("shop %v", sh)
	}
	// Its pushes are encrypted for its own appid with its own key: the demo-keyed receiver
	// refuses them (bad signature: another token).
	ps := pushes(e.mustPost("/_sim/control/channels/b2/orders", twoLineOrder()))
	if ps[0]["status"] != float64(400) {
		t.Fatalf("push of another shop: %v", ps)
	}
	_, demo := e.do(http.MethodGet, "/_sim/control/channels/b3/shop", nil)
	if demo["appid"] != simulator.DemoShopAppID || demo["secret"] != e.sim.Keys().ChannelsShopSecret() {
		t.Fatalf("unregistered brand's shop %v", demo)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

package channelsorders_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/channelsorders"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
	"github.com/sharecast/sharecast/wechat"
	"github.com/sharecast/sharecast/wechat/channels"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// call is one OrderIntake call as the fake saw it.
type call struct {
	Method  string
	BrandID string
	Paid    referral.PaidOrder
	Update  referral.AfterSaleUpdate
	Order   string
	At      time.Time
}

// intake records every call; fail, when set, answers the next calls' error.
type intake struct {
	mu    sync.Mutex
	calls []call
	fail  error
}

func (f *intake) add(c call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.calls = append(f.calls, c)
	return nil
}

func (f *intake) Paid(_ context.Context, brandID string, o referral.PaidOrder) error {
	return f.add(call{Method: "Paid", BrandID: brandID, Paid: o, Order: o.ExternalID, At: o.PaidAt})
}
func (f *intake) Confirmed(_ context.Context, brandID, source, id string, at time.Time) error {
	return f.add(call{Method: "Confirmed", BrandID: brandID, Order: source + ":" + id, At: at})
}
func (f *intake) Cancelled(_ context.Context, brandID, source, id string, at time.Time) error {
	return f.add(call{Method: "Cancelled", BrandID: brandID, Order: source + ":" + id, At: at})
}
func (f *intake) Settled(_ context.Context, brandID, source, id string, at time.Time) error {
	return f.add(call{Method: "Settled", BrandID: brandID, Order: source + ":" + id, At: at})
}
func (f *intake) AfterSale(_ context.Context, brandID string, u referral.AfterSaleUpdate) error {
	return f.add(call{Method: "AfterSale", BrandID: brandID, Update: u, Order: u.ExternalID, At: u.At})
}

func (f *intake) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// capture plays the network between WeChat and sharecast: it keeps every push the simulator
// sends, so a test delivers them to Receive in any order and any number of times.
type capture struct {
	mu     sync.Mutex
	pushes []channelsorders.Push
	kinds  []string
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	c.mu.Lock()
	c.pushes = append(c.pushes, channelsorders.Push{MsgSignature: q.Get("msg_signature"), Timestamp: q.Get("timestamp"), Nonce: q.Get("nonce"), Body: body})
	c.mu.Unlock()
	_, _ = io.WriteString(w, "success")
}

// take answers the pushes captured since the last take.
func (c *capture) take() []channelsorders.Push {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.pushes
	c.pushes = nil
	return out
}

type fixture struct {
	t       *testing.T
	st      *store.Store
	svc     *channelsorders.Service
	intake  *intake
	brandID string
	sim     *httptest.Server
	cap     *capture
	runner  *jobs.Runner
}

// newFixture builds the door on a fresh store: a brand configured like the demo brand (the
// simulator's demo shop), the simulator as WeChat, River working the jobs.
func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	root := make([]byte, 32)
	_, _ = rand.Read(root)
	box, err := secrets.New(root)
	if err != nil {
		t.Fatal(err)
	}
	bsvc := &brands.Service{Store: st, Sealer: box, Clock: clock.System{}}
	cp := &capture{}
	csrv := httptest.NewServer(cp)
	t.Cleanup(csrv.Close)
	sim, err := simulator.New(simulator.Options{ServiceURL: csrv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ssrv := httptest.NewServer(sim.Handler())
	t.Cleanup(ssrv.Close)
	k := sim.Keys()
	str := func(s string) *string { return &s }
	b, err := bsvc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "shop", Name: "Shop", City: "上海",
		Settings: brands.SettingsInput{ChannelsAppID: str(simulator.DemoShopAppID), Credentials: map[string]*string{
			brands.CredChannelsAppSecret: str(k.ChannelsShopSecret()), brands.CredPushToken: str(k.ChannelsToken),
			brands.CredPushAESKey: str(k.ChannelsEncodingAESKey)}}})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := jobs.New(jobs.Deps{Store: st, Clock: clock.System{}, Logger: log},
		jobs.Options{FetchPollInterval: 50 * time.Millisecond, RescueStuckAfter: 5 * time.Second, RetryBase: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in := &intake{}
	svc := &channelsorders.Service{Brands: bsvc, Store: st, Jobs: r, Intake: in, Clock: clock.System{}, Log: log,
		WeChat: wechat.NewClient(wechat.Options{BaseURL: ssrv.URL + "/_sim/api"})}
	river.AddWorker(r.Workers(), channelsorders.NewWorker(svc))
	return &fixture{t: t, st: st, svc: svc, intake: in, brandID: b.ID, sim: ssrv, cap: cp, runner: r}
}

func (f *fixture) start() {
	f.t.Helper()
	ctx := context.Background()
	if err := f.runner.Start(ctx); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = f.runner.Stop(sctx)
	})
}

// control calls a simulator control endpoint; the pushes it triggers land in the capture.
func (f *fixture) control(path string, body any) map[string]any {
	f.t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(f.sim.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("%s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

func (f *fixture) order(body map[string]any) string {
	f.t.Helper()
	return f.control("/_sim/control/channels/"+f.brandID+"/orders", body)["order"].(map[string]any)["order_id"].(string)
}

func (f *fixture) afterSale(orderID, sku string, qty int, status string) string {
	f.t.Helper()
	out := f.control("/_sim/control/channels/"+f.brandID+"/aftersales", map[string]any{"order_id": orderID, "status": status,
		"lines": []any{map[string]any{"sku_id": sku, "quantity": qty}}})
	return out["aftersales"].([]any)[0].(map[string]any)["after_sale_order_id"].(string)
}

// receive delivers pushes to the door, which must take each.
func (f *fixture) receive(ps ...channelsorders.Push) []channelsorders.Receipt {
	f.t.Helper()
	var out []channelsorders.Receipt
	for _, p := range ps {
		r, err := f.svc.Receive(context.Background(), f.brandID, p)
		if err != nil {
			f.t.Fatalf("receive: %v", err)
		}
		out = append(out, r)
	}
	return out
}

// waitCalls polls until the intake saw n calls (a deadline, no sleeping guess).
func (f *fixture) waitCalls(n int) []call {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		calls := f.intake.snapshot()
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("intake saw %d calls, want %d: %+v", len(calls), n, calls)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.st.DB().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) jobCount() int {
	return f.count("SELECT count(*) FROM river_job WHERE kind = 'channels_order_event'")
}

func (f *fixture) inboxCount() int {
	n, err := f.st.CountChannelsEvents(context.Background(), f.brandID)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

var buyer = map[string]any{"openid": "oBuyerShop", "unionid": "uBuyer"}

func twoLines() []any {
	return []any{
		map[string]any{"product_id": "1001", "sku_id": "2001", "price_fen": 1000, "quantity": 2, "paid_fen": 1800},
		map[string]any{"product_id": "1002", "sku_id": "2002", "price_fen": 500, "quantity": 1},
	}
}

// Every event type reaches the intake with WeChat's values translated.
func TestEveryEventType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.start()
		payAt := time.Date(2026, 3, 1, 20, 5, 0, 0, time.FixedZone("CST", 8*3600))
		id := f.order(map[string]any{"buyer": buyer, "lines": twoLines(), "city": "杭州市",
			"sharer": map[string]any{"openid": "oSharerShop", "unionid": "uSharer"}, "pay_time": payAt.Format(time.RFC3339)})
		f.receive(f.cap.take()...)
		calls := f.waitCalls(1)
		p := calls[0].Paid
		want := referral.PaidOrder{Source: referral.SourceChannels, ExternalID: id,
			Buyer: referral.Identity{OpenID: "oBuyerShop", UnionID: "uBuyer"}, ShipCity: "杭州市", PaidAt: time.Unix(payAt.Unix(), 0),
			Sharer: referral.Identity{OpenID: "oSharerShop", UnionID: "uSharer"},
			Lines: []referral.OrderLineInput{{LineID: "2001", ProductID: "1001", SKUID: "2001", Quantity: 2, PaidFen: 1800},
				{LineID: "2002", ProductID: "1002", SKUID: "2002", Quantity: 1, PaidFen: 500}}}
		if calls[0].Method != "Paid" || calls[0].BrandID != f.brandID || fmt.Sprint(p) != fmt.Sprint(want) {
			t.Fatalf("Paid\n got %+v\nwant %+v", p, want)
		}

		// An after-sale opens, then refunds one unit of 2001 with 900 fen.
		as := f.afterSale(id, "2001", 1, channels.AfterSaleMerchantProcessing)
		f.receive(f.cap.take()...)
		calls = f.waitCalls(2)
		if u := calls[1].Update; calls[1].Method != "AfterSale" || u.State != referral.AfterSaleOpen || u.AfterSaleID != as || u.ExternalID != id || len(u.Lines) != 0 {
			t.Fatalf("open after-sale %+v", calls[1])
		}
		f.control("/_sim/control/channels/"+f.brandID+"/aftersales/"+as, map[string]any{"status": channels.AfterSaleRefundSuccess})
		f.receive(f.cap.take()...)
		calls = f.waitCalls(3)
		if u := calls[2].Update; u.State != referral.AfterSaleRefunded || len(u.Lines) != 1 || u.Lines[0] != (referral.RefundLine{LineID: "2001", RefundFen: 900}) {
			t.Fatalf("refund %+v", calls[2])
		}
		// A rejected after-sale is closed.
		rej := f.afterSale(id, "2002", 1, channels.AfterSaleMerchantRejectRefund)
		f.receive(f.cap.take()...)
		calls = f.waitCalls(4)
		if u := calls[3].Update; u.State != referral.AfterSaleClosed || u.AfterSaleID != rej {
			t.Fatalf("rejection %+v", calls[3])
		}

		// Confirm and settle carry their times.
		f.control("/_sim/control/channels/"+f.brandID+"/orders/"+id+"/confirm", map[string]any{"at": "2026-03-03T09:00:00+08:00"})
		f.control("/_sim/control/channels/"+f.brandID+"/orders/"+id+"/settle", map[string]any{"at": "2026-03-20T00:00:00+08:00"})
		f.receive(f.cap.take()...)
		calls = f.waitCalls(6)
		got := map[string]call{calls[4].Method: calls[4], calls[5].Method: calls[5]}
		if c := got["Confirmed"]; c.Order != "channels:"+id {
			t.Fatalf("confirm %+v", calls[4:])
		}
		if c := got["Settled"]; !c.At.Equal(time.Date(2026, 3, 20, 0, 0, 0, 0, time.FixedZone("", 8*3600))) {
			t.Fatalf("settle %+v", c)
		}

		// A cancel of a paid order reverses it; one of an order never paid reaches nobody.
		paid2 := f.order(map[string]any{"buyer": buyer, "lines": twoLines()})
		f.control("/_sim/control/channels/"+f.brandID+"/orders/"+paid2+"/cancel", map[string]any{"cancel_type": 4})
		unpaid := f.order(map[string]any{"buyer": buyer, "lines": twoLines(), "unpaid": true})
		f.control("/_sim/control/channels/"+f.brandID+"/orders/"+unpaid+"/cancel", nil)
		rs := f.receive(f.cap.take()...)
		if len(rs) != 3 {
			t.Fatalf("receipts %+v", rs)
		}
		calls = f.waitCalls(8)
		if calls[6].Method == calls[7].Method || (calls[6].Method != "Cancelled" && calls[7].Method != "Cancelled") {
			t.Fatalf("cancel calls %+v", calls[6:])
		}
		waitProcessed(t, f, rs[2].EventID, channelsorders.OutcomeUnpaidCancel)
		if n := len(f.intake.snapshot()); n != 8 {
			t.Fatalf("an unpaid cancel reached the intake: %d calls", n)
		}
	})
}

// waitProcessed polls the inbox until the event is applied and checks its outcome.
func waitProcessed(t *testing.T, f *fixture, eventID, outcome string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ev, err := f.st.ChannelsEvent(context.Background(), f.brandID, eventID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.ProcessedAt != nil {
			if ev.Outcome != outcome {
				t.Fatalf("outcome %q, want %q", ev.Outcome, outcome)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s not processed (last error %q)", eventID, ev.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Events arrive out of order: a refund before its order's pay event, a stale "processing"
// after "refunded". Each reaches the intake (which parks what it cannot apply yet), and the
// after-sale state comes from the detail, so a stale push never reopens a refunded after-sale.
func TestOutOfOrderEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		id := f.order(map[string]any{"buyer": buyer, "lines": twoLines()})
		pay := f.cap.take()
		as := f.afterSale(id, "2002", 0, channels.AfterSaleMerchantProcessing)
		processing := f.cap.take()
		f.control("/_sim/control/channels/"+f.brandID+"/aftersales/"+as, map[string]any{"status": channels.AfterSaleRefundSuccess})
		refunded := f.cap.take()

		f.receive(refunded...)
		f.receive(processing...)
		f.receive(pay...)
		f.start()
		calls := f.waitCalls(3)
		var methods []string
		for _, c := range calls {
			methods = append(methods, c.Method)
			if c.Method == "AfterSale" && (c.Update.State != referral.AfterSaleRefunded || c.Update.Lines[0].RefundFen != 500) {
				t.Fatalf("an after-sale call was not the newest state: %+v", c.Update)
			}
		}
		if fmt.Sprint(methods) != "[AfterSale AfterSale Paid]" && fmt.Sprint(methods) != "[AfterSale Paid AfterSale]" &&
			fmt.Sprint(methods) != "[Paid AfterSale AfterSale]" {
			t.Fatalf("calls %v", methods)
		}
		if f.inboxCount() != 3 || f.jobCount() != 3 {
			t.Fatalf("inbox %d, jobs %d", f.inboxCount(), f.jobCount())
		}
	})
}

// One push delivered 50 times at once: one inbox row, one job, one intake call.
func TestFiftyIdenticalPushesInParallel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.order(map[string]any{"buyer": buyer, "lines": twoLines()})
		push := f.cap.take()[0]
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			stored int
			dup    int
			errs   []error
		)
		for range 50 {
			wg.Go(func() {
				r, err := f.svc.Receive(context.Background(), f.brandID, push)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case r.Stored:
					stored++
				case r.Duplicate:
					dup++
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 || stored != 1 || dup != 49 {
			t.Fatalf("stored %d, duplicates %d, errors %v", stored, dup, errs)
		}
		if f.inboxCount() != 1 || f.jobCount() != 1 {
			t.Fatalf("inbox %d rows, %d jobs", f.inboxCount(), f.jobCount())
		}
		f.start()
		calls := f.waitCalls(1)
		if len(calls) != 1 || calls[0].Method != "Paid" {
			t.Fatalf("calls %+v", calls)
		}
	})
}

// Forged pushes are refused with the right error and leave nothing behind.
func TestBadPushesStoreNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.control("/_sim/control/faults", map[string]any{"channels": map[string]any{"forged_probes": true}})
		f.order(map[string]any{"buyer": buyer, "lines": twoLines()})
		ps := f.cap.take()
		if len(ps) != 5 {
			t.Fatalf("captured %d requests, want 4 probes + the push", len(ps))
		}
		good := ps[4]
		tests := []struct {
			name  string
			brand string
			push  channelsorders.Push
			kind  apperr.Kind
			code  string
		}{
			{"wrong signature", f.brandID, ps[0], apperr.Unauthenticated, "PUSH_SIGNATURE_INVALID"},
			{"wrong appid", f.brandID, ps[1], apperr.Invalid, "PUSH_APPID_MISMATCH"},
			{"truncated ciphertext", f.brandID, ps[2], apperr.Invalid, "PUSH_INVALID"},
			{"bad padding", f.brandID, ps[3], apperr.Invalid, "PUSH_INVALID"},
			{"signature of another timestamp", f.brandID, channelsorders.Push{MsgSignature: good.MsgSignature, Timestamp: "1", Nonce: good.Nonce, Body: good.Body}, apperr.Unauthenticated, "PUSH_SIGNATURE_INVALID"},
			{"body not JSON", f.brandID, channelsorders.Push{MsgSignature: good.MsgSignature, Timestamp: good.Timestamp, Nonce: good.Nonce, Body: []byte("<xml/>")}, apperr.Invalid, "PUSH_INVALID"},
			{"unknown brand", "00000000-0000-0000-0000-000000000000", good, apperr.NotFound, "BRAND_NOT_FOUND"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.Receive(context.Background(), tt.brand, tt.push)
				if apperr.KindOf(err) != tt.kind || apperr.CodeOf(err) != tt.code {
					t.Fatalf("got %v, want %v %s", err, tt.kind, tt.code)
				}
			})
		}
		if f.inboxCount() != 0 || f.jobCount() != 0 {
			t.Fatalf("refused pushes left %d rows and %d jobs", f.inboxCount(), f.jobCount())
		}
		// The genuine push still goes through.
		if r := f.receive(good); !r[0].Stored {
			t.Fatalf("%+v", r)
		}
	})
}

// Without the orders domain, jobs wait (Unavailable, retried) and keep why in the inbox; an
// error the intake marks permanent cancels the job.
func TestIntakeMissingOrRefusing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.order(map[string]any{"buyer": buyer, "lines": twoLines()})
		r := f.receive(f.cap.take()...)[0]
		ctx := context.Background()
		f.svc.Intake = nil
		err := f.svc.Apply(ctx, f.brandID, r.EventID, 1)
		if apperr.KindOf(err) != apperr.Unavailable || apperr.CodeOf(err) != "ORDER_INTAKE_UNAVAILABLE" {
			t.Fatalf("without intake: %v", err)
		}
		ev, _ := st.ChannelsEvent(ctx, f.brandID, r.EventID)
		if ev.ProcessedAt != nil || ev.LastError == "" {
			t.Fatalf("inbox row %+v", ev)
		}

		in := &intake{fail: apperr.New(apperr.Rule, "ORDER_CONFLICT", "refused")}
		f.svc.Intake = in
		w := channelsorders.NewWorker(f.svc)
		err = w.Work(ctx, &river.Job[channelsorders.EventArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: channelsorders.EventArgs{BrandID: f.brandID, EventID: r.EventID}})
		var cancel *river.JobCancelError
		if !errors.As(err, &cancel) {
			t.Fatalf("a permanent refusal must cancel the job: %v", err)
		}
		in.fail = apperr.New(apperr.Unavailable, "DB_BUSY", "try again")
		err = w.Work(ctx, &river.Job[channelsorders.EventArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: channelsorders.EventArgs{BrandID: f.brandID, EventID: r.EventID}})
		if err == nil || errors.As(err, &cancel) {
			t.Fatalf("an unavailable intake must retry: %v", err)
		}
		in.fail = nil
		if err := f.svc.Apply(ctx, f.brandID, r.EventID, 2); err != nil {
			t.Fatal(err)
		}
		// Applied once; a later run of the same job changes nothing.
		if err := f.svc.Apply(ctx, f.brandID, r.EventID, 3); err != nil || len(in.snapshot()) != 1 {
			t.Fatalf("second apply: %v, %d calls", err, len(in.snapshot()))
		}
	})
}

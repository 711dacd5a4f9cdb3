package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
)

// Hardened payouts through the HTTP server and the simulated WeChat Pay: frozen create
// parameters, a repeat refused as differing, brands without a merchant.

func (w *payoutWorld) faults(t *testing.T, f map[string]any) {
	t.Helper()
	if r := w.s.do("POST", "/_sim/control/faults", "", map[string]any{"pay": f}); r.status != 200 {
		t.Fatalf("faults: %d %s", r.status, r.raw)
	}
}

func (w *payoutWorld) settings(t *testing.T, patch map[string]any) {
	t.Helper()
	expect(t, w.s.do("PATCH", "/admin/v1/settings", w.owner, patch), 200, "")
}

// alertsOf lists the brand's alerts of a kind for a payout.
func (w *payoutWorld) alertsOf(t *testing.T, kind, payoutID string) []map[string]any {
	t.Helper()
	r := w.s.do("GET", "/admin/v1/alerts", w.finance, nil)
	expect(t, r, 200, "")
	list, _ := r.body["alerts"].([]any)
	var out []map[string]any
	for _, a := range list {
		m, _ := a.(map[string]any)
		if m["kind"] == kind && m["payout_id"] == payoutID {
			out = append(out, m)
		}
	}
	return out
}

// attempts counts the payout's create attempts with an outcome.
func (w *payoutWorld) createAttempts(t *testing.T, payoutID, outcome string) int {
	t.Helper()
	atts, err := w.s.app.store.Payouts(nil).ListAttempts(context.Background(), w.brandID, payoutID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range atts {
		if a.Op == "create" && a.Outcome == outcome {
			n++
		}
	}
	return n
}

// giveMerchant configures the simulator's merchant for a brand (under its own mini-program
// appid): payouts of a brand without one are refused.
func (s *svc) giveMerchant(t *testing.T, brandID, appID string) {
	t.Helper()
	k := s.app.sim.Keys()
	str := func(v string) *string { return &v }
	if _, err := s.app.brands.UpdateSettings(context.Background(), brands.CLIActor, brandID, brands.SettingsInput{
		MPAppID: str(appID), PayMchID: str(k.MchID), PaySerialNo: str(k.MerchantSerialNo), PayPublicKeyID: str(k.PublicKeyID),
		PayPublicKey: str(string(k.WechatPayPublicKeyPEM)), PayTransferSceneID: str("1005"),
		Credentials: map[string]*string{brands.CredPayPrivateKey: str(string(k.MerchantPrivateKeyPEM)), brands.CredPayAPIv3Key: str(k.APIv3Key)},
	}); err != nil {
		t.Fatal(err)
	}
}

// waitAccepted requests amount (auto-approved) while the simulator answers the create with
// ACCEPTED and no package_info, and waits until the payout is submitted without one: its
// next advance (the sweep, once the clock moves) repeats the create for the package.
func (w *payoutWorld) waitAccepted(t *testing.T, amount int64) (id, outBillNo string) {
	t.Helper()
	w.faults(t, map[string]any{"reset": true, "accept_only": 1})
	r := w.request(t, amount)
	id, outBillNo = r.str("payout.id"), r.str("payout.out_bill_no")
	p := w.s.waitPayout(w.finance, id, "submitted")
	if st := p.str("payout.wechat_state"); st != "ACCEPTED" {
		t.Fatalf("bill %s, want ACCEPTED: %s", st, p.raw)
	}
	return id, outBillNo
}

// The brand's transfer scene changes between the first create and its repeat: the repeat
// carries the scene stored with the first create intent, so the simulator answers the bill
// with its package_info (with the current scene it would refuse it as another request).
func TestPayoutCreateParamsFrozenThroughSimulator(t *testing.T) {
	enginesWith(t, payoutsSetup, func(t *testing.T, s *svc) {
		w := newPayoutWorld(t, s, 40_000)
		id, outBillNo := w.waitAccepted(t, 3_000)
		stored, err := s.app.store.Payouts(nil).PayoutByID(context.Background(), w.brandID, id)
		if err != nil || stored.SceneID != "1005" || !strings.HasSuffix(stored.NotifyURL, "/transfer") {
			t.Fatalf("stored params %q %q: %v", stored.SceneID, stored.NotifyURL, err)
		}
		w.settings(t, map[string]any{"pay_transfer_scene_id": "1000"})
		w.clk(t, 2*time.Second) // the sweep advances the untouched payout: query, then repeat
		w.waitPayout(t, id, "waiting with package", func(r resp) bool { return r.str("payout.confirm.package") != "" })
		if n := w.createAttempts(t, id, "refused"); n != 0 {
			t.Fatalf("%d refused creates", n)
		}
		if len(w.alertsOf(t, "create_params_differ", id)) != 0 {
			t.Fatal("create_params_differ alert for an identical repeat")
		}
		if r := s.do("POST", "/_sim/control/transfers/"+outBillNo+"/confirm", "", map[string]any{"openid": w.a.openid}); r.status != 200 {
			t.Fatalf("confirm: %d %s", r.status, r.raw)
		}
		w.waitPayout(t, id, "paid", func(r resp) bool { return r.str("payout.status") == "paid" })
		if n := len(w.bills(t)); n != 1 {
			t.Fatalf("%d bills at the simulator", n)
		}
		b := w.balances(t)
		if fen(b["available_fen"]) != 37_000 || fen(b["in_flight_fen"]) != 0 || fen(b["paid_fen"]) != 3_000 {
			t.Fatalf("balances %v", b)
		}
		t.Logf("scene 1005 → 1000 between create and repeat: repeat carried 1005, %d bill, paid once; %s", len(w.bills(t)), w.ledgerVerify(t))
	})
}

// A repeat the simulator refuses as differing from the first create (a payout from before its
// parameters were stored, whose brand changed its scene): the payout is not failed, the hold
// stays, one create_params_differ alert (shown on /admin/v1/alerts and the gauge, not repeated
// by later runs), the bill is followed by query and paid once when the member confirms.
func TestPayoutDifferingRepeatThroughSimulator(t *testing.T) {
	enginesWith(t, payoutsSetup, func(t *testing.T, s *svc) {
		w := newPayoutWorld(t, s, 40_000)
		id, outBillNo := w.waitAccepted(t, 3_000)
		q := `UPDATE payouts SET transfer_scene_id = '', notify_url = '' WHERE id = ?`
		if s.app.store.IsPostgres() {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := s.app.store.DB().ExecContext(context.Background(), q, id); err != nil {
			t.Fatal(err)
		}
		w.settings(t, map[string]any{"pay_transfer_scene_id": "1000"})
		w.clk(t, 2*time.Second)
		poll(t, "a create refused as differing", func() bool { return w.createAttempts(t, id, "refused") >= 1 })
		poll(t, "the alert", func() bool { return len(w.alertsOf(t, "create_params_differ", id)) == 1 })
		w.s.waitPayout(w.finance, id, "submitted")
		// Re-runs (the job's, the sweep's) query the bill, neither create again nor alert again.
		for i := 0; i < 2; i++ {
			if err := s.app.payouts.Advance(context.Background(), w.brandID, id); err != nil {
				t.Fatalf("re-run %d: %v", i, err)
			}
		}
		if n, r := len(w.alertsOf(t, "create_params_differ", id)), w.createAttempts(t, id, "refused"); n != 1 || r != 1 {
			t.Fatalf("%d create_params_differ alerts, %d refused creates; want 1 and 1", n, r)
		}
		if !strings.Contains(s.metrics(), `sharecast_reconciliation_mismatches{kind="create_params_differ"} 1`) {
			t.Fatal("the gauge does not count the alert")
		}
		p := w.s.waitPayout(w.finance, id, "submitted")
		if st := p.str("payout.wechat_state"); st != "WAIT_USER_CONFIRM" {
			t.Fatalf("bill %s, want WAIT_USER_CONFIRM learnt by query: %s", st, p.raw)
		}
		b := w.balances(t)
		if fen(b["available_fen"]) != 37_000 || fen(b["in_flight_fen"]) != 3_000 {
			t.Fatalf("the hold moved: %v", b)
		}
		if r := s.do("POST", "/_sim/control/transfers/"+outBillNo+"/confirm", "", map[string]any{"openid": w.a.openid}); r.status != 200 {
			t.Fatalf("confirm: %d %s", r.status, r.raw)
		}
		w.waitPayout(t, id, "paid", func(r resp) bool { return r.str("payout.status") == "paid" })
		b = w.balances(t)
		if fen(b["available_fen"]) != 37_000 || fen(b["in_flight_fen"]) != 0 || fen(b["paid_fen"]) != 3_000 || len(w.bills(t)) != 1 {
			t.Fatalf("balances %v, bills %d", b, len(w.bills(t)))
		}
		t.Logf("differing repeat: %d refused creates, 1 alert, hold kept, paid once; %s", w.createAttempts(t, id, "refused"), w.ledgerVerify(t))
	})
}

// A brand without a merchant: POST /mp/v1/payouts is 409 PAYOUTS_NOT_CONFIGURED (replayed as
// the first answer), nothing held. An approved payout whose merchant was removed waits with a
// merchant_missing alert and no create; once the merchant is back, the sweep sends it.
func TestPayoutsNotConfiguredThroughHTTP(t *testing.T) {
	enginesWith(t, payoutsSetup, func(t *testing.T, s *svc) {
		w := newPayoutWorld(t, s, 40_000)
		mch := s.do("GET", "/admin/v1/settings", w.owner, nil).str("settings.pay_mch_id")
		if mch == "" {
			t.Fatal("the demo brand has no merchant")
		}
		w.settings(t, map[string]any{"pay_mch_id": ""})
		for i := 0; i < 2; i++ {
			r := s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": 3_000}, "Idempotency-Key", "no-merchant")
			expect(t, r, 409, "PAYOUTS_NOT_CONFIGURED")
			if replayed := r.header.Get("Idempotency-Replayed") == "true"; replayed != (i == 1) {
				t.Fatalf("answer %d replayed=%v", i, replayed)
			}
		}
		if b := w.balances(t); fen(b["available_fen"]) != 40_000 || fen(b["in_flight_fen"]) != 0 {
			t.Fatalf("something was held: %v", b)
		}

		w.settings(t, map[string]any{"pay_mch_id": mch})
		r := w.request(t, 6_000) // above the auto-approve threshold: waits for finance
		id := r.str("payout.id")
		if st := r.str("payout.status"); st != "requested" {
			t.Fatalf("status %s, want requested", st)
		}
		w.settings(t, map[string]any{"pay_mch_id": ""})
		expect(t, s.do("POST", "/admin/v1/payouts/"+id+"/approve", w.finance, nil), 200, "")
		poll(t, "the merchant_missing alert", func() bool { return len(w.alertsOf(t, "merchant_missing", id)) == 1 })
		if st := s.do("GET", "/admin/v1/payouts/"+id, w.finance, nil).str("payout.status"); st != "approved" {
			t.Fatalf("status %s, want approved", st)
		}
		if n := w.createAttempts(t, id, "pending") + w.createAttempts(t, id, "unknown") + w.createAttempts(t, id, "bill"); n != 0 {
			t.Fatalf("%d creates without a merchant", n)
		}
		if !strings.Contains(s.metrics(), `sharecast_reconciliation_mismatches{kind="merchant_missing"} 1`) {
			t.Fatal("the gauge does not count the alert")
		}

		w.settings(t, map[string]any{"pay_mch_id": mch})
		w.clk(t, 2*time.Second)
		w.waitPayout(t, id, "waiting with package", func(r resp) bool { return r.str("payout.confirm.package") != "" })
		if b := w.balances(t); fen(b["available_fen"]) != 34_000 || fen(b["in_flight_fen"]) != 6_000 {
			t.Fatalf("balances %v", b)
		}
		t.Logf("no merchant: 409 PAYOUTS_NOT_CONFIGURED (replayed), approved payout parked with %d merchant_missing alert, sent once the merchant came back",
			len(w.alertsOf(t, "merchant_missing", id)))
	})
}

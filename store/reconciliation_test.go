package store_test

import (
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// A day with one payout of each kind: paid and matched, paid by a callback we lost (learnt by
// reconciliation), paid here but FAIL at WeChat, a bill of another amount, a bill WeChat does
// not have, and a bill open for more than 24 h. Reconciling twice stores each alert once.
func TestReconciliationDay(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		day := w.clk.Now().In(payouts.ReconcileZone).Format(time.DateOnly)
		submit := func(name string) payouts.Payout {
			t.Helper()
			m := w.member(name)
			w.fund(m, 10_000)
			ans := w.request(m, 3_000, "k-"+name)
			if err := w.advance(ans.Payout.ID); err != nil {
				t.Fatal(err)
			}
			return w.payout(ans.Payout.ID)
		}
		pay := func(p payouts.Payout) {
			t.Helper()
			if _, err := w.svc.ApplyBill(w.ctx, w.brand.ID, w.wx.settle(p.OutBillNo, payouts.BillSuccess)); err != nil {
				t.Fatal(err)
			}
		}
		ok, lost, flipped, amount, missing, stuck := submit("ok"), submit("lost"), submit("flipped"), submit("amount"), submit("missing"), submit("stuck")
		pay(ok)
		w.wx.settle(lost.OutBillNo, payouts.BillSuccess) // the callback never came
		pay(flipped)
		w.wx.mu.Lock()
		w.wx.bills[flipped.OutBillNo].State = payouts.BillFail
		w.wx.bills[amount.OutBillNo].AmountFen = 2_999
		delete(w.wx.bills, missing.OutBillNo)
		w.wx.mu.Unlock()
		w.clk.Advance(25 * time.Hour) // "stuck" still waits for its member

		alerts := map[string]int{}
		rec := &payouts.Reconciler{Payouts: w.svc, Store: w.st.Reconciliation(), OnAlert: func(k string) { alerts[k]++ }}
		if _, err := rec.ForAdmin(w.ctx, brands.RoleOperator, w.brand.ID, day); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("operator: %v", err)
		}
		for _, bad := range []string{"2026-13-01", "yesterday", w.clk.Now().AddDate(0, 0, 2).In(payouts.ReconcileZone).Format(time.DateOnly)} {
			if _, err := rec.ForAdmin(w.ctx, brands.RoleFinance, w.brand.ID, bad); apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("date %q: %v", bad, err)
			}
		}
		res, err := rec.ForAdmin(w.ctx, brands.RoleFinance, w.brand.ID, day)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, l := range append(append(append([]payouts.ReconcileLine{}, res.Matched...), res.Mismatched...), res.Missing...) {
			k := "matched"
			if len(l.Kinds) > 0 {
				k = l.Kinds[0]
			}
			kinds[l.PayoutID] = k
		}
		want := map[string]string{ok.ID: "matched", lost.ID: "matched", flipped.ID: payouts.AlertStateMismatch,
			amount.ID: payouts.AlertAmountMismatch, missing.ID: payouts.AlertMissing, stuck.ID: payouts.AlertStuck}
		for id, k := range want {
			if kinds[id] != k {
				t.Errorf("payout %s: %q, want %q (all: %v)", id, kinds[id], k, kinds)
			}
		}
		if len(res.Matched) != 2 || len(res.Mismatched) != 3 || len(res.Missing) != 1 || res.NewAlerts != 4 {
			t.Fatalf("matched %d mismatched %d missing %d new alerts %d", len(res.Matched), len(res.Mismatched), len(res.Missing), res.NewAlerts)
		}
		// The lost callback was learnt: paid once, in_flight → paid.
		if p := w.payout(lost.ID); p.Status != payouts.PayoutPaid {
			t.Fatalf("lost callback payout %+v", p)
		}
		// Our side is never rewritten by a disagreeing bill.
		if p := w.payout(flipped.ID); p.Status != payouts.PayoutPaid {
			t.Fatalf("flipped payout changed: %+v", p)
		}
		if p := w.payout(amount.ID); p.Status != payouts.PayoutSubmitted {
			t.Fatalf("amount-mismatched payout changed: %+v", p)
		}

		// The daily job reconciles yesterday again: nothing new.
		n, err := rec.Daily(w.ctx)
		if err != nil || n != 0 {
			t.Fatalf("daily: %d new alerts, %v", n, err)
		}
		list, err := rec.Alerts(w.ctx, brands.RoleOwner, w.brand.ID, day, 0)
		if err != nil || len(list) != 4 {
			t.Fatalf("alerts %+v %v", list, err)
		}
		counts, err := w.st.Reconciliation().CountAlerts(w.ctx)
		if err != nil || counts[payouts.AlertStuck] != 1 || counts[payouts.AlertMissing] != 1 || counts[payouts.AlertAmountMismatch] != 1 || counts[payouts.AlertStateMismatch] != 1 {
			t.Fatalf("counts %v %v", counts, err)
		}
		if alerts[payouts.AlertStuck] != 1 || len(alerts) != 4 {
			t.Fatalf("OnAlert %v", alerts)
		}
		// Another brand sees none of it.
		other := newPayWorld(t, newWorld(t, w.st, "other"))
		orec := &payouts.Reconciler{Payouts: other.svc, Store: w.st.Reconciliation()}
		if l, err := orec.Alerts(w.ctx, brands.RoleOwner, other.brand.ID, "", 0); err != nil || len(l) != 0 {
			t.Fatalf("other brand alerts %v %v", l, err)
		}
		if r, err := orec.Day(w.ctx, other.brand.ID, day); err != nil || len(r.Matched)+len(r.Mismatched)+len(r.Missing) != 0 {
			t.Fatalf("other brand day %+v %v", r, err)
		}
		rep := w.verify()
		t.Logf("reconciliation %s: matched %d (1 learnt from the bill), mismatched %d, missing %d, alerts %v; ledger %s",
			day, len(res.Matched), len(res.Mismatched), len(res.Missing), counts, rep)
	})
}

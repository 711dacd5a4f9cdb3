package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// waitPayout polls GET /admin/v1/payouts/{id} until its status is want (the send job and the
// simulator's callback run in the background).
func (s *svc) waitPayout(token, id, want string) resp {
	s.t.Helper()
	var r resp
	if !within(30*time.Second, func() bool {
		r = s.do("GET", "/admin/v1/payouts/"+id, token, nil)
		return r.str("payout.status") == want
	}) {
		s.t.Fatalf("payout %s is %q, want %q after 30s: %s", id, r.str("payout.status"), want, r.raw)
	}
	return r
}

// paidThroughSimulator funds a new member, has them request amount (auto-approved), waits for
// the bill, confirms it at the simulator and waits for the callback to mark it paid.
func (s *svc) paidThroughSimulator(owner string, amount int64) (id, outBillNo string) {
	s.t.Helper()
	m := s.login()
	expect(s.t, s.do("POST", "/admin/v1/adjustments", owner, map[string]any{"member_id": m.str("member.id"), "kind": "prize",
		"amount_fen": amount, "reason": "funds"}), 201, "")
	r := s.do("POST", "/mp/v1/payouts", m.str("access_token"), map[string]any{"amount_fen": amount}, "Idempotency-Key", "k-"+m.str("member.id"))
	expect(s.t, r, 201, "")
	id = r.str("payout.id")
	p := s.waitPayout(owner, id, "submitted")
	outBillNo = p.str("payout.out_bill_no")
	expect(s.t, s.do("POST", "/_sim/control/transfers/"+outBillNo+"/confirm", "", map[string]any{}), 200, "")
	s.waitPayout(owner, id, "paid")
	return id, outBillNo
}

func (s *svc) metrics() string {
	s.t.Helper()
	res, err := s.http.Get(s.base + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("metrics: %d", res.StatusCode)
	}
	return string(b)
}

// Reconciliation end to end against the simulated WeChat Pay: a payout paid through the
// simulator matches; one whose row we deliberately edit (amount) is mismatched, becomes one
// alert (also on a second run), shows in GET /admin/v1/alerts and in the metric; roles hold.
func TestReconciliationThroughSimulator(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		for _, a := range []map[string]any{{"username": "fin", "password": "finance-pass-1", "role": "finance"},
			{"username": "ops", "password": "operator-pass-1", "role": "operator"}} {
			expect(t, s.do("POST", "/admin/v1/admins", owner, a), 201, "")
		}
		fin, ops := s.adminLogin("fin", "finance-pass-1"), s.adminLogin("ops", "operator-pass-1")

		okID, _ := s.paidThroughSimulator(owner, 3_000)
		badID, badBill := s.paidThroughSimulator(owner, 2_000)
		// Our row says 1,999 fen; WeChat's bill says 2,000.
		q := "UPDATE payouts SET amount_fen = 1999 WHERE id = ?"
		if s.app.store.IsPostgres() {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := s.app.store.DB().Exec(q, badID); err != nil {
			t.Fatal(err)
		}

		expect(t, s.do("GET", "/admin/v1/reconciliation", ops, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/alerts", ops, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/reconciliation?date=2026-02-30", fin, nil), 400, "INVALID_ARGUMENT")
		expect(t, s.do("GET", "/admin/v1/reconciliation?date=2999-01-01", fin, nil), 400, "INVALID_ARGUMENT")

		r := s.do("GET", "/admin/v1/reconciliation", fin, nil) // today in Asia/Shanghai
		expect(t, r, 200, "")
		lines := func(key string) map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, l := range r.body[key].([]any) {
				m := l.(map[string]any)
				out[m["payout_id"].(string)] = m
			}
			return out
		}
		matched, mismatched, missing := lines("matched"), lines("mismatched"), lines("missing")
		if matched[okID] == nil || matched[okID]["wechat_state"] != "SUCCESS" || len(missing) != 0 {
			t.Fatalf("matched %v missing %v", matched, missing)
		}
		bad := mismatched[badID]
		if bad == nil || fmt.Sprint(bad["kinds"]) != "[amount_mismatch]" || bad["wechat_amount_fen"].(float64) != 2000 || bad["amount_fen"].(float64) != 1999 {
			t.Fatalf("mismatched %v", mismatched)
		}
		if r.body["new_alerts"].(float64) != 1 {
			t.Fatalf("new alerts %v", r.body["new_alerts"])
		}
		again := s.do("GET", "/admin/v1/reconciliation?date="+r.str("date"), owner, nil)
		expect(t, again, 200, "")
		if again.body["new_alerts"].(float64) != 0 {
			t.Fatalf("second run stored alerts again: %s", again.raw)
		}
		al := s.do("GET", "/admin/v1/alerts", fin, nil)
		expect(t, al, 200, "")
		list := al.body["alerts"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["out_bill_no"] != badBill || list[0].(map[string]any)["kind"] != "amount_mismatch" {
			t.Fatalf("alerts %s", al.raw)
		}
		met := s.metrics()
		if !strings.Contains(met, `sharecast_reconciliation_mismatches{kind="amount_mismatch"} 1`) ||
			!strings.Contains(met, `sharecast_reconciliation_mismatches{kind="missing"} 0`) {
			t.Fatalf("metric missing from /metrics")
		}
		t.Logf("reconciliation %s: matched %d, mismatched %d (amount, bill %s), missing %d; 1 alert, metric exported",
			r.str("date"), len(matched), len(mismatched), badBill, len(missing))
	})
}

// Batches through HTTP: roles, bad input, another brand's or unknown live → 404, and a live's
// batch is made once (the second POST replays it).
func TestPayoutBatchRoutes(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "ops", "password": "operator-pass-1", "role": "operator"}), 201, "")
		ops := s.adminLogin("ops", "operator-pass-1")
		lv := s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "batch live",
			"planned_start_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)})
		expect(t, lv, 201, "")
		liveID := lv.str("live.id")

		expect(t, s.do("POST", "/admin/v1/payout-batches", ops, map[string]any{"live_id": liveID}), 403, "FORBIDDEN")
		expect(t, s.do("POST", "/admin/v1/payout-batches", owner, map[string]any{}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/admin/v1/payout-batches", owner, "{"), 400, "")
		expect(t, s.do("POST", "/admin/v1/payout-batches", owner, map[string]any{"live_id": "nope"}), 404, "NOT_FOUND")

		first := s.do("POST", "/admin/v1/payout-batches", owner, map[string]any{"live_id": liveID})
		expect(t, first, 201, "")
		if first.str("batch.live_id") != liveID || first.body["batch"].(map[string]any)["payouts"].(float64) != 0 {
			t.Fatalf("batch %s", first.raw)
		}
		again := s.do("POST", "/admin/v1/payout-batches", owner, map[string]any{"live_id": liveID})
		expect(t, again, 200, "")
		if again.header.Get("Idempotency-Replayed") != "true" || again.str("batch.id") != first.str("batch.id") {
			t.Fatalf("replay %v %s", again.header, again.raw)
		}
		t.Logf("batch %s of live %s: replayed on the second POST", first.str("batch.id"), liveID)
	})
}

// The daily reconciliation runs as a periodic job: after the clock passes midnight in
// Asia/Shanghai, yesterday's mismatched payout becomes an alert without anyone asking.
func TestReconciliationDailyJob(t *testing.T) {
	enginesWith(t, func(_ map[string]string, o *buildOptions) { o.reconcileEvery = 300 * time.Millisecond }, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		badID, badBill := s.paidThroughSimulator(owner, 2_500)
		q := "UPDATE payouts SET amount_fen = 2400 WHERE id = ?"
		if s.app.store.IsPostgres() {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := s.app.store.DB().Exec(q, badID); err != nil {
			t.Fatal(err)
		}
		s.advanceClock(24 * time.Hour)
		owner = s.adminLogin("admin", s.password) // the day-old session expired
		var al resp
		var list []any
		if !within(30*time.Second, func() bool {
			al = s.do("GET", "/admin/v1/alerts", owner, nil)
			expect(t, al, 200, "")
			list = al.body["alerts"].([]any)
			return len(list) > 0
		}) {
			t.Fatal("the daily reconciliation raised no alert within 30 s")
		}
		a := list[0].(map[string]any)
		if len(list) != 1 || a["out_bill_no"] != badBill || a["kind"] != "amount_mismatch" || a["our_amount_fen"].(float64) != 2400 {
			t.Fatalf("alerts %s", al.raw)
		}
		t.Logf("daily job raised %s for %s (day %s)", a["kind"], badBill, a["date"])
	})
}

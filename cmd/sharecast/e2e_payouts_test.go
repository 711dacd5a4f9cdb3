package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// payoutsSetup sweeps open bills every 200 ms of wall time once untouched for a second.
func payoutsSetup(_ map[string]string, o *buildOptions) {
	o.payoutSweepEvery, o.payoutSweepAfter = 200*time.Millisecond, time.Second
}

type payMember struct{ id, openid, token string }

// payoutWorld is the demo brand with an owner, a finance admin and a funded member A.
type payoutWorld struct {
	s              *svc
	owner, finance string
	brandID        string
	a              payMember
	n              int
}

func newPayoutWorld(t *testing.T, s *svc, fundFen int64) *payoutWorld {
	w := &payoutWorld{s: s}
	w.owner = s.adminLogin("admin", s.password)
	w.brandID = s.do("GET", "/admin/v1/settings", w.owner, nil).str("settings.id")
	expect(t, s.do("POST", "/admin/v1/admins", w.owner, map[string]any{"username": "fin", "password": "finance-password-1", "role": "finance"}), 201, "")
	w.finance = s.adminLogin("fin", "finance-password-1")
	w.login(t, "")
	expect(t, s.do("POST", "/admin/v1/adjustments", w.owner, map[string]any{"member_id": w.a.id, "kind": "prize",
		"amount_fen": fundFen, "reason": "leaderboard prize"}), 201, "")
	return w
}

// login logs A in (again, after the clock moved past the access token's life).
func (w *payoutWorld) login(t *testing.T, openid string) {
	t.Helper()
	code, openid := w.s.wxLogin("wx0000000000000001", openid)
	r := w.s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": code})
	expect(t, r, 200, "")
	w.a = payMember{id: r.str("member.id"), openid: openid, token: r.str("access_token")}
}

func (w *payoutWorld) request(t *testing.T, fen int64) resp {
	t.Helper()
	w.n++
	r := w.s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": fen}, "Idempotency-Key", fmt.Sprintf("e2e-%d", w.n))
	expect(t, r, 201, "")
	return r
}

// requestApproved requests a payout and, when it waits for review, has finance approve it.
func (w *payoutWorld) requestApproved(t *testing.T, fen int64) resp {
	t.Helper()
	r := w.request(t, fen)
	if r.str("payout.status") == "requested" {
		expect(t, w.s.do("POST", "/admin/v1/payouts/"+r.str("payout.id")+"/approve", w.finance, nil), 200, "")
	}
	return r
}

// waitPayout polls the member's view of a payout until ok says so (or 20 s pass).
func (w *payoutWorld) waitPayout(t *testing.T, id string, what string, ok func(r resp) bool) resp {
	t.Helper()
	var r resp
	if !within(20*time.Second, func() bool {
		r = w.s.do("GET", "/mp/v1/payouts/"+id, w.a.token, nil)
		return r.status == 200 && ok(r)
	}) {
		t.Fatalf("payout %s never became %s: %s", id, what, r.raw)
	}
	return r
}

func (w *payoutWorld) balances(t *testing.T) map[string]any {
	t.Helper()
	me := w.s.do("GET", "/mp/v1/me", w.a.token, nil)
	expect(t, me, 200, "")
	b, _ := me.body["balances"].(map[string]any)
	return b
}

func fen(v any) int64 { f, _ := v.(float64); return int64(f) }

// bills lists the simulator's bills of the member.
func (w *payoutWorld) bills(t *testing.T) []any {
	t.Helper()
	r := w.s.do("GET", "/_sim/control/transfers?openid="+w.a.openid, "", nil)
	if r.status != 200 {
		t.Fatalf("sim bills: %d %s", r.status, r.raw)
	}
	for _, k := range []string{"transfers", "bills"} {
		if l, ok := r.body[k].([]any); ok {
			return l
		}
	}
	t.Fatalf("sim bills: %s", r.raw)
	return nil
}

// ledgerVerify runs `sharecast ledger verify` against the service's database.
func (w *payoutWorld) ledgerVerify(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	a := w.s.app
	env := map[string]string{"SHARECAST_DATA_DIR": w.s.dataDir, "SHARECAST_DATABASE_URL": a.cfg.DatabaseURL,
		"SHARECAST_REDIS_URL": a.cfg.RedisURL, "SHARECAST_LOG_LEVEL": "warn"}
	code := run(context.Background(), []string{"ledger", "verify"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
	if code != 0 || !strings.Contains(out.String(), "0 problems") {
		t.Fatalf("ledger verify exited %d:\n%s", code, out.String())
	}
	return strings.TrimSpace(out.String())
}

// The "Done when": A has an available balance, requests a payout, finance approves,
// the bill waits, A confirms through the simulator, the callback marks it paid, ledger verify
// is clean. Also: replays, a rejected request, a member's cancel, a bill that expires after
// 24 h of simulated time.
func TestPayoutEndToEnd(t *testing.T) {
	enginesWith(t, payoutsSetup, func(t *testing.T, s *svc) {
		w := newPayoutWorld(t, s, 30_000)

		// The demo brand starts with one payout waiting for review (the seed).
		seeded := s.do("GET", "/admin/v1/payouts?status=requested", w.finance, nil)
		expect(t, seeded, 200, "")
		if l, _ := seeded.body["payouts"].([]any); len(l) != 1 || fen(l[0].(map[string]any)["amount_fen"]) != 8_000 {
			t.Fatalf("the demo's payout waiting for review: %s", seeded.raw)
		}

		// The brand has a "confirm your transfer" template and A gave a credit for it.
		expect(t, s.do("PUT", "/admin/v1/subscribe-templates/payout_confirmation", w.owner, map[string]any{
			"template_id": "tmplPayoutConfirm01", "page": "pages/payout/index?id={payout_id}",
			"fields": map[string]any{"thing1": "佣金提现待确认", "time2": "{requested_at}"}}), 200, "")
		if g := s.do("POST", "/_sim/control/subscribe/grants", "", map[string]any{"appid": "wx0000000000000001", "openid": w.a.openid,
			"results": map[string]any{"tmplPayoutConfirm01": "accept"}}); g.status != 200 {
			t.Fatalf("grant: %d %s", g.status, g.raw)
		}
		expect(t, s.do("POST", "/mp/v1/subscriptions", w.a.token, map[string]any{"results": map[string]any{"tmplPayoutConfirm01": "accept"}}), 200, "")

		// 8000 fen is above the auto-approve threshold (5000): one approval.
		first := w.request(t, 8_000)
		id, bill := first.str("payout.id"), first.str("payout.out_bill_no")
		if first.str("payout.status") != "requested" {
			t.Fatalf("request: %s", first.raw)
		}
		replay := s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": 8_000}, "Idempotency-Key", "e2e-1")
		expect(t, replay, 201, "")
		if replay.header.Get("Idempotency-Replayed") != "true" || replay.str("payout.id") != id {
			t.Fatalf("replay: %v %s", replay.header, replay.raw)
		}
		expect(t, s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": 7_000}, "Idempotency-Key", "e2e-1"), 409, "IDEMPOTENCY_KEY_REUSED")
		expect(t, s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": 7_000}), 400, "IDEMPOTENCY_KEY_REQUIRED")
		big := s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": 999_999}, "Idempotency-Key", "e2e-big")
		expect(t, big, 422, "PAYOUT_LIMIT")
		again := s.do("POST", "/mp/v1/payouts", w.a.token, map[string]any{"amount_fen": 999_999}, "Idempotency-Key", "e2e-big")
		if again.status != 422 || again.header.Get("Idempotency-Replayed") != "true" || again.str("request_id") != big.str("request_id") {
			t.Fatalf("4xx replay: %d %v %s", again.status, again.header, again.raw)
		}
		// Another member sees none of it (404, as another brand's ids).
		bcode, _ := s.wxLogin("wx0000000000000001", "")
		bsess := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": bcode})
		expect(t, bsess, 200, "")
		expect(t, s.do("GET", "/mp/v1/payouts/"+id, bsess.str("access_token"), nil), 404, "NOT_FOUND")
		expect(t, s.do("POST", "/mp/v1/payouts/"+id+"/cancel", bsess.str("access_token"), nil), 404, "NOT_FOUND")
		if l := s.do("GET", "/mp/v1/payouts", bsess.str("access_token"), nil); strings.Contains(string(l.raw), id) {
			t.Fatalf("another member lists A's payout: %s", l.raw)
		}
		if b := w.balances(t); fen(b["available_fen"]) != 22_000 || fen(b["in_flight_fen"]) != 8_000 {
			t.Fatalf("after the hold: %v", b)
		}

		// Review: an operator may not; finance approves.
		expect(t, s.do("POST", "/admin/v1/admins", w.owner, map[string]any{"username": "op", "password": "operator-password-1", "role": "operator"}), 201, "")
		op := s.adminLogin("op", "operator-password-1")
		expect(t, s.do("POST", "/admin/v1/payouts/"+id+"/approve", op, nil), 403, "FORBIDDEN")
		list := s.do("GET", "/admin/v1/payouts?status=requested", w.finance, nil)
		expect(t, list, 200, "")
		if !strings.Contains(string(list.raw), id) {
			t.Fatalf("review list: %s", list.raw)
		}
		expect(t, s.do("POST", "/admin/v1/payouts/"+id+"/approve", w.finance, nil), 200, "")
		expect(t, s.do("POST", "/admin/v1/payouts/"+id+"/approve", w.owner, nil), 409, "PAYOUT_NOT_IN_REVIEW")

		// The bill waits for A, with what wx.requestMerchantTransfer needs.
		waiting := w.waitPayout(t, id, "waiting", func(r resp) bool { return r.str("payout.confirm.package") != "" })
		if waiting.str("payout.status") != "submitted" || waiting.str("payout.wechat_state") != "WAIT_USER_CONFIRM" || waiting.str("payout.confirm.app_id") != "wx0000000000000001" || waiting.str("payout.confirm.mch_id") == "" {
			t.Fatalf("waiting: %s", waiting.raw)
		}
		// The reminder reached A's WeChat, once, opening the payout's page.
		var msgs []any
		within(20*time.Second, func() bool { msgs = s.simSubscribeMessages(w.a.openid); return len(msgs) > 0 })
		if len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]), id) {
			t.Fatalf("confirmation reminders: %v", msgs)
		}
		// A confirms on WeChat's page; the callback marks it paid.
		if r := s.do("POST", "/_sim/control/transfers/"+bill+"/confirm", "", map[string]any{"openid": w.a.openid}); r.status != 200 {
			t.Fatalf("confirm: %d %s", r.status, r.raw)
		}
		paid := w.waitPayout(t, id, "paid", func(r resp) bool { return r.str("payout.status") == "paid" })

		// A rejected request gives the hold back once.
		rej := w.request(t, 6_000).str("payout.id")
		expect(t, s.do("POST", "/admin/v1/payouts/"+rej+"/reject", w.finance, map[string]any{"reason": "not this week"}), 200, "")
		expect(t, s.do("POST", "/admin/v1/payouts/"+rej+"/reject", w.owner, nil), 409, "PAYOUT_NOT_IN_REVIEW")

		// A small one is auto-approved (the day's total is 8000 + 1000 − nothing rejected … the
		// brand's threshold counts live payouts only), then cancelled by A while it waits.
		w.clk(t, 24*time.Hour) // a new day: the auto-approve threshold starts over
		c := w.request(t, 1_000)
		cid := c.str("payout.id")
		w.waitPayout(t, cid, "waiting", func(r resp) bool { return r.str("payout.confirm.package") != "" })
		expect(t, s.do("POST", "/mp/v1/payouts/"+cid+"/cancel", w.a.token, nil), 202, "")
		w.waitPayout(t, cid, "cancelled", func(r resp) bool { return r.str("payout.status") == "cancelled" })

		// Nobody confirms this one: after 24 h of simulated time WeChat closes it as FAIL.
		e := w.request(t, 2_000)
		eid := e.str("payout.id")
		w.waitPayout(t, eid, "waiting", func(r resp) bool { return r.str("payout.confirm.package") != "" })
		w.clk(t, 25*time.Hour)
		expired := w.waitPayout(t, eid, "failed", func(r resp) bool { return r.str("payout.status") == "failed" })

		b := w.balances(t)
		if fen(b["available_fen"]) != 22_000 || fen(b["in_flight_fen"]) != 0 || fen(b["paid_fen"]) != 8_000 {
			t.Fatalf("final balances: %v", b)
		}
		if n := len(w.bills(t)); n != 3 {
			t.Fatalf("%d bills at WeChat, want 3 (paid, cancelled, expired)", n)
		}
		verify := w.ledgerVerify(t)
		t.Logf("payout %s: %s → paid (wechat %s), 1 confirmation reminder sent; rejected 6000 released; cancel → %s; unconfirmed 24 h → %s (%s); balances available=%d in_flight=%d paid=%d; bills=3\n%s",
			bill, "requested→approved→submitted(WAIT_USER_CONFIRM)", paid.str("payout.wechat_state"), "cancelled",
			expired.str("payout.status"), expired.str("payout.fail_reason"), fen(b["available_fen"]), fen(b["in_flight_fen"]), fen(b["paid_fen"]), verify)
	})
}

// clk moves the service's clock through the simulator.
// Tokens do not outlive it: everyone logs in again.
func (w *payoutWorld) clk(t *testing.T, d time.Duration) {
	t.Helper()
	w.s.advanceClock(d)
	w.login(t, w.a.openid)
	w.owner = w.s.adminLogin("admin", w.s.password)
	w.finance = w.s.adminLogin("fin", "finance-password-1")
}

// The same run with every WeChat Pay fault switch on: lost create answers, 5xx,
// FREQUENCY_LIMITED, accept-only answers, duplicate, reordered and wrongly signed callbacks,
// then dropped callbacks, then NO_AUTH. No payout is paid twice, every bill is one per payout,
// and ledger verify is clean.
func TestPayoutEndToEndWithFaults(t *testing.T) {
	enginesWith(t, payoutsSetup, func(t *testing.T, s *svc) {
		w := newPayoutWorld(t, s, 40_000)
		faults := func(f map[string]any) {
			t.Helper()
			if r := s.do("POST", "/_sim/control/faults", "", map[string]any{"pay": f}); r.status != 200 {
				t.Fatalf("faults: %d %s", r.status, r.raw)
			}
		}
		faults(map[string]any{"timeout_after_accept": 2, "timeout_hold_ms": 300, "server_errors": 2, "frequency_limited": 2,
			"accept_only": 1, "duplicate_callbacks": true, "reorder_callbacks": true, "bad_signature_callbacks": true})

		var ids, bills []string
		for _, amt := range []int64{3_000, 1_500} { // both under the auto-approve threshold
			r := w.request(t, amt)
			ids, bills = append(ids, r.str("payout.id")), append(bills, r.str("payout.out_bill_no"))
		}
		for i, id := range ids {
			w.waitPayout(t, id, "waiting", func(r resp) bool { return r.str("payout.confirm.package") != "" })
			if r := s.do("POST", "/_sim/control/transfers/"+bills[i]+"/confirm", "", map[string]any{"openid": w.a.openid}); r.status != 200 {
				t.Fatalf("confirm: %d %s", r.status, r.raw)
			}
		}
		for _, id := range ids {
			w.waitPayout(t, id, "paid", func(r resp) bool { return r.str("payout.status") == "paid" })
		}
		// Every counted fault was spent on these payouts' calls, and the unknown outcomes are
		// on record as intent rows that were then resolved by query and repeated create.
		fv := s.do("GET", "/_sim/control/faults", "", nil)
		pf, _ := fv.body["pay"].(map[string]any)
		for _, k := range []string{"timeout_after_accept", "server_errors", "frequency_limited", "accept_only"} {
			if fen(pf[k]) != 0 {
				t.Fatalf("fault %s not spent: %s", k, fv.raw)
			}
		}
		unknown := 0
		for _, id := range ids {
			atts, err := s.app.store.Payouts(nil).ListAttempts(context.Background(), w.brandID, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range atts {
				if a.Outcome == "unknown" {
					unknown++
				}
			}
		}
		if unknown == 0 {
			t.Fatal("no create ended unknown: the faults did not reach the payouts")
		}

		// Callbacks lost altogether: the periodic query finds the outcome.
		faults(map[string]any{"reset": true, "drop_callbacks": true})
		d := w.requestApproved(t, 500)
		did, dbill := d.str("payout.id"), d.str("payout.out_bill_no")
		w.waitPayout(t, did, "waiting", func(r resp) bool { return r.str("payout.confirm.package") != "" })
		if r := s.do("POST", "/_sim/control/transfers/"+dbill+"/confirm", "", map[string]any{"openid": w.a.openid}); r.status != 200 {
			t.Fatalf("confirm: %d %s", r.status, r.raw)
		}
		w.waitPayout(t, did, "paid by query", func(r resp) bool { return r.str("payout.status") == "paid" })

		// NO_AUTH: WeChat definitely refuses; the payout fails and the hold comes back once.
		faults(map[string]any{"reset": true, "no_auth": true})
		n := w.requestApproved(t, 2_000)
		failed := w.waitPayout(t, n.str("payout.id"), "failed", func(r resp) bool { return r.str("payout.status") == "failed" })
		faults(map[string]any{"reset": true})

		// A probe with a wrong signature straight at the callback URL: 4xx, nothing changes.
		probe := s.do("POST", "/webhooks/wechatpay/"+w.brandID+"/transfer", "", map[string]any{"id": "probe", "event_type": "MCHTRANSFER.BILL.FINISHED",
			"resource": map[string]any{"algorithm": "AEAD_AES_256_GCM", "ciphertext": "AAAA", "nonce": "123456789012"}},
			"Wechatpay-Serial", "PUB_KEY_ID_0000", "Wechatpay-Signature", "bad", "Wechatpay-Timestamp", fmt.Sprint(time.Now().Unix()), "Wechatpay-Nonce", "n")
		if probe.status != 401 && probe.status != 400 {
			t.Fatalf("probe: %d %s", probe.status, probe.raw)
		}

		b := w.balances(t)
		wantPaid := int64(3_000 + 1_500 + 500)
		if fen(b["paid_fen"]) != wantPaid || fen(b["in_flight_fen"]) != 0 || fen(b["available_fen"]) != 40_000-wantPaid {
			t.Fatalf("balances with faults: %v", b)
		}
		all := w.bills(t)
		if len(all) != 3 {
			t.Fatalf("%d bills at WeChat for 3 transferred payouts (the refused one made none): %v", len(all), all)
		}
		verify := w.ledgerVerify(t)
		t.Logf("with faults (2 lost create answers, 2×5xx, 2×FREQUENCY_LIMITED, accept-only, duplicate+reordered+probe callbacks, dropped callbacks, NO_AUTH): %d create calls ended unknown; 3 payouts paid once (Σ %d fen), 1 failed (%s), bills at WeChat=%d, probe → %d; balances available=%d in_flight=%d paid=%d\n%s",
			unknown, wantPaid, failed.str("payout.fail_reason"), len(all), probe.status, fen(b["available_fen"]), fen(b["in_flight_fen"]), fen(b["paid_fen"]), verify)
	})
}

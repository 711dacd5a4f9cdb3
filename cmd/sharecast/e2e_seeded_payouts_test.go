package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Payout operations of the seeded driver (issue 10 item 1), all through the real HTTP API:
// members request payouts (with an Idempotency-Key, sometimes replayed, sometimes over the
// balance or the limits), two finance admins approve (both where the brand's second-approval
// threshold asks for two) or reject, members confirm or reject the transfer on WeChat's page
// (the simulator's transfer control endpoint) or cancel it, the clock moves past 24 h (opClock)
// and the WeChat Pay fault switches flip. The payout invariants are checked at every checkpoint
// and, once every payout has reached a final state, at the end.

// drvPayoutKey is a request the driver may replay: the same key and body must give the same
// answer, marked replayed.
type drvPayoutKey struct {
	member   drvMember
	key      string
	amount   int64
	status   int
	payoutID string
}

// payoutOps are the payout operations; driverOps includes them.
var payoutOps = []drvOp{
	{"payout-fund", 4, (*driver).opPayoutFund},
	{"payout-request", 6, (*driver).opPayoutRequest},
	{"payout-replay", 2, (*driver).opPayoutReplay},
	{"payout-review", 5, (*driver).opPayoutReview},
	{"payout-member", 5, (*driver).opPayoutMember},
	{"pay-faults", 1, (*driver).opPayFaults},
}

// payBrand is the brand whose payouts the driver drives: only the demo brand has a WeChat Pay
// merchant in the simulator (the others' payouts could never be sent).
func (d *driver) payBrand(_ *drvBrand) *drvBrand { return d.brands[0] }

var finalPayout = map[string]bool{"paid": true, "failed": true, "cancelled": true, "rejected": true}

// payoutSetup gives the brand two finance admins.
func (d *driver) payoutSetup(b *drvBrand) {
	for _, u := range []string{"fin1", "fin2"} {
		expect(d.t, d.s.do("POST", "/admin/v1/admins", b.admin, map[string]any{"username": u, "password": u + "-password-" + b.slug, "role": "finance"}), 201, "")
	}
	d.financeLogin(b)
}

func (d *driver) financeLogin(b *drvBrand) {
	b.finance = b.finance[:0]
	for _, u := range []string{"fin1", "fin2"} {
		r := d.s.do("POST", "/admin/v1/login", "", map[string]any{"brand": b.slug, "username": u, "password": u + "-password-" + b.slug},
			"X-Forwarded-For", "192.0.2.2")
		expect(d.t, r, 200, "")
		b.finance = append(b.finance, r.str("token"))
	}
}

// opPayoutFund: the owner gives a member a prize (an adjustment), so there is money to pay out.
func (d *driver) opPayoutFund(b *drvBrand) string {
	b = d.payBrand(b)
	m := d.member(b)
	amt := int64(1_000 + d.pick(30_000))
	r := d.call("POST", "/admin/v1/adjustments", b.admin, map[string]any{"member_id": m.id, "kind": "prize", "amount_fen": amt, "reason": "driver prize"}, 201)
	return fmt.Sprintf("%s +%d fen → %d", m.id, amt, r.status)
}

// payoutPost posts a payout request with its Idempotency-Key: 201, or 422 for a rule.
func (d *driver) payoutPost(m drvMember, key string, amt int64) resp {
	d.t.Helper()
	r := d.s.do("POST", "/mp/v1/payouts", m.token, map[string]any{"amount_fen": amt}, "Idempotency-Key", key, "X-Forwarded-For", d.addr())
	switch {
	case r.status == 429:
		d.limited++
	case r.status == 201 || r.status == 422:
	default:
		d.fail("payout request %s %d fen answered %d: %s", key, amt, r.status, r.raw)
	}
	return r
}

// opPayoutRequest: a member asks for a payout; one in four asks for too much or too little.
func (d *driver) opPayoutRequest(b *drvBrand) string {
	b = d.payBrand(b)
	m := d.member(b)
	amt := int64(100 + d.pick(12_000))
	switch d.pick(8) {
	case 0:
		amt = int64(20_000 + d.pick(200_000)) // over the single limit or the balance
	case 1:
		amt = int64(10 + d.pick(90)) // under the minimum
	}
	d.payoutSeq++
	key := fmt.Sprintf("drv-%d-%d", d.seed, d.payoutSeq)
	r := d.payoutPost(m, key, amt)
	if r.status == 201 || r.status == 422 {
		b.payoutKeys = append(b.payoutKeys, drvPayoutKey{member: m, key: key, amount: amt, status: r.status, payoutID: r.str("payout.id")})
	}
	if r.status == 201 {
		d.payoutsRequested++
	}
	return fmt.Sprintf("%s %d fen by %s → %d %s %s", key, amt, m.id, r.status, r.str("payout.status"), r.str("code"))
}

// opPayoutReplay sends an earlier request again: the same answer, marked replayed, no second
// payout.
func (d *driver) opPayoutReplay(b *drvBrand) string {
	b = d.payBrand(b)
	if len(b.payoutKeys) == 0 {
		return "no request yet"
	}
	k := b.payoutKeys[d.pick(len(b.payoutKeys))]
	// The member's token may have been renewed since (opClock): use the current one.
	m := k.member
	for _, x := range b.members {
		if x.id == m.id {
			m = x
		}
	}
	r := d.payoutPost(m, k.key, k.amount)
	if r.status == 429 {
		return "limited"
	}
	if r.status != k.status || r.header.Get("Idempotency-Replayed") != "true" || r.str("payout.id") != k.payoutID {
		d.fail("replay of %s (%d, payout %q) answered %d replayed=%q: %s", k.key, k.status, k.payoutID, r.status, r.header.Get("Idempotency-Replayed"), r.raw)
	}
	return fmt.Sprintf("%s → %d replayed %s", k.key, r.status, k.payoutID)
}

// opPayoutReview: a finance admin approves or rejects a payout waiting for review; where two
// approvals are needed the other finance admin gives the second.
func (d *driver) opPayoutReview(b *drvBrand) string {
	b = d.payBrand(b)
	list := d.call("GET", "/admin/v1/payouts?status=requested", b.finance[0], nil, 200)
	items, _ := list.body["payouts"].([]any)
	if len(items) == 0 {
		return "nothing to review"
	}
	p := items[d.pick(len(items))].(map[string]any)
	id, _ := p["id"].(string)
	if d.pick(5) == 0 {
		r := d.call("POST", "/admin/v1/payouts/"+id+"/reject", b.finance[d.pick(2)], map[string]any{"reason": "driver says no"}, 200, 409)
		return fmt.Sprintf("reject %s → %d %s", id, r.status, r.str("code"))
	}
	first := d.pick(2)
	r := d.call("POST", "/admin/v1/payouts/"+id+"/approve", b.finance[first], nil, 200, 409)
	what := fmt.Sprintf("approve %s (needs %v) → %d %s", id, p["approvals_needed"], r.status, r.str("code"))
	if r.status == 200 && r.str("payout.status") == "requested" {
		// The same admin again is refused; the other one completes it.
		again := d.call("POST", "/admin/v1/payouts/"+id+"/approve", b.finance[first], nil, 409)
		second := d.call("POST", "/admin/v1/payouts/"+id+"/approve", b.finance[1-first], nil, 200, 409)
		what += fmt.Sprintf(", same admin → %d %s, second admin → %d %s", again.status, again.str("code"), second.status, second.str("payout.status"))
	}
	return what
}

type drvPayoutRow struct {
	id, member, status, bill, state string
	amount                          int64
}

func (d *driver) payoutRows(b *drvBrand, where string) []drvPayoutRow {
	rows, err := d.s.app.store.DB().QueryContext(context.Background(), `SELECT id, member_id, status, out_bill_no, wechat_state, amount_fen
		FROM payouts WHERE brand_id = $1 `+where+` ORDER BY id`, b.id)
	if err != nil {
		d.fail("payouts: %v", err)
	}
	defer rows.Close()
	var out []drvPayoutRow
	for rows.Next() {
		var p drvPayoutRow
		if err := rows.Scan(&p.id, &p.member, &p.status, &p.bill, &p.state, &p.amount); err != nil {
			d.fail("payouts: %v", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		d.fail("payouts: %v", err)
	}
	return out
}

// opPayoutMember: on a bill that waits for the member, the member confirms it on WeChat's page,
// or WeChat fails it, or the member cancels it in the mini-program.
func (d *driver) opPayoutMember(b *drvBrand) string {
	b = d.payBrand(b)
	open := d.payoutRows(b, `AND status = 'submitted'`)
	if len(open) == 0 {
		return "no bill waiting"
	}
	p := open[d.pick(len(open))]
	switch d.pick(6) {
	case 0, 1, 2:
		r := d.s.do("POST", "/_sim/control/transfers/"+p.bill+"/confirm", "", map[string]any{})
		if r.status >= 500 || (r.status != 200 && r.status != 404 && r.status != 409) {
			d.fail("sim confirm %s: %d %s", p.bill, r.status, r.raw)
		}
		d.payStats[fmt.Sprintf("sim-confirm→%d", r.status)]++
		return fmt.Sprintf("confirm %s (%s) → %d %s", p.id, p.state, r.status, r.str("code"))
	case 3:
		r := d.s.do("POST", "/_sim/control/transfers/"+p.bill+"/reject", "", map[string]any{"fail_reason": "PAYEE_ACCOUNT_ABNORMAL"})
		if r.status >= 500 || (r.status != 200 && r.status != 404 && r.status != 409) {
			d.fail("sim reject %s: %d %s", p.bill, r.status, r.raw)
		}
		d.payStats[fmt.Sprintf("sim-reject→%d", r.status)]++
		return fmt.Sprintf("wechat fails %s (%s) → %d %s", p.id, p.state, r.status, r.str("code"))
	default:
		var m drvMember
		for _, x := range b.members {
			if x.id == p.member {
				m = x
			}
		}
		if m.id == "" {
			return "bill of a member the driver has no token for"
		}
		r := d.call("POST", "/mp/v1/payouts/"+p.id+"/cancel", m.token, nil, 200, 202, 409, 422)
		d.payStats[fmt.Sprintf("cancel→%d %s", r.status, r.str("code"))]++
		return fmt.Sprintf("cancel %s (%s) → %d %s", p.id, p.state, r.status, r.str("code"))
	}
}

// opPayFaults flips WeChat Pay's fault switches (see wechat/simulator/control_pay_faults.go).
func (d *driver) opPayFaults(_ *drvBrand) string {
	var f map[string]any
	switch d.pick(8) {
	case 0:
		f = map[string]any{"reset": true, "timeout_after_accept": 1 + d.pick(2), "timeout_hold_ms": 300}
	case 1:
		f = map[string]any{"reset": true, "server_errors": 1 + d.pick(3)}
	case 2:
		f = map[string]any{"reset": true, "frequency_limited": 1 + d.pick(2), "accept_only": 1}
	case 3:
		f = map[string]any{"reset": true, "duplicate_callbacks": true, "reorder_callbacks": true, "bad_signature_callbacks": true}
	case 4:
		f = map[string]any{"reset": true, "drop_callbacks": true}
	case 5:
		f = map[string]any{"reset": true, "no_auth": true}
	default:
		f = map[string]any{"reset": true}
	}
	r := d.s.do("POST", "/_sim/control/faults", "", map[string]any{"pay": f})
	if r.status != 200 {
		d.fail("pay faults: %d %s", r.status, r.raw)
	}
	return fmt.Sprint(f)
}

// simBill reads a bill at the simulated WeChat Pay: ok false when there is none.
func (d *driver) simBill(bill string) (resp, bool) {
	r := d.s.do("GET", "/_sim/control/transfers/"+bill, "", nil)
	switch r.status {
	case 200:
		return r, true
	case 404:
		return r, false
	}
	d.fail("sim bill %s: %d %s", bill, r.status, r.raw)
	return r, false
}

// payoutRefs answers, per payout id, how many ledger transactions of each kind (hold,
// release, paid) it has.
func (d *driver) payoutRefs(b *drvBrand) map[string]map[string]int {
	rows, err := d.s.app.store.DB().QueryContext(context.Background(), `SELECT ref FROM ledger_transactions
		WHERE brand_id = $1 AND ref LIKE 'payout-%'`, b.id)
	if err != nil {
		d.fail("ledger refs: %v", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			d.fail("ledger refs: %v", err)
		}
		kind, id, ok := strings.Cut(strings.TrimPrefix(ref, "payout-"), ":")
		if !ok {
			continue
		}
		if out[id] == nil {
			out[id] = map[string]int{}
		}
		out[id][kind]++
	}
	return out
}

// checkPayouts asserts the payout invariants of a brand:
//   - at most one bill per payout at WeChat (bills are keyed by out_bill_no; every bill the
//     simulator holds belongs to one payout of ours, with its amount), and none for a payout
//     that was never approved;
//   - every paid payout matched by a SUCCESS bill of the same amount;
//   - the hold is posted once and released at most once, never both released and paid; a
//     final payout has exactly its outcome in the ledger (paid → paid, else → release).
//
// (No member account below zero and Σ = 0 are Ledger.Verify's, in checkpoint.)
func (d *driver) checkPayouts(b *drvBrand, final bool) map[string]int {
	counts := map[string]int{}
	rows := d.payoutRows(b, "")
	refs := d.payoutRefs(b) // read after the rows: a final status can no longer change
	for _, p := range rows {
		counts[p.status]++
		r := refs[p.id]
		if r["hold"] != 1 {
			d.fail("payout %s (%s) has %d hold transactions", p.id, p.status, r["hold"])
		}
		if r["release"] > 1 || r["paid"] > 1 || (r["release"] > 0 && r["paid"] > 0) {
			d.fail("payout %s (%s): released %d times, paid %d times", p.id, p.status, r["release"], r["paid"])
		}
		switch {
		case p.status == "paid" && r["paid"] != 1:
			d.fail("paid payout %s has no paid transaction: %v", p.id, r)
		case finalPayout[p.status] && p.status != "paid" && r["release"] != 1:
			d.fail("%s payout %s has no release transaction: %v", p.status, p.id, r)
		}
		if final && !finalPayout[p.status] {
			d.fail("payout %s still %s (%s) at the end", p.id, p.status, p.state)
		}
		bill, ok := d.simBill(p.bill)
		if ok {
			counts["bills"]++
			tr, _ := bill.body["transfer"].(map[string]any)
			if bill.str("transfer.out_bill_no") != p.bill || fen(tr["transfer_amount"]) != p.amount {
				d.fail("bill %s of payout %s (%d fen): %s", p.bill, p.id, p.amount, bill.raw)
			}
			if p.status == "requested" || p.status == "rejected" {
				d.fail("payout %s was never approved (%s) but WeChat has its bill: %s", p.id, p.status, bill.raw)
			}
			counts["bill_"+bill.str("transfer.state")]++
		}
		if p.status == "paid" && (!ok || bill.str("transfer.state") != "SUCCESS") {
			d.fail("payout %s is paid but its bill is %s", p.id, bill.raw)
		}
	}
	return counts
}

// simBillsOurs checks that every bill at the simulator (paged through, 200 at a time) is one
// payout's, and answers how many there are.
func (d *driver) simBillsOurs() int {
	var n int
	seen := map[string]bool{}
	for offset := 0; ; offset += 200 {
		r := d.s.do("GET", fmt.Sprintf("/_sim/control/transfers?limit=200&offset=%d", offset), "", nil)
		if r.status != 200 {
			d.fail("sim bills: %d %s", r.status, r.raw)
		}
		page := r.body["transfers"].([]any)
		for _, x := range page {
			no, _ := x.(map[string]any)["out_bill_no"].(string)
			if seen[no] {
				d.fail("two bills with out_bill_no %s", no)
			}
			seen[no] = true
			if err := d.s.app.store.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM payouts WHERE out_bill_no = $1`, no).Scan(&n); err != nil {
				d.fail("bill owner: %v", err)
			}
			if n != 1 {
				d.fail("bill %s at WeChat belongs to %d payouts", no, n)
			}
		}
		if len(page) < 200 {
			return len(seen)
		}
	}
}

// awaitNoPayouts waits until no payout of any brand matches where, and fails at until with
// how many still do and why (their rows and send jobs).
func (d *driver) awaitNoPayouts(where string, until time.Time, what string) {
	d.t.Helper()
	busy := 0
	if !within(time.Until(until), func() bool {
		busy = 0
		for _, b := range d.brands {
			busy += len(d.payoutRows(b, where))
		}
		return busy == 0
	}) {
		d.fail("%d %s:\n%s", busy, what, d.stuckPayouts(where))
	}
}

// payoutsFinish brings every payout to a final state: the faults off, the requests still in
// review rejected, then the clock moved past 24 h so WeChat closes every bill still waiting
// (and the sweep finds what the callbacks missed). It answers the counts.
func (d *driver) payoutsFinish() map[string]int {
	d.s.do("POST", "/_sim/control/faults", "", map[string]any{"pay": map[string]any{"reset": true}})
	for _, b := range d.brands {
		for _, p := range d.payoutRows(b, `AND status = 'requested'`) {
			d.call("POST", "/admin/v1/payouts/"+p.id+"/reject", b.finance[0], map[string]any{"reason": "end of run"}, 200, 409)
		}
	}
	// Approved payouts are being sent: wait until each has its bill or an outcome.
	deadline := time.Now().Add(60 * time.Second)
	d.awaitNoPayouts(`AND status = 'approved'`, deadline, "approved payouts never reached WeChat")
	// Every member's cancel is carried out (a cancel whose wake-up met a running job of the
	// same payout waits for the sweep) before the clock closes the bills still waiting.
	d.awaitNoPayouts(`AND cancel_requested AND status = 'submitted'`, deadline, "member cancels never carried out")
	d.s.advanceClock(25 * time.Hour)
	for _, b := range d.brands {
		d.adminLogin(b)
		d.financeLogin(b)
	}
	d.awaitNoPayouts(`AND status NOT IN ('paid', 'failed', 'cancelled', 'rejected')`, deadline.Add(30*time.Second),
		"payouts never reached a final state")
	total := map[string]int{}
	for _, b := range d.brands {
		for k, v := range d.checkPayouts(b, true) {
			total[k] += v
		}
	}
	total["sim_bills_listed"] = d.simBillsOurs()
	if total["sim_bills_listed"] != total["bills"] {
		// every bill is one payout's (above), and every payout's bill was found by its number
		d.fail("the simulator holds %d bills, the payouts %d", total["sim_bills_listed"], total["bills"])
	}
	// The calls to WeChat Pay by kind and outcome (unknown: a lost answer, resolved later).
	rows, err := d.s.app.store.DB().QueryContext(context.Background(), `SELECT op, outcome, code, COUNT(*) FROM transfer_attempts GROUP BY op, outcome, code`)
	if err != nil {
		d.fail("attempts: %v", err)
	}
	for rows.Next() {
		var op, outcome, code string
		var n int
		if err := rows.Scan(&op, &outcome, &code, &n); err != nil {
			d.fail("attempts: %v", err)
		}
		total[strings.TrimSuffix("call_"+op+"_"+outcome+"_"+code, "_")] = n
	}
	rows.Close()
	(&payoutWorld{s: d.s}).ledgerVerify(d.t)
	return total
}

// stuckPayouts describes payouts that did not move: their brand, state and send jobs.
func (d *driver) stuckPayouts(where string) string {
	var out []string
	for _, b := range d.brands {
		for _, p := range d.payoutRows(b, where) {
			line := fmt.Sprintf("%s %s %s %s %q", b.slug, p.id, p.status, p.bill, p.state)
			rows, err := d.s.app.store.DB().QueryContext(context.Background(), `SELECT state, attempt, COALESCE(CAST(errors AS TEXT), '')
				FROM river_job WHERE kind = 'payout_advance' AND CAST(args AS TEXT) LIKE '%' || $1 || '%'`, p.id)
			if err == nil {
				for rows.Next() {
					var st, errs string
					var n int
					_ = rows.Scan(&st, &n, &errs)
					if len(errs) > 300 {
						errs = errs[len(errs)-300:]
					}
					line += fmt.Sprintf("\n    job %s attempt %d %s", st, n, errs)
				}
				rows.Close()
			} else {
				line += " (jobs: " + err.Error() + ")"
			}
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

package main

import (
	"fmt"
	"testing"
	"time"
)

// replicaCall is the two-replica test's HTTP call: status, JSON body, raw body.
type replicaCall func(base, method, path, token string, body any, headers ...string) (int, map[string]any, []byte)

// replicaPayouts drives payouts over two replicas (issue 10 item 3): members request on
// either replica (one request replayed on the other), finance approves on the other one, the
// WeChat Pay faults (lost create answers, duplicate and reordered callbacks) are on, and the
// caller kills replica 2 between start (while sends may be in flight) and finish.
type replicaPayouts struct {
	t                 *testing.T
	call              replicaCall
	simURL            string
	owner, fin1, fin2 string
	ids, bills        []string
	tokens            []string
	amounts           []int64
	n                 int
	jobs              func(payoutID string) string // the payout's send jobs, for a failure
}

func (p *replicaPayouts) must(st, want int, raw []byte, what string) {
	p.t.Helper()
	if st != want {
		p.t.Fatalf("%s: %d %s", what, st, raw)
	}
}

// setup: two finance admins, pay faults on.
func (p *replicaPayouts) setup(r1, r2 string) {
	for _, u := range []string{"fin1", "fin2"} {
		st, _, raw := p.call(r1, "POST", "/admin/v1/admins", p.owner, map[string]any{"username": u, "password": u + "-replica-password", "role": "finance"})
		p.must(st, 201, raw, "finance admin")
	}
	for i, base := range []string{r1, r2} {
		st, m, raw := p.call(base, "POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": fmt.Sprintf("fin%d", i+1), "password": fmt.Sprintf("fin%d-replica-password", i+1)})
		p.must(st, 200, raw, "finance login")
		if i == 0 {
			p.fin1 = m["token"].(string)
		} else {
			p.fin2 = m["token"].(string)
		}
	}
	st, _, raw := p.call(p.simURL, "POST", "/_sim/control/faults", "", map[string]any{"pay": map[string]any{"timeout_after_accept": 2, "timeout_hold_ms": 500,
		"duplicate_callbacks": true, "reorder_callbacks": true}})
	p.must(st, 200, raw, "pay faults")
}

// request has a funded member ask for a payout through base; big amounts need one approval,
// given on the other replica (fin token of that replica).
func (p *replicaPayouts) request(base, other, otherFin string, token, memberID string, amt int64) {
	p.t.Helper()
	st, _, raw := p.call(base, "POST", "/admin/v1/adjustments", p.owner, map[string]any{"member_id": memberID, "kind": "prize", "amount_fen": amt + 1_000, "reason": "replica prize"})
	p.must(st, 201, raw, "fund")
	p.n++
	key := fmt.Sprintf("replica-%d", p.n)
	st, m, raw := p.call(base, "POST", "/mp/v1/payouts", token, map[string]any{"amount_fen": amt}, "Idempotency-Key", key)
	p.must(st, 201, raw, "payout request")
	po := m["payout"].(map[string]any)
	id := po["id"].(string)
	// The same request through the other replica is the same payout.
	st, m2, raw := p.call(other, "POST", "/mp/v1/payouts", token, map[string]any{"amount_fen": amt}, "Idempotency-Key", key)
	if st != 201 || m2["payout"].(map[string]any)["id"] != id {
		p.t.Fatalf("replay on the other replica: %d %s", st, raw)
	}
	if po["status"] == "requested" {
		st, _, raw = p.call(other, "POST", "/admin/v1/payouts/"+id+"/approve", otherFin, nil)
		p.must(st, 200, raw, "approve on the other replica")
	}
	p.ids, p.bills, p.tokens, p.amounts = append(p.ids, id), append(p.bills, po["out_bill_no"].(string)), append(p.tokens, token), append(p.amounts, amt)
}

func (p *replicaPayouts) status(base string, i int) map[string]any {
	st, m, raw := p.call(base, "GET", "/mp/v1/payouts/"+p.ids[i], p.tokens[i], nil)
	p.must(st, 200, raw, "payout")
	return m["payout"].(map[string]any)
}

// finish runs on replica 1 alone: every bill waits for its member, most are confirmed, one is
// failed by WeChat, one cancelled by the member; every payout reaches a final state, each has
// exactly one bill at WeChat, every paid one a SUCCESS bill of its amount.
func (p *replicaPayouts) finish(r1 string) map[string]int {
	t := p.t
	// A send that replica 2 held when it died is rescued (stuck after 3 s) and retried by
	// replica 1; the production sweep (every 30 s, payouts untouched for a minute) is the
	// backstop, so allow for it.
	deadline := time.Now().Add(150 * time.Second)
	for i := range p.ids {
		for {
			po := p.status(r1, i)
			if c, _ := po["confirm"].(map[string]any); c != nil && c["package"] != "" && c["package"] != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("payout %s never waited for its member: %v\njobs: %s", p.ids[i], po, p.jobs(p.ids[i]))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	want := map[string]string{}
	for i, id := range p.ids {
		switch i % 4 {
		case 1:
			st, _, raw := p.call(p.simURL, "POST", "/_sim/control/transfers/"+p.bills[i]+"/reject", "", map[string]any{})
			p.must(st, 200, raw, "sim reject")
			want[id] = "failed"
		case 2:
			st, _, raw := p.call(r1, "POST", "/mp/v1/payouts/"+id+"/cancel", p.tokens[i], nil)
			p.must(st, 202, raw, "member cancel")
			want[id] = "cancelled"
		default:
			st, _, raw := p.call(p.simURL, "POST", "/_sim/control/transfers/"+p.bills[i]+"/confirm", "", map[string]any{})
			p.must(st, 200, raw, "sim confirm")
			want[id] = "paid"
		}
	}
	counts := map[string]int{}
	for i, id := range p.ids {
		for {
			po := p.status(r1, i)
			if s := po["status"].(string); finalPayout[s] {
				if s != want[id] {
					t.Fatalf("payout %s ended %s, want %s: %v", id, s, want[id], po)
				}
				counts[s]++
				break
			}
			if time.Now().After(deadline.Add(60 * time.Second)) {
				t.Fatalf("payout %s never reached a final state: %v\njobs: %s", id, po, p.jobs(id))
			}
			time.Sleep(200 * time.Millisecond)
		}
		st, m, raw := p.call(p.simURL, "GET", "/_sim/control/transfers/"+p.bills[i], "", nil)
		p.must(st, 200, raw, "sim bill")
		tr := m["transfer"].(map[string]any)
		if fen(tr["transfer_amount"]) != p.amounts[i] || (want[id] == "paid" && tr["state"] != "SUCCESS") {
			t.Fatalf("bill of payout %s (%d fen, %s): %s", id, p.amounts[i], want[id], raw)
		}
	}
	// One bill per payout: the simulator holds exactly our bills, each once.
	st, m, raw := p.call(p.simURL, "GET", "/_sim/control/transfers?limit=200", "", nil)
	p.must(st, 200, raw, "sim bills")
	seen := map[string]int{}
	for _, x := range m["transfers"].([]any) {
		seen[x.(map[string]any)["out_bill_no"].(string)]++
	}
	for _, b := range p.bills {
		if seen[b] != 1 {
			t.Fatalf("bill %s appears %d times at WeChat: %s", b, seen[b], raw)
		}
	}
	if len(seen) != len(p.bills) {
		t.Fatalf("WeChat has %d bills for %d payouts: %s", len(seen), len(p.bills), raw)
	}
	counts["bills"] = len(seen)
	return counts
}

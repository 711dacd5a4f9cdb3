package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// requestPayout funds a new demo member through an owner's adjustment and has them request
// amounts (each its own Idempotency-Key); answers the payout ids.
func (s *svc) requestPayouts(owner string, fund int64, amounts ...int64) []string {
	s.t.Helper()
	m := s.login()
	expect(s.t, s.do("POST", "/admin/v1/adjustments", owner, map[string]any{"member_id": m.str("member.id"), "kind": "prize",
		"amount_fen": fund, "reason": "funds"}), 201, "")
	var ids []string
	for i, a := range amounts {
		r := s.do("POST", "/mp/v1/payouts", m.str("access_token"), map[string]any{"amount_fen": a},
			"Idempotency-Key", fmt.Sprintf("k-%s-%d", m.str("member.id"), i))
		expect(s.t, r, 201, "")
		ids = append(ids, r.str("payout.id"))
	}
	return ids
}

// Finance reviews payouts in the console: a payout needing two admins shows "0 of 2", the
// first approval turns it into "1 of 2 · needs another admin" with no approve button for that
// admin, a second admin's approval moves it on (out of the queue, into approved/submitted);
// a one-approval payout moves at once; a reject with a reason ends it. An operator has no
// payouts page or link, gets 403 on the page, and a forged approve POST (with a valid CSRF
// token) is 403 and changes nothing.
func TestConsoleBrowserPayoutQueue(t *testing.T) {
	s, b := consoleBrowser(t)
	ctx := context.Background()
	demoID := mustBrandID(t, s, "demo")
	for _, a := range []brands.NewAdminInput{{Username: "fay", Password: "finance-pass-1", Role: brands.RoleFinance},
		{Username: "fred", Password: "finance-pass-2", Role: brands.RoleFinance},
		{Username: "olive", Password: "operator-pass-1", Role: brands.RoleOperator}} {
		if _, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, demoID, a); err != nil {
			t.Fatal(err)
		}
	}
	owner := s.adminLogin("admin", s.password)
	// 15,000 fen needs one approval; the same member's 10,000 after it brings the day to
	// 25,000 fen, above the second threshold (20,000): two different admins.
	ids := s.requestPayouts(owner, 30_000, 15_000, 10_000)
	one, two := ids[0], ids[1]
	three := s.requestPayouts(owner, 10_000, 6_000)[0]
	row := func(id string) string { return `#payouts tr[data-payout="` + id + `"]` }
	status := func(id string) string {
		t.Helper()
		p, err := s.app.payouts.Get(ctx, demoID, id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status
	}

	b.Login("demo", "fay", "finance-pass-1")
	if st := b.Open("/admin/payouts"); st != 200 {
		t.Fatalf("queue answered %d", st)
	}
	// The demo brand starts with a payout waiting for review of its own; ours are there too.
	if got := b.Attrs("#payouts tbody tr", "data-payout"); !slices.Contains(got, one) || !slices.Contains(got, two) || !slices.Contains(got, three) {
		t.Fatalf("queue rows %v", got)
	}
	if got := b.Text(row(two) + " .rule"); got != "已批准 0 / 2" {
		t.Fatalf("two-approval payout shows %q", got)
	}
	if got := b.Text(row(one) + " td.num"); got != "¥150.00" {
		t.Fatalf("amount shown %q", got)
	}
	b.Screenshot("payout-queue")

	if st := b.Submit(row(two) + " .approve-btn"); st != 200 {
		t.Fatalf("first approval answered %d", st)
	}
	if got := b.Text("#flash"); got != "已记录你的批准，还需另一位管理员批准。" {
		t.Fatalf("flash %q", got)
	}
	if got := b.Text(row(two) + " .rule"); got != "已批准 1 / 2" {
		t.Fatalf("after one approval %q", got)
	}
	if b.Count(row(two)+" .needs-another") != 1 || b.Count(row(two)+" .you-approved") != 1 || b.Count(row(two)+" .approve-btn") != 0 {
		t.Fatal("the two-person rule is not visible: needs-another badge, you-approved note, no second approve button")
	}
	if got := b.Text(row(two) + " .approvals"); !strings.Contains(got, "fay") {
		t.Fatalf("approvers %q", got)
	}
	if s := status(two); s != payouts.PayoutRequested {
		t.Fatalf("one approval of two moved the payout to %s", s)
	}
	b.Screenshot("payout-one-of-two")

	if st := b.Submit(row(one) + " .approve-btn"); st != 200 {
		t.Fatalf("approval answered %d", st)
	}
	if got := b.Text("#flash"); got != "已批准，转账已发起。" {
		t.Fatalf("flash %q", got)
	}
	if n := b.Count(row(one)); n != 0 {
		t.Fatal("the approved payout is still in the review queue")
	}
	if s := status(one); s != payouts.PayoutApproved && s != payouts.PayoutSubmitted {
		t.Fatalf("approved payout is %s", s)
	}
	if st := b.Open("/admin/payouts?status="); st != 200 {
		t.Fatalf("all payouts answered %d", st)
	}
	if got := b.Attrs(row(one), "data-status"); len(got) != 1 || (got[0] != "approved" && got[0] != "submitted") {
		t.Fatalf("the approved payout in the full list: %v", got)
	}
	b.Screenshot("payout-moved-on")

	// The operator: no link, 403 on the page, 403 on a forged approve.
	b.Submit("#logout")
	b.Login("demo", "olive", "operator-pass-1")
	if n := b.Count(`a[href*="payout"]`); n != 0 {
		t.Fatalf("operator sees %d payout links", n)
	}
	if st := b.Open("/admin/payouts"); st != 403 {
		t.Fatalf("operator opened the queue: %d", st)
	}
	if b.Count(".approve-btn")+b.Count(".reject-btn")+b.Count("#payouts") != 0 {
		t.Fatal("the operator's 403 page shows payout actions")
	}
	b.Screenshot("operator-payouts-403")
	b.Eval(`(() => {
		const f = document.createElement('form');
		f.method = 'post'; f.action = '/admin/payouts/` + three + `/approve'; f.id = 'forged';
		const c = document.querySelector('input[name="csrf_token"]').cloneNode();
		const btn = document.createElement('button'); btn.type = 'submit'; btn.id = 'forged-submit'; btn.textContent = 'x';
		f.append(c, btn); document.body.append(f);
	})()`)
	if st := b.Submit("#forged-submit"); st != 403 {
		t.Fatalf("operator's approve POST answered %d", st)
	}
	if s := status(three); s != payouts.PayoutRequested {
		t.Fatalf("operator's POST moved the payout to %s", s)
	}

	// The second finance admin completes the two-person approval and rejects the third.
	b.Open("/admin/payouts")
	b.Submit("#logout")
	b.Login("demo", "fred", "finance-pass-2")
	if st := b.Open("/admin/payouts"); st != 200 {
		t.Fatalf("queue answered %d", st)
	}
	if b.Count(row(two)+" .approve-btn") != 1 || b.Count(row(two)+" .you-approved") != 0 {
		t.Fatal("another admin cannot approve the payout waiting for a second approval")
	}
	if st := b.Submit(row(two) + " .approve-btn"); st != 200 {
		t.Fatalf("second approval answered %d", st)
	}
	if got := b.Text("#flash"); got != "已批准，转账已发起。" {
		t.Fatalf("flash %q", got)
	}
	if s := status(two); s != payouts.PayoutApproved && s != payouts.PayoutSubmitted {
		t.Fatalf("payout with two approvals is %s", s)
	}
	b.Fill(row(three)+` input[name="reason"]`, "资料不全")
	if st := b.Submit(row(three) + " .reject-btn"); st != 200 {
		t.Fatalf("reject answered %d", st)
	}
	if got := b.Text("#flash"); got != "已拒绝，金额已退回成员可提现余额。" {
		t.Fatalf("flash %q", got)
	}
	for _, id := range []string{one, two, three} {
		if n := b.Count(row(id)); n != 0 {
			t.Fatalf("payout %s is still in the queue", id)
		}
	}
	p, err := s.app.payouts.Get(ctx, demoID, three)
	if err != nil || p.Status != payouts.PayoutRejected || !strings.Contains(p.FailReason, "资料不全") {
		t.Fatalf("rejected payout %+v %v", p, err)
	}
	b.Screenshot("payout-queue-reviewed")
}

// The reconciliation page: finance reconciles today and sees the day's counts; a paid payout
// whose row was edited shows as an amount-mismatch alert; English labels on switch.
func TestConsoleBrowserReconciliationAlerts(t *testing.T) {
	s, b := consoleBrowser(t)
	owner := s.adminLogin("admin", s.password)
	okID, _ := s.paidThroughSimulator(owner, 3_000)
	badID, badBill := s.paidThroughSimulator(owner, 2_000)
	if _, err := s.app.store.DB().Exec("UPDATE payouts SET amount_fen = 1999 WHERE id = ?", badID); err != nil {
		t.Fatal(err)
	}
	b.Login("demo", "admin", s.password)
	if st := b.Open("/admin/reconciliation"); st != 200 {
		t.Fatalf("reconciliation answered %d", st)
	}
	if got := b.Text("#no-alerts"); got != "暂无告警" {
		t.Fatalf("before reconciling: %q", got)
	}
	if st := b.Submit("#reconcile"); st != 200 { // today, prefilled
		t.Fatalf("reconcile answered %d", st)
	}
	if got := b.Text("#matched"); got != "一致 1 笔" {
		t.Fatalf("matched %q (payout %s)", got, okID)
	}
	if got := b.Text("#mismatched"); got != "不一致 1 笔" {
		t.Fatalf("mismatched %q", got)
	}
	if got := b.Attrs("#alerts tbody tr", "data-bill"); !slices.Equal(got, []string{badBill}) {
		t.Fatalf("alert rows %v", got)
	}
	cells := b.Texts(`#alerts tr[data-bill="` + badBill + `"] td`)
	if len(cells) != 7 || cells[1] != "金额不一致" || cells[3] != "已到账 · ¥19.99" || cells[4] != "SUCCESS · ¥20.00" {
		t.Fatalf("alert cells %q", cells)
	}
	b.Screenshot("reconciliation-alert")
	if st := b.Submit("#lang-en"); st != 200 {
		t.Fatalf("language switch answered %d", st)
	}
	if got := b.Text("h1"); got != "Reconciliation and alerts" {
		t.Fatalf("English heading %q", got)
	}
	b.Screenshot("reconciliation-english")
}

package store_test

import (
	"testing"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

// A member frozen (or banned) after requesting is not paid: review refuses to approve (409
// MEMBER_FROZEN; reject still works), and an approved payout makes no first create (it keeps
// its hold, one member_not_active alert) until the member is active again. A payout whose
// create may have reached WeChat, or that is submitted, runs to its end.
func TestPayoutFrozenMember(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		setStatus := func(m referral.Member, from, to string) {
			t.Helper()
			if ok, err := w.st.Orders().SetMemberStatus(w.ctx, w.brand.ID, m.ID, from, to); err != nil || !ok {
				t.Fatalf("%s %s → %s: %v %v", m.Nickname, from, to, ok, err)
			}
		}
		finance := w.admin("fin", brands.RoleFinance)
		alerts := func() []payouts.Alert {
			t.Helper()
			as, err := w.st.Reconciliation().ListAlerts(w.ctx, w.brand.ID, "", 50)
			if err != nil {
				t.Fatal(err)
			}
			return as
		}

		// Review: a banned member's payout cannot be approved, only rejected.
		b := w.member("B")
		w.fund(b, 10_000)
		big := w.request(b, 6_000, "review").Payout
		setStatus(b, referral.StatusActive, referral.StatusBanned)
		if _, err := w.svc.Approve(w.ctx, actor(finance), brands.RoleFinance, w.brand.ID, big.ID); apperr.KindOf(err) != apperr.Conflict || apperr.CodeOf(err) != "MEMBER_FROZEN" {
			t.Fatalf("approve for a banned member: %v", err)
		}
		if got := w.payout(big.ID); got.Status != payouts.PayoutRequested || got.Approvals != 0 {
			t.Fatalf("payout after a refused approval: %+v", got)
		}
		if _, err := w.svc.Reject(w.ctx, actor(finance), brands.RoleFinance, w.brand.ID, big.ID, "banned"); err != nil {
			t.Fatalf("reject: %v", err)
		}
		w.wantMoney(b, 10_000, 0, 0)

		// Send: an auto-approved payout of a member frozen before the job ran.
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 1_000, "send").Payout
		setStatus(a, referral.StatusActive, referral.StatusFrozen)
		for i := 0; i < 2; i++ { // the job, then the sweep's retry
			if err := w.advance(p.ID); err != nil {
				t.Fatalf("advance %d for a frozen member: %v", i, err)
			}
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutApproved || w.wx.creates != 0 {
			t.Fatalf("frozen member: payout %s, creates %d; want approved and no create", got.Status, w.wx.creates)
		}
		w.wantMoney(a, 9_000, 1_000, 0)
		as := alerts()
		if len(as) != 1 || as[0].Kind != payouts.AlertMemberNotActive || as[0].PayoutID != p.ID || as[0].OurStatus != payouts.PayoutApproved {
			t.Fatalf("alerts %+v; want one member_not_active", as)
		}
		setStatus(a, referral.StatusFrozen, referral.StatusActive)
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutSubmitted || w.wx.creates != 1 {
			t.Fatalf("unfrozen: payout %s, creates %d; want submitted after one create", got.Status, w.wx.creates)
		}

		// A create whose answer was lost, then the member is frozen: the same bill is queried
		// and the payout runs to its end.
		c := w.member("C")
		w.fund(c, 10_000)
		lost := w.request(c, 1_000, "lost").Payout
		w.wx.loseAnswer = 1
		if err := w.advance(lost.ID); err == nil {
			t.Fatal("a lost create answer must leave the outcome unknown")
		}
		setStatus(c, referral.StatusActive, referral.StatusFrozen)
		if err := w.advance(lost.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.payout(lost.ID); got.Status != payouts.PayoutSubmitted {
			t.Fatalf("frozen after an unanswered create: payout %s, want submitted", got.Status)
		}
		// Submitted payouts of frozen members are paid when the member confirms.
		setStatus(a, referral.StatusActive, referral.StatusFrozen)
		for _, q := range []payouts.Payout{p, lost} {
			w.wx.settle(q.OutBillNo, payouts.BillSuccess)
			if err := w.advance(q.ID); err != nil {
				t.Fatal(err)
			}
			if got := w.payout(q.ID); got.Status != payouts.PayoutPaid {
				t.Fatalf("submitted payout of a frozen member: %s, want paid", got.Status)
			}
		}
		w.wantMoney(a, 9_000, 0, 1_000)
		w.wantMoney(c, 9_000, 0, 1_000)
		if n := len(alerts()); n != 1 {
			t.Fatalf("%d alerts, want the one member_not_active", n)
		}
		w.verify()
	})
}

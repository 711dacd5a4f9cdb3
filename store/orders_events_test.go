package store_test

import (
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

// Events that arrive before the pay event are parked, not lost, and applied when it comes;
// replays after that change nothing.
func TestEventsBeforeThePayEventAreParked(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		a := w.member("A")
		b := w.member("B")
		paidAt := w.clk.Now()
		w.clk.Advance(time.Hour)
		refund := referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: "late-1", AfterSaleID: "rf-1",
			State: referral.AfterSaleRefunded, Lines: []referral.RefundLine{{LineID: "L1", RefundFen: 2_500}}, At: w.clk.Now()}
		for range 2 {
			res, err := w.orders.ApplyAfterSale(w.ctx, w.brand.ID, refund)
			if err != nil || res != referral.AppliedParked {
				t.Fatalf("early refund: %v %v", res, err)
			}
		}
		res, err := w.orders.Confirm(w.ctx, w.brand.ID, referral.SourceOpenAPI, "late-1", w.clk.Now())
		if err != nil || res != referral.AppliedParked {
			t.Fatalf("early confirm: %v %v", res, err)
		}
		confirmedAt := w.clk.Now()
		w.clk.Advance(time.Hour)
		o := w.order("late-1", b, line("L1", referral.ProductProfit, 1, 10_000)) // A 1500
		o.PaidAt = paidAt
		o.ShareCode = w.link(w.live(), a)
		got := w.pay(o)
		if got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(confirmedAt) || got.Lines[0].RefundedFen != 2_500 {
			t.Fatalf("parked events not applied: %+v", got)
		}
		w.wantBalances(a, bal(1125, 0, 0)) // 1500 − floor(1500 × 2500 / 10000)
		res, err = w.orders.ApplyAfterSale(w.ctx, w.brand.ID, refund)
		if err != nil || res != referral.AppliedAlready {
			t.Fatalf("replayed refund: %v %v", res, err)
		}
		w.pay(o)
		w.wantBalances(a, bal(1125, 0, 0))
		w.clk.Advance(7 * day)
		w.tick()
		w.wantBalances(a, bal(0, 1125, 0))
		w.verify()
	})
}

// An open after-sale keeps its line pending past the hold; closing it lets the line go.
// Cancel reverses everything left; settle counts as receipt.
func TestAfterSaleBlocksAndCancelReverses(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		a := w.member("A")
		b := w.member("B")
		code := w.link(w.live(), a)
		o := w.order("ch-1", b, line("L1", referral.ProductFlashSale, 1, 10_000), line("L2", referral.ProductProfit, 1, 10_000))
		o.Source, o.Buyer, o.ShareCode = referral.SourceChannels, referral.Identity{UnionID: b.UnionID}, ""
		o.Sharer = referral.Identity{OpenID: "shop-openid", UnionID: a.UnionID}
		got := w.pay(o)
		if got.Attribution.Rule != referral.RulePlatformSharer || got.Attribution.MemberID != a.ID || got.BuyerMemberID != b.ID {
			t.Fatalf("channels attribution %+v buyer %q", got.Attribution, got.BuyerMemberID)
		}
		_ = code
		as := func(id, state string, lines ...referral.RefundLine) {
			t.Helper()
			if err := w.orders.AfterSale(w.ctx, w.brand.ID, referral.AfterSaleUpdate{Source: referral.SourceChannels, ExternalID: "ch-1",
				AfterSaleID: id, State: state, Lines: lines, At: w.clk.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		as("as-1", referral.AfterSaleOpen, referral.RefundLine{LineID: "L1"})
		if err := w.orders.Settled(w.ctx, w.brand.ID, referral.SourceChannels, "ch-1", w.clk.Now()); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(7*day + time.Minute)
		if n := w.tick(); n != 1 {
			t.Fatalf("released %d, want only line 2's", n)
		}
		w.wantBalances(a, bal(500, 1500, 0))
		as("as-1", referral.AfterSaleClosed)
		as("as-1", referral.AfterSaleOpen) // a stale push after the close changes nothing
		if n := w.tick(); n != 1 {
			t.Fatalf("released %d after the close, want 1", n)
		}
		w.wantBalances(a, bal(0, 2000, 0))

		// A whole-order after-sale (no lines) blocks every line; cancel reverses all that is left.
		o2 := w.order("ch-2", b, line("L1", referral.ProductFlashSale, 1, 10_000))
		o2.Source, o2.Buyer, o2.Sharer = referral.SourceChannels, referral.Identity{UnionID: b.UnionID}, referral.Identity{UnionID: a.UnionID}
		w.pay(o2)
		if err := w.orders.AfterSale(w.ctx, w.brand.ID, referral.AfterSaleUpdate{Source: referral.SourceChannels, ExternalID: "ch-2",
			AfterSaleID: "as-2", State: referral.AfterSaleOpen, At: w.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(30 * day)
		if n := w.tick(); n != 0 {
			t.Fatalf("released %d under a whole-order after-sale", n)
		}
		for range 2 {
			if err := w.orders.Cancelled(w.ctx, w.brand.ID, referral.SourceChannels, "ch-2", w.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		w.wantBalances(a, bal(0, 2000, 0))
		w.verify()
	})
}

// Reassign reverses the old beneficiaries (into debt where spent) and accrues the new one
// under the next version, with the refunded share already taken off.
func TestReassign(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		r := w.member("R")
		a := w.member("A", r.ID)
		c := w.member("C")
		b := w.member("B")
		o := w.order("ra-1", b, line("L1", referral.ProductProfit, 1, 10_000), line("L2", referral.ProductFlashSale, 1, 10_000))
		o.ShareCode = w.link(w.live(), a)
		got := w.pay(o) // A 1500 + 500, R 300 + 300
		w.clk.Advance(23 * day)
		w.tick()
		w.wantBalances(a, bal(0, 2000, 0))
		hold(t, w, a, 1500, "p1")
		w.refund("ra-1", "rf-1", referral.RefundLine{LineID: "L1", RefundFen: 4_000}) // A −600 of available: 500 left → −100 debt? no: 500 available
		w.wantBalances(a, payouts.Balances{AvailableFen: 0, InFlightFen: 1500, DebtFen: 100})

		admin := brands.Actor{Type: "admin", ID: "adm"}
		if _, err := w.orders.Reassign(w.ctx, admin, w.brand.ID, got.ID, a.ID, "same"); apperr.CodeOf(err) != "ALREADY_ATTRIBUTED" {
			t.Fatalf("reassign to the same member: %v", err)
		}
		after, err := w.orders.Reassign(w.ctx, admin, w.brand.ID, got.ID, c.ID, "C brought this buyer (dispute #7)")
		if err != nil {
			t.Fatal(err)
		}
		if after.AttributionVersion != 2 || after.Attribution.Rule != referral.RuleAdmin || after.Attribution.MemberID != c.ID {
			t.Fatalf("after reassign: %+v", after.Attribution)
		}
		// A had 1500 − 600 = 900 left on L1 and 500 on L2, all spent: 1400 more debt.
		w.wantBalances(a, payouts.Balances{InFlightFen: 1500, DebtFen: 1500})
		w.wantBalances(r, bal(0, 0, 0)) // R's 600 − 120 reversed from available
		// C: L1 1500 with the refunded 40% (600) taken off at once, L2 500; C has no recruiter.
		w.wantBalances(c, bal(1400, 0, 0))
		for _, cm := range w.commissions(got.ID) {
			if cm.AttributionVersion == 1 && cm.Status != payouts.StatusReversed {
				t.Fatalf("version 1 commission left: %+v", cm)
			}
		}
		v, err := w.orders.Order(w.ctx, w.brand.ID, got.ID)
		if err != nil || len(v.Attributions) != 2 {
			t.Fatalf("attribution history: %v %+v", err, v.Attributions)
		}
		// The last refund of L1 takes exactly what is left of C's commission.
		w.refund("ra-1", "rf-2", referral.RefundLine{LineID: "L1", RefundFen: 6_000})
		w.wantBalances(c, bal(500, 0, 0))
		w.verify()
	})
}

// Tier 2 goes to the sharer's recruiter and never further up the chain.
func TestNeverATierThree(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		top := w.member("TOP")
		r2 := w.member("R2", top.ID)
		r := w.member("R", r2.ID)
		a := w.member("A", r.ID)
		b := w.member("B")
		o := w.order("t3", b, line("L1", referral.ProductProfit, 1, 10_000))
		o.ShareCode = w.link(w.live(), a)
		got := w.pay(o)
		cs := w.commissions(got.ID)
		if len(cs) != 2 {
			t.Fatalf("%d commissions: %+v", len(cs), cs)
		}
		for _, c := range cs {
			if (c.Tier == 1 && c.BeneficiaryID != a.ID) || (c.Tier == 2 && c.BeneficiaryID != r.ID) || c.Tier > 2 {
				t.Fatalf("commission %+v", c)
			}
		}
		w.wantBalances(r2, bal(0, 0, 0))
		w.wantBalances(top, bal(0, 0, 0))
	})
}

// The attribution order and the binding rules through real touches.
func TestAttributionAndBinding(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		live := w.live()
		a, c, d := w.member("A"), w.member("C"), w.member("D")
		b := w.member("B")

		// last_touch with a 7-day protection window.
		w.setBinding(referral.BindingRules{Mode: referral.BindLastTouch, ProtectionDays: 7})
		w.touch(live, a, b) // binds B to A
		w.touch(live, c, b) // protected: stays with A
		o1 := w.pay(w.order("at-1", b, line("L1", referral.ProductClassic, 1, 1_000)))
		if o1.Attribution.MemberID != a.ID || o1.Attribution.Rule != referral.RuleBinding {
			t.Fatalf("protected binding: %+v", o1.Attribution)
		}
		// A share code wins the order but does not rebind a protected buyer.
		o2 := w.order("at-2", b, line("L1", referral.ProductClassic, 1, 1_000))
		o2.ShareCode = w.link(live, d)
		if got := w.pay(o2); got.Attribution.MemberID != d.ID || got.Attribution.Rule != referral.RuleShareCode {
			t.Fatalf("share code: %+v", got.Attribution)
		}
		if got := w.pay(w.order("at-3", b, line("L1", referral.ProductClassic, 1, 1_000))); got.Attribution.MemberID != a.ID {
			t.Fatalf("the share code rebound a protected buyer: %+v", got.Attribution)
		}
		// After protection, the newest toucher takes the buyer.
		w.clk.Advance(8 * day)
		w.touch(live, c, b)
		if got := w.pay(w.order("at-4", b, line("L1", referral.ProductClassic, 1, 1_000))); got.Attribution.MemberID != c.ID {
			t.Fatalf("last touch after protection: %+v", got.Attribution)
		}

		// A loop is refused: E is bound to F, so F cannot be bound to E; F's order then falls
		// to the last touch inside the live window.
		e, f := w.member("E"), w.member("F")
		w.touch(live, f, e)
		w.touch(live, e, f)
		got := w.pay(w.order("at-5", f, line("L1", referral.ProductClassic, 1, 1_000)))
		if got.Attribution.Rule != referral.RuleLastTouch || got.Attribution.MemberID != e.ID {
			t.Fatalf("loop: %+v", got.Attribution)
		}
		// Self: a member opening their own link binds nobody.
		g := w.member("G")
		w.touch(live, g, g)
		if got := w.pay(w.order("at-6", g, line("L1", referral.ProductClassic, 1, 1_000))); got.Attribution.Rule != referral.RuleNone {
			t.Fatalf("self: %+v", got.Attribution)
		}
		// A buyer who is not a member: only a share code attributes.
		stranger := referral.Member{OpenID: "not-a-member"}
		if got := w.pay(w.order("at-7", stranger, line("L1", referral.ProductClassic, 1, 1_000))); got.Attribution.Rule != referral.RuleNone || got.BuyerMemberID != "" {
			t.Fatalf("stranger: %+v", got)
		}

		// first_touch with new buyers only: a buyer who ordered before is not bound.
		w.setBinding(referral.BindingRules{Mode: referral.BindFirstTouch, NewBuyersOnly: true})
		h := w.member("H")
		o8 := w.order("at-8", h, line("L1", referral.ProductClassic, 1, 1_000))
		w.pay(o8)
		w.clk.Advance(time.Second)
		w.touch(live, a, h)
		got = w.pay(w.order("at-9", h, line("L1", referral.ProductClassic, 1, 1_000)))
		if got.Attribution.Rule != referral.RuleLastTouch {
			t.Fatalf("new buyers only: %+v", got.Attribution)
		}
		w.verify()
	})
}

// Bad input from the open API door gets a clear error and stores nothing.
func TestOrderConflictsAndBadInput(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		b := w.member("B")
		o := w.order("bad-1", b, line("L1", referral.ProductClassic, 1, 1_000))
		w.pay(o)
		other := o
		other.Lines = []referral.OrderLineInput{line("L1", referral.ProductClassic, 1, 999)}
		if _, _, err := w.orders.RecordPaid(w.ctx, w.brand.ID, other); apperr.CodeOf(err) != "ORDER_CONFLICT" {
			t.Fatalf("another body: %v", err)
		}
		w.refund("bad-1", "rf-1", referral.RefundLine{LineID: "L1", RefundFen: 100})
		for name, c := range map[string]struct {
			u    referral.AfterSaleUpdate
			code string
		}{
			"refund id reused":    {referral.AfterSaleUpdate{AfterSaleID: "rf-1", Lines: []referral.RefundLine{{LineID: "L1", RefundFen: 200}}}, "REFUND_CONFLICT"},
			"unknown line":        {referral.AfterSaleUpdate{AfterSaleID: "rf-2", Lines: []referral.RefundLine{{LineID: "L9", RefundFen: 1}}}, "UNKNOWN_LINE"},
			"more than left":      {referral.AfterSaleUpdate{AfterSaleID: "rf-3", Lines: []referral.RefundLine{{LineID: "L1", RefundFen: 901}}}, "REFUND_EXCEEDS_PAID"},
			"no lines":            {referral.AfterSaleUpdate{AfterSaleID: "rf-4"}, "INVALID_ARGUMENT"},
			"zero refund":         {referral.AfterSaleUpdate{AfterSaleID: "rf-5", Lines: []referral.RefundLine{{LineID: "L1"}}}, "INVALID_ARGUMENT"},
			"line twice":          {referral.AfterSaleUpdate{AfterSaleID: "rf-6", Lines: []referral.RefundLine{{LineID: "L1", RefundFen: 1}, {LineID: "L1", RefundFen: 1}}}, "INVALID_ARGUMENT"},
			"control char in ids": {referral.AfterSaleUpdate{AfterSaleID: "rf\n7", Lines: []referral.RefundLine{{LineID: "L1", RefundFen: 1}}}, "INVALID_ARGUMENT"},
		} {
			u := c.u
			u.Source, u.ExternalID, u.State, u.At = referral.SourceOpenAPI, "bad-1", referral.AfterSaleRefunded, w.clk.Now()
			if _, err := w.orders.ApplyAfterSale(w.ctx, w.brand.ID, u); apperr.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		bad := []func(o *referral.PaidOrder){
			func(o *referral.PaidOrder) { o.ExternalID = "" },
			func(o *referral.PaidOrder) { o.Buyer = referral.Identity{} },
			func(o *referral.PaidOrder) { o.Lines = nil },
			func(o *referral.PaidOrder) { o.Lines[0].Quantity = 0 },
			func(o *referral.PaidOrder) { o.Lines[0].PaidFen = -1 },
			func(o *referral.PaidOrder) { o.Lines[0].ProductType = "souvenir" },
			func(o *referral.PaidOrder) { o.Lines = append(o.Lines, o.Lines[0]) },
			func(o *referral.PaidOrder) { o.PaidAt = time.Time{} },
			func(o *referral.PaidOrder) { o.ShareCode = "no spaces allowed" },
		}
		for i, f := range bad {
			o := w.order("bad-x", b, line("L1", referral.ProductClassic, 1, 1_000))
			f(&o)
			if _, _, err := w.orders.RecordPaid(w.ctx, w.brand.ID, o); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("bad order %d: %v", i, err)
			}
		}
		o = w.order("bad-live", b, line("L1", referral.ProductClassic, 1, 1_000))
		o.LiveID = "no-such-live"
		if _, _, err := w.orders.RecordPaid(w.ctx, w.brand.ID, o); apperr.CodeOf(err) != "LIVE_NOT_FOUND" {
			t.Fatalf("unknown live: %v", err)
		}
		if _, err := w.orders.OrderByExternal(w.ctx, w.brand.ID, referral.SourceOpenAPI, "bad-x"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("a refused order was stored: %v", err)
		}
		w.verify()
	})
}

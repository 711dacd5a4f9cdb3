package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

const day = 24 * time.Hour

// The whole life of an order's money: pay → pending for the sharer (tier 1) and their
// recruiter (tier 2); a refund while pending reverses; confirmation + hold days → available;
// a refund after available debits available, the rest becomes debt; new available pays the
// debt first; a prize clears the rest.
func TestOrderMoneyLifecycle(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		r := w.member("R")
		a := w.member("A", r.ID)
		b := w.member("B")
		live := w.live()
		w.touch(live, a, b)

		o := w.pay(w.order("o-1", b,
			line("L1", referral.ProductFlashSale, 1, 10_000), // A 500, R 300
			line("L2", referral.ProductClassic, 2, 9_900),    // A 600 (fixed), R 297
			line("L3", referral.ProductProfit, 1, 20_000)))   // A 3000, R 600
		if o.Attribution.MemberID != a.ID || o.Attribution.Rule != referral.RuleBinding || o.LiveID != live {
			t.Fatalf("attribution %+v live %q", o.Attribution, o.LiveID)
		}
		if o.ShipCityNorm != "杭州" || o.TotalPaidFen != 39_900 {
			t.Fatalf("order %+v", o)
		}
		if n := len(w.commissions(o.ID)); n != 6 {
			t.Fatalf("%d commissions, want 6", n)
		}
		w.wantBalances(a, bal(4100, 0, 0))
		w.wantBalances(r, bal(1197, 0, 0))
		w.wantBalances(b, bal(0, 0, 0))
		w.verify()

		// Refund line 1 while pending: both tiers reversed in full.
		w.refund("o-1", "rf-1", referral.RefundLine{LineID: "L1", RefundFen: 10_000})
		w.refund("o-1", "rf-1", referral.RefundLine{LineID: "L1", RefundFen: 10_000}) // replay
		w.wantBalances(a, bal(3600, 0, 0))
		w.wantBalances(r, bal(897, 0, 0))
		for _, c := range w.commissions(o.ID) {
			if c.AmountFen == 500 || c.AmountFen == 300 {
				if c.Status != payouts.StatusReversed || c.RemainingFen() != 0 {
					t.Fatalf("line 1 commission %+v not reversed", c)
				}
			}
		}

		// Nothing is due before the holding period ends.
		if _, err := w.orders.Confirm(w.ctx, w.brand.ID, referral.SourceOpenAPI, "o-1", w.clk.Now()); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(7*day - time.Minute)
		if n := w.tick(); n != 0 {
			t.Fatalf("released %d before the hold ended", n)
		}
		w.clk.Advance(2 * time.Minute)
		if n := w.tick(); n != 4 {
			t.Fatalf("released %d, want 4", n)
		}
		w.wantBalances(a, bal(0, 3600, 0))
		w.wantBalances(r, bal(0, 897, 0))
		if w.events.count(events.CommissionAvailable) != 4 {
			t.Fatalf("commission.available events: %d", w.events.count(events.CommissionAvailable))
		}
		if n := w.tick(); n != 0 {
			t.Fatalf("a second tick released %d", n)
		}

		// Refund half of line 3 after available: floor(3000 × 10000 / 20000) comes off available.
		w.refund("o-1", "rf-2", referral.RefundLine{LineID: "L3", RefundFen: 10_000})
		w.wantBalances(a, bal(0, 2100, 0))
		w.wantBalances(r, bal(0, 597, 0))

		// A's available is held by a payout (the payouts work's posting): the last refund of
		// line 3 then finds nothing available and becomes debt.
		hold(t, w, a, 2100, "payout-1")
		w.refund("o-1", "rf-3", referral.RefundLine{LineID: "L3", RefundFen: 10_000})
		w.wantBalances(a, payouts.Balances{InFlightFen: 2100, DebtFen: 1500})
		w.wantBalances(r, bal(0, 297, 0))

		// A new commission becoming available pays the debt first.
		w.pay(w.order("o-2", b, line("L1", referral.ProductClassic, 1, 5_000))) // A 300, R 150
		w.clk.Advance(22*day + time.Minute)                                     // auto-confirm after 15 days, then 7 days of hold
		w.tick()
		w.wantBalances(a, payouts.Balances{InFlightFen: 2100, DebtFen: 1200})
		w.wantBalances(r, bal(0, 447, 0))

		// A prize pays the debt first too; a write-off is the owner's and bounded by the debt.
		owner := brands.Actor{Type: "admin", ID: "owner-1"}
		if _, _, err := w.book.Adjust(w.ctx, owner, brands.RoleOwner, w.brand.ID, payouts.AdjustInput{MemberID: a.ID,
			Kind: payouts.AdjustPrize, AmountFen: 1000, Reason: "top inviter"}); err != nil {
			t.Fatal(err)
		}
		w.wantBalances(a, payouts.Balances{InFlightFen: 2100, DebtFen: 200})
		_, _, err := w.book.Adjust(w.ctx, owner, brands.RoleFinance, w.brand.ID, payouts.AdjustInput{MemberID: a.ID,
			Kind: payouts.AdjustDebtWriteOff, AmountFen: 200, Reason: "goodwill"})
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("finance wrote debt off: %v", err)
		}
		_, _, err = w.book.Adjust(w.ctx, owner, brands.RoleOwner, w.brand.ID, payouts.AdjustInput{MemberID: a.ID,
			Kind: payouts.AdjustDebtWriteOff, AmountFen: 201, Reason: "goodwill"})
		if apperr.CodeOf(err) != "WRITE_OFF_EXCEEDS_DEBT" {
			t.Fatalf("write-off above the debt: %v", err)
		}
		if _, _, err := w.book.Adjust(w.ctx, owner, brands.RoleOwner, w.brand.ID, payouts.AdjustInput{MemberID: a.ID,
			Kind: payouts.AdjustDebtWriteOff, AmountFen: 200, Reason: "goodwill"}); err != nil {
			t.Fatal(err)
		}
		w.wantBalances(a, payouts.Balances{InFlightFen: 2100})
		rep := w.verify()
		if rep.Transactions == 0 || rep.SumFen != 0 {
			t.Fatalf("report %v", rep)
		}
		audit, _, err := w.st.ListAudit(w.ctx, w.brand.ID, brands.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		adjusted := 0
		for _, e := range audit {
			if e.Action == "adjustment.create" {
				adjusted++
			}
		}
		if adjusted != 2 {
			t.Fatalf("%d adjustments audited, want 2", adjusted)
		}
	})
}

// hold moves available to in_flight the way the payouts work does (its posting API).
func hold(t *testing.T, w *world, m referral.Member, fen int64, ref string) {
	t.Helper()
	err := w.st.WithTx(w.ctx, func(ctx context.Context) error {
		avail := payouts.MemberAccount(m.ID, payouts.KindAvailable)
		bal, err := w.ledger.Lock(ctx, w.brand.ID, avail)
		if err != nil {
			return err
		}
		if bal[avail] < fen {
			return errors.New("not enough available")
		}
		_, err = w.ledger.Post(ctx, w.brand.ID, payouts.Txn{Ref: "payout-hold:" + ref, Kind: "payout_hold",
			Entries: []payouts.Entry{payouts.DebitOf(avail, fen), payouts.CreditOf(payouts.MemberAccount(m.ID, payouts.KindInFlight), fen)}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The ledger refuses to take a member account below zero, and a ref posts once.
func TestLedgerGuards(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		a := w.member("A")
		avail := payouts.MemberAccount(a.ID, payouts.KindAvailable)
		post := func(ref string, fen int64) error {
			return w.st.WithTx(w.ctx, func(ctx context.Context) error {
				_, err := w.ledger.Post(ctx, w.brand.ID, payouts.Txn{Ref: ref, Kind: "test", Entries: []payouts.Entry{
					payouts.DebitOf(avail, fen), payouts.CreditOf(payouts.MemberAccount(a.ID, payouts.KindInFlight), fen)}})
				return err
			})
		}
		if err := post("x", 1); !errors.Is(err, payouts.ErrInsufficient) {
			t.Fatalf("overdraw: %v", err)
		}
		if _, _, err := w.book.Adjust(w.ctx, brands.Actor{Type: "admin", ID: "o"}, brands.RoleOwner, w.brand.ID,
			payouts.AdjustInput{MemberID: a.ID, Kind: payouts.AdjustCredit, AmountFen: 5, Reason: "r"}); err != nil {
			t.Fatal(err)
		}
		if err := post("x", 5); err != nil {
			t.Fatal(err)
		}
		if err := post("x", 0+5); !errors.Is(err, payouts.ErrAlreadyPosted) && !errors.Is(err, payouts.ErrInsufficient) {
			t.Fatalf("a second post of one ref: %v", err)
		}
		if err := post("y", 1); !errors.Is(err, payouts.ErrInsufficient) {
			t.Fatalf("overdraw after hold: %v", err)
		}
		w.wantBalances(a, payouts.Balances{InFlightFen: 5})
		w.verify()
	})
}

// One pay event delivered 50 times at once → one order, one set of commissions, one posting.
// The same refund 20 times at once → one reversal.
func TestPayEventDeliveredFiftyTimesInParallel(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		r := w.member("R")
		a := w.member("A", r.ID)
		b := w.member("B")
		o := w.order("dup-1", b, line("L1", referral.ProductFlashSale, 1, 10_000), line("L2", referral.ProductProfit, 1, 20_000))
		o.ShareCode = w.link(w.live(), a)
		run := func(n int, fn func() error) {
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- fn()
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		run(50, func() error { return w.orders.Paid(w.ctx, w.brand.ID, o) })
		got, err := w.orders.OrderByExternal(w.ctx, w.brand.ID, referral.SourceOpenAPI, "dup-1")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(w.commissions(got.ID)); n != 4 {
			t.Fatalf("%d commissions, want 4", n)
		}
		w.wantBalances(a, bal(3500, 0, 0))
		w.wantBalances(r, bal(900, 0, 0))
		if n := w.events.count(events.OrderAttributed); n != 1 {
			t.Fatalf("order.attributed emitted %d times", n)
		}
		run(20, func() error {
			return w.orders.AfterSale(w.ctx, w.brand.ID, referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: "dup-1",
				AfterSaleID: "rf", State: referral.AfterSaleRefunded, Lines: []referral.RefundLine{{LineID: "L2", RefundFen: 5000}}, At: w.clk.Now()})
		})
		w.wantBalances(a, bal(2750, 0, 0))
		w.wantBalances(r, bal(750, 0, 0))
		w.verify()
	})
}

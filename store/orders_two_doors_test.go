package store_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
)

// One external id through both doors of a brand is one order: whichever door comes second is
// refused with 409 ORDER_EXISTS_FROM_OTHER_SOURCE naming the first door, and nothing accrues
// again. A replay through the first door still answers the order.
func TestOrderThroughBothDoorsAccruesOnce(t *testing.T) {
	for _, tc := range []struct{ name, first, second string }{
		{"channels then open api", referral.SourceChannels, referral.SourceOpenAPI},
		{"open api then channels", referral.SourceOpenAPI, referral.SourceChannels},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachWorld(t, func(t *testing.T, w *world) {
				w.setPlan(testPlan())
				a := w.member("A")
				b := w.member("B")
				o := w.order("X-1", b, line("L1", referral.ProductProfit, 1, 10_000))
				o.Buyer = referral.Identity{OpenID: b.OpenID, UnionID: b.UnionID}
				o.Sharer = referral.Identity{UnionID: a.UnionID}
				first, second := o, o
				first.Source, second.Source = tc.first, tc.second
				got := w.pay(first)

				_, _, err := w.orders.RecordPaid(w.ctx, w.brand.ID, second)
				if apperr.KindOf(err) != apperr.Conflict || apperr.CodeOf(err) != referral.CodeOrderFromOtherSource {
					t.Fatalf("second door: err %v (kind %v code %q), want conflict %s", err, apperr.KindOf(err), apperr.CodeOf(err), referral.CodeOrderFromOtherSource)
				}
				if want := "source " + tc.first; !strings.Contains(err.Error(), want) {
					t.Fatalf("message %q does not name %q", err.Error(), want)
				}
				if _, err := w.orders.OrderByExternal(w.ctx, w.brand.ID, tc.second, "X-1"); err == nil {
					t.Fatal("the second door created an order")
				}
				if again := w.pay(first); again.ID != got.ID {
					t.Fatalf("replay through the first door answered order %s, want %s", again.ID, got.ID)
				}
				if n := len(w.commissions(got.ID)); n != 1 {
					t.Fatalf("%d commissions, want 1", n)
				}
				w.wantBalances(a, bal(1500, 0, 0))
				w.verify()
			})
		})
	}
}

// Both doors racing with one external id: exactly one order, one commission.
func TestOrderThroughBothDoorsConcurrently(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		a := w.member("A")
		b := w.member("B")
		o := w.order("X-2", b, line("L1", referral.ProductProfit, 1, 10_000))
		o.Buyer = referral.Identity{OpenID: b.OpenID, UnionID: b.UnionID}
		o.Sharer = referral.Identity{UnionID: a.UnionID}
		const n = 16
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			p := o
			if i%2 == 1 {
				p.Source = referral.SourceChannels
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- w.orders.Paid(w.ctx, w.brand.ID, p)
			}()
		}
		wg.Wait()
		close(errs)
		ok, refused := 0, 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.CodeOf(err) == referral.CodeOrderFromOtherSource:
				refused++
			default:
				t.Fatal(err)
			}
		}
		if ok != n/2 || refused != n/2 {
			t.Fatalf("%d accepted, %d refused; want one door's %d accepted (replays) and the other's refused", ok, refused, n/2)
		}
		orders := 0
		var id string
		for _, src := range []string{referral.SourceOpenAPI, referral.SourceChannels} {
			if got, err := w.orders.OrderByExternal(w.ctx, w.brand.ID, src, "X-2"); err == nil {
				orders++
				id = got.ID
			}
		}
		if orders != 1 {
			t.Fatalf("%d orders across both doors, want 1", orders)
		}
		if c := len(w.commissions(id)); c != 1 {
			t.Fatalf("%d commissions, want 1", c)
		}
		w.wantBalances(a, bal(1500, 0, 0))
		w.verify()
	})
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
)

// An after-sale opening while the release of its line's commission runs: the release must not
// commit the commission available while the after-sale is in flight. Deterministic
// interleaving: the after-sale's transaction is held open right after CreateAfterSale
// (blockLines and the commission lock), then the release runs. On PostgreSQL the release must
// wait on the after-sale's locks (seen in pg_blocking_pids), never finish first; once the
// after-sale commits, the release reads the blocked line and backs off. On SQLite the write
// gate serialises the two. Either way the commission stays pending until the after-sale closes.
func TestReleaseWaitsForOpeningAfterSale(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		a := w.member("A")
		b := w.member("B")
		o := w.order("R-1", b, line("L1", referral.ProductProfit, 1, 10_000))
		o.Buyer = referral.Identity{OpenID: b.OpenID, UnionID: b.UnionID}
		o.Sharer = referral.Identity{UnionID: a.UnionID}
		paid := w.pay(o)
		w.clk.Advance(40 * 24 * time.Hour) // past auto-confirm and the hold: the commission is due

		opened := make(chan int) // the after-sale's backend pid (0 on SQLite)
		commit := make(chan struct{})
		asDone := make(chan error, 1)
		go func() {
			asDone <- w.st.WithTx(w.ctx, func(ctx context.Context) error {
				if _, err := w.st.Orders().CreateAfterSale(ctx, referral.AfterSale{BrandID: w.brand.ID, OrderID: paid.ID,
					AfterSaleID: "as-1", State: referral.AfterSaleOpen, Lines: []referral.RefundLine{{LineID: "L1"}}, At: w.clk.Now()}); err != nil {
					close(opened)
					return err
				}
				pid := 0
				if w.st.IsPostgres() {
					tx, _ := store.Tx(ctx)
					if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
						close(opened)
						return err
					}
				}
				opened <- pid
				<-commit
				return nil
			})
		}()
		pid, ok := <-opened
		if !ok {
			t.Fatalf("open the after-sale: %v", <-asDone)
		}
		type result struct {
			n   int
			err error
		}
		relDone := make(chan result, 1)
		go func() {
			n, err := w.book.ReleaseDue(w.ctx, w.brand.ID)
			relDone <- result{n, err}
		}()
		if w.st.IsPostgres() {
			// Condition wait: the release is blocked by the after-sale's transaction, or it
			// finished (the race: it released while the after-sale was opening).
			deadline := time.Now().Add(30 * time.Second)
			for {
				select {
				case r := <-relDone:
					close(commit)
					<-asDone
					t.Fatalf("the release finished (released %d, err %v) while the after-sale was still opening", r.n, r.err)
				default:
				}
				var blocked int
				if err := w.st.DB().QueryRowContext(w.ctx,
					`SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, pid).Scan(&blocked); err != nil {
					t.Fatal(err)
				}
				if blocked > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the release neither waited for the after-sale nor finished")
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		close(commit)
		if err := <-asDone; err != nil {
			t.Fatal(err)
		}
		r := <-relDone
		if r.err != nil || r.n != 0 {
			t.Fatalf("release: released %d, err %v; want 0 (the line has an open after-sale)", r.n, r.err)
		}
		for _, c := range w.commissions(paid.ID) {
			if c.Status != payouts.StatusPending {
				t.Fatalf("commission %s is %s with an after-sale open on its line", c.ID, c.Status)
			}
		}
		w.wantBalances(a, bal(1500, 0, 0))

		// The after-sale closes without a refund: the next tick releases.
		if _, err := w.orders.ApplyAfterSale(w.ctx, w.brand.ID, referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: "R-1",
			AfterSaleID: "as-1", State: referral.AfterSaleClosed, At: w.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if n := w.tick(); n != 1 {
			t.Fatalf("released %d after the after-sale closed, want 1", n)
		}
		w.wantBalances(a, bal(0, 1500, 0))
		w.verify()
	})
}

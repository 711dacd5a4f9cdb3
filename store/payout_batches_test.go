package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
)

// liveEarnings makes a live whose commissions are available: A (recruited by R) brings buyer B
// (profit 15% of 200,000 → A 30,000, R 3% → 6,000); D brings buyer E (flash sale 5% of 1,000 →
// 50, below the minimum). Answers the live.
func (w *payWorld) liveEarnings(a, d referral.Member) string {
	w.t.Helper()
	w.setPlan(testPlan())
	b, e := w.member("B"), w.member("E")
	live := w.live()
	w.touch(live, a, b)
	w.touch(live, d, e)
	w.pay(w.order("o-big", b, line("L1", referral.ProductProfit, 1, 200_000)))
	w.pay(w.order("o-small", e, line("L1", referral.ProductFlashSale, 1, 1_000)))
	w.clk.Advance(22*24*time.Hour + time.Minute) // auto-confirm after 15 days, then 7 days of hold
	if n := w.tick(); n == 0 {
		w.t.Fatal("no commission released")
	}
	return live
}

func (w *payWorld) batches() *payouts.Batches {
	return &payouts.Batches{Payouts: w.svc, Store: w.st.PayoutBatches()}
}

func TestPayoutBatch(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		r := w.member("R")
		a := w.member("A", r.ID)
		d := w.member("D")
		c := w.member("C") // has money, but none from this live
		w.fund(c, 5_000)
		live := w.liveEarnings(a, d)
		w.wantMoney(a, 30_000, 0, 0)
		f1, f2 := w.admin("fin1", brands.RoleFinance), w.admin("fin2", brands.RoleFinance)
		op := w.admin("op", brands.RoleOperator)
		bs := w.batches()

		// Roles and bad input.
		if _, err := bs.Start(w.ctx, actor(op), brands.RoleOperator, w.brand.ID, live); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("operator batch: %v", err)
		}
		if _, err := bs.Start(w.ctx, actor(f1), brands.RoleFinance, w.brand.ID, "no-such-live"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("unknown live: %v", err)
		}
		if _, err := bs.Start(w.ctx, actor(f1), brands.RoleFinance, w.brand.ID, ""); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("empty live: %v", err)
		}

		// Two admins start the live's batch at once: one batch, one hold per member.
		var wg sync.WaitGroup
		res := make([]payouts.BatchResult, 2)
		errs := make([]error, 2)
		for i := range res {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res[i], errs[i] = bs.Start(w.ctx, actor(f1), brands.RoleFinance, w.brand.ID, live)
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("start %d: %v", i, err)
			}
		}
		if res[0].Batch.ID != res[1].Batch.ID || res[0].Replayed == res[1].Replayed {
			t.Fatalf("concurrent starts: %+v / %+v", res[0].Batch, res[1].Batch)
		}
		first := res[0]
		if first.Replayed {
			first = res[1]
		}
		got := map[string]payouts.Payout{}
		for _, p := range first.Payouts {
			got[p.MemberID] = p
		}
		// A: 30,000 available capped at the 20,000 maximum; R: 6,000; D below minimum; C not of this live.
		if len(got) != 2 || got[a.ID].AmountFen != 20_000 || got[r.ID].AmountFen != 6_000 {
			t.Fatalf("batch payouts %+v", first.Payouts)
		}
		if len(first.Skipped) != 1 || first.Skipped[0].MemberID != d.ID || first.Skipped[0].Code != "BELOW_MINIMUM" || first.Skipped[0].AvailableFen != 50 {
			t.Fatalf("skipped %+v", first.Skipped)
		}
		if first.Batch.Payouts != 2 || first.Batch.TotalFen != 26_000 || first.Batch.StartedBy != f1.ID {
			t.Fatalf("batch %+v", first.Batch)
		}
		for _, p := range got {
			if p.BatchID != first.Batch.ID || p.Status != payouts.PayoutRequested || p.ApprovalsNeeded < 1 {
				t.Fatalf("batch payout %+v", p)
			}
		}
		w.wantMoney(a, 10_000, 20_000, 0)
		w.wantMoney(r, 0, 6_000, 0)
		w.wantMoney(c, 5_000, 0, 0)

		// The replay answers the same batch and holds nothing more.
		again, err := bs.Start(w.ctx, actor(f2), brands.RoleFinance, w.brand.ID, live)
		if err != nil || !again.Replayed || again.Batch.ID != first.Batch.ID || len(again.Payouts) != 2 || again.Batch.TotalFen != 26_000 {
			t.Fatalf("replay %+v %v", again, err)
		}
		w.wantMoney(a, 10_000, 20_000, 0)

		// The starter may never approve the batch's payouts; another admin may.
		pa := got[a.ID]
		if _, err := w.svc.Approve(w.ctx, actor(f1), brands.RoleFinance, w.brand.ID, pa.ID); apperr.CodeOf(err) != "BATCH_SELF_APPROVAL" {
			t.Fatalf("starter approval: %v", err)
		}
		if err := payouts.BatchStarterCheck(w.ctx, w.st.Payouts(nil), pa, f1.ID); !errors.Is(err, payouts.ErrBatchSelfApproval) {
			t.Fatalf("hook for the starter: %v", err)
		}
		if err := payouts.BatchStarterCheck(w.ctx, w.st.Payouts(nil), pa, f2.ID); err != nil {
			t.Fatalf("hook for another admin: %v", err)
		}
		p, err := w.svc.Approve(w.ctx, actor(f2), brands.RoleFinance, w.brand.ID, pa.ID)
		if err != nil || p.Approvals != 1 {
			t.Fatalf("approval by another admin: %+v %v", p, err)
		}

		// Another brand cannot see the live.
		other := newPayWorld(t, newWorld(t, w.st, "other"))
		if _, err := other.batches().Start(w.ctx, actor(f2), brands.RoleFinance, other.brand.ID, live); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("cross-brand batch: %v", err)
		}
		rep := w.verify()
		t.Logf("batch %s: %d payouts, %d fen, skipped %d; replay and concurrent start made no second hold; ledger %s",
			first.Batch.ID, first.Batch.Payouts, first.Batch.TotalFen, len(first.Skipped), rep)
	})
}

// The payouts export streams page by page (two rows a query here) in request order, with the
// live filter (the live's batch) and the date range; another brand's rows never appear.
func TestPayoutExportStreams(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		r := w.member("R")
		a := w.member("A", r.ID)
		d := w.member("D")
		live := w.liveEarnings(a, d)
		f := w.admin("fin", brands.RoleFinance)
		if _, err := w.batches().Start(w.ctx, actor(f), brands.RoleFinance, w.brand.ID, live); err != nil {
			t.Fatal(err)
		}
		var singles []string
		for _, name := range []string{"S1", "S2", "S3"} {
			m := w.member(name)
			w.fund(m, 1_000)
			w.clk.Advance(time.Minute)
			singles = append(singles, w.request(m, 500, "k-"+name).Payout.ID)
		}
		other := newPayWorld(t, newWorld(t, w.st, "other"))
		om := other.member("X")
		other.fund(om, 1_000)
		other.request(om, 500, "k-x")

		export := func(f store.PayoutExportFilter) [][]string {
			t.Helper()
			var rows [][]string
			f.PageSize = 2
			if err := w.st.ExportPayouts(w.ctx, w.brand.ID, f, func(row []string) error {
				rows = append(rows, append([]string(nil), row...))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return rows
		}
		all := export(store.PayoutExportFilter{})
		if len(all) != 1+5 || all[0][0] != "id" || len(all[0]) != len(store.PayoutExportHeader) {
			t.Fatalf("all rows %v", all)
		}
		if got := []string{all[3][0], all[4][0], all[5][0]}; got[0] != singles[0] || got[1] != singles[1] || got[2] != singles[2] {
			t.Fatalf("order %v, want %v last", got, singles)
		}
		byLive := export(store.PayoutExportFilter{LiveID: live})
		if len(byLive) != 1+2 || byLive[1][10] != live || byLive[1][9] == "" || byLive[1][3] == "" {
			t.Fatalf("live rows %v", byLive)
		}
		from := w.clk.Now().Add(-90 * time.Second)
		to := w.clk.Now().Add(time.Second)
		ranged := export(store.PayoutExportFilter{From: &from, To: &to})
		if len(ranged) != 1+2 || ranged[1][0] != singles[1] || ranged[2][0] != singles[2] || ranged[2][2] != "S3" {
			t.Fatalf("ranged rows %v", ranged)
		}
		if rows := export(store.PayoutExportFilter{LiveID: "no-such-live"}); len(rows) != 1 {
			t.Fatalf("unknown live rows %v", rows)
		}
		stop := errors.New("stop")
		n := 0
		if err := w.st.ExportPayouts(w.ctx, w.brand.ID, store.PayoutExportFilter{PageSize: 2}, func([]string) error {
			if n++; n == 3 {
				return stop
			}
			return nil
		}); !errors.Is(err, stop) || n != 3 {
			t.Fatalf("stopped export: %v after %d rows", err, n)
		}
		t.Logf("payouts export: %d rows in pages of 2, %d of the live, %d in the range", len(all)-1, len(byLive)-1, len(ranged)-1)
	})
}

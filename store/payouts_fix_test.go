package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// fakeMerchants answers the brand's current create parameters, or that it has no merchant.
type fakeMerchants struct {
	mu      sync.Mutex
	params  payouts.CreateParams
	missing bool
}

func (m *fakeMerchants) CreateParams(context.Context, string) (payouts.CreateParams, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.missing {
		return payouts.CreateParams{}, payouts.ErrNoMerchant
	}
	return m.params, nil
}

func (m *fakeMerchants) set(p payouts.CreateParams, missing bool) {
	m.mu.Lock()
	m.params, m.missing = p, missing
	m.mu.Unlock()
}

var (
	paramsA = payouts.CreateParams{SceneID: "1005", NotifyURL: "https://replica-a.example/webhooks/wechatpay/b/transfer"}
	paramsB = payouts.CreateParams{SceneID: "1000", NotifyURL: "https://replica-b.example/webhooks/wechatpay/b/transfer"}
)

// withMerchant puts a merchant (paramsA) and the alert store on the world's payout service.
func (w *payWorld) withMerchant() *fakeMerchants {
	m := &fakeMerchants{params: paramsA}
	w.svc.Merchants, w.svc.Alerts = m, w.st.Reconciliation()
	return m
}

func (w *payWorld) alerts(kind string) []payouts.Alert {
	w.t.Helper()
	all, err := w.st.Reconciliation().ListAlerts(w.ctx, w.brand.ID, "", 500)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []payouts.Alert
	for _, a := range all {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// The create's parameters are stored with the first create intent; after the brand's scene and
// the replica's notify URL changed, the repeat (the first answer was lost) still carries the
// first ones, so WeChat answers the bill with its package_info.
func TestPayoutCreateParamsFrozen(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		m := w.withMerchant()
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 3_000, "k1").Payout
		if p.SceneID != "" {
			t.Fatalf("params stored before any create: %+v", p)
		}
		w.wx.loseAnswer = 1
		if err := w.advance(p.ID); err == nil {
			t.Fatal("a lost create answer must be retried")
		}
		if got := w.payout(p.ID); got.SceneID != paramsA.SceneID || got.NotifyURL != paramsA.NotifyURL || got.Status != payouts.PayoutApproved {
			t.Fatalf("after the first create: %+v", got)
		}
		m.set(paramsB, false) // the brand's scene changed; another replica, another URL
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		got := w.payout(p.ID)
		if got.Status != payouts.PayoutSubmitted || got.PackageInfo == "" || got.SceneID != paramsA.SceneID {
			t.Fatalf("after the repeat: %+v", got)
		}
		if w.wx.billCount() != 1 || len(w.wx.sent) != 2 || w.wx.sent[0] != paramsA || w.wx.sent[1] != paramsA {
			t.Fatalf("bills %d, creates sent %+v", w.wx.billCount(), w.wx.sent)
		}
		if n := len(w.alerts(payouts.AlertCreateParamsDiffer)); n != 0 {
			t.Fatalf("%d create_params_differ alerts for identical repeats", n)
		}
		w.wantMoney(a, 7_000, 3_000, 0)
		t.Logf("repeat after scene %s→%s and notify URL change carried the first params; bills=%d creates=%d",
			paramsA.SceneID, paramsB.SceneID, w.wx.billCount(), len(w.wx.sent))
	})
}

// A create refused as a differing repeat ("商户单号重复…") means the bill exists: the payout
// is neither failed nor released; the attempt is stored as refused, one alert is raised (re-runs
// add none), and the bill is learnt by query; paid once when it succeeds.
func TestPayoutCreateRefusedAsDifferingRepeat(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		m := w.withMerchant()
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 3_000, "k1").Payout
		w.wx.loseAnswer = 1
		if err := w.advance(p.ID); err == nil {
			t.Fatal("a lost create answer must be retried")
		}
		// A payout stored before its parameters were kept: nothing stored, and the brand's
		// settings have changed since the bill was made.
		if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE payouts SET transfer_scene_id = '', notify_url = '' WHERE id = `+placeholder(w), p.ID); err != nil {
			t.Fatal(err)
		}
		m.set(paramsB, false)
		for i := 0; i < 3; i++ { // the job and two sweeps
			if err := w.advance(p.ID); err != nil {
				t.Fatalf("advance %d: %v", i, err)
			}
		}
		got := w.payout(p.ID)
		if got.Status != payouts.PayoutSubmitted || got.WeChatState != payouts.BillWaitUserConfirm || got.TransferBillNo == "" {
			t.Fatalf("after the refused repeat: %+v", got)
		}
		w.wantMoney(a, 7_000, 3_000, 0)
		alerts := w.alerts(payouts.AlertCreateParamsDiffer)
		if len(alerts) != 1 || alerts[0].PayoutID != p.ID || alerts[0].OutBillNo != p.OutBillNo {
			t.Fatalf("alerts %+v, want one create_params_differ", alerts)
		}
		refused := 0
		atts, err := w.st.Payouts(nil).ListAttempts(w.ctx, w.brand.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range atts {
			if at.Op == payouts.OpCreate && at.Outcome == payouts.OutcomeRefused && at.Code == "INVALID_REQUEST" {
				refused++
			}
		}
		// One refused repeat: later runs do not ask again for a package WeChat will not give.
		if refused != 1 || len(w.wx.sent) != 2 {
			t.Fatalf("%d refused creates, %d creates sent; want 1 and 2: %+v", refused, len(w.wx.sent), atts)
		}
		// The member confirmed the existing bill: paid once, the hold never released.
		bill := w.wx.settle(p.OutBillNo, payouts.BillSuccess)
		if _, err := w.svc.ApplyBill(w.ctx, w.brand.ID, bill); err != nil {
			t.Fatal(err)
		}
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		w.wantMoney(a, 7_000, 0, 3_000)
		if w.wx.billCount() != 1 || w.payout(p.ID).Status != payouts.PayoutPaid {
			t.Fatalf("bills %d, payout %+v", w.wx.billCount(), w.payout(p.ID))
		}
		r := w.verify()
		t.Logf("differing repeat: %d refused creates, 1 alert, paid once; ledger %s", refused, r)
	})
}

// placeholder is the engine's first bind parameter.
func placeholder(w *payWorld) string {
	if w.st.IsPostgres() {
		return "$1"
	}
	return "?"
}

// No merchant: the request is refused up front (409 PAYOUTS_NOT_CONFIGURED, nothing held, the
// answer replayed); an approved payout whose merchant went away waits with an alert, once a
// day, and without an error that would make the job retry; it goes on once a merchant is back.
func TestPayoutNoMerchant(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		m := w.withMerchant()
		a := w.member("A")
		w.fund(a, 10_000)
		m.set(paramsA, true)
		for i := 0; i < 2; i++ {
			ans := w.request(a, 3_000, "k-none")
			var body struct{ Code string }
			_ = json.Unmarshal(ans.Body, &body)
			if ans.Status != http.StatusConflict || body.Code != "PAYOUTS_NOT_CONFIGURED" || ans.Replayed != (i == 1) {
				t.Fatalf("request %d: %d %s replayed=%v", i, ans.Status, ans.Body, ans.Replayed)
			}
		}
		w.wantMoney(a, 10_000, 0, 0)

		m.set(paramsA, false)
		p := w.request(a, 3_000, "k1").Payout
		m.set(paramsA, true) // the owner removed the merchant before the job ran
		for i := 0; i < 3; i++ {
			if err := w.advance(p.ID); err != nil {
				t.Fatalf("advance %d without a merchant: %v", i, err)
			}
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutApproved {
			t.Fatalf("payout %+v, want approved", got)
		}
		if len(w.wx.sent) != 0 {
			t.Fatalf("%d creates sent without a merchant", len(w.wx.sent))
		}
		if al := w.alerts(payouts.AlertNoMerchant); len(al) != 1 || al[0].PayoutID != p.ID || al[0].OurStatus != payouts.PayoutApproved {
			t.Fatalf("alerts %+v, want one merchant_missing", al)
		}
		w.wantMoney(a, 7_000, 3_000, 0)

		m.set(paramsA, false)
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutSubmitted || got.PackageInfo == "" {
			t.Fatalf("after the merchant came back: %+v", got)
		}
		// Gone again while the bill waits: the query cannot run; the payout waits, no error.
		m.set(paramsA, true)
		w.svc.Transfers = noMerchantQueries{w.wx}
		if err := w.advance(p.ID); err != nil {
			t.Fatalf("advance of a submitted payout without a merchant: %v", err)
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutSubmitted {
			t.Fatalf("payout %+v, want submitted", got)
		}
		// The day's reconciliation cannot query either: it lists the payout as merchant_missing
		// rather than failing the run (the daily job goes on to the other brands).
		rec := payouts.Reconciler{Payouts: w.svc, Store: w.st.Reconciliation()}
		day := w.svc.Clock.Now().In(payouts.ReconcileZone).Format(time.DateOnly)
		res, err := rec.Day(w.ctx, w.brand.ID, day)
		if err != nil {
			t.Fatalf("reconciliation without a merchant: %v", err)
		}
		if len(res.Mismatched) != 1 || res.Mismatched[0].PayoutID != p.ID || res.Mismatched[0].Kinds[0] != payouts.AlertNoMerchant {
			t.Fatalf("reconciliation without a merchant: %+v", res)
		}
		if al := w.alerts(payouts.AlertNoMerchant); len(al) != 1 {
			t.Fatalf("alerts %+v, want still one merchant_missing (once per payout and day)", al)
		}
	})
}

// noMerchantQueries is the fake whose brand lost its merchant: every call answers ErrNoMerchant.
type noMerchantQueries struct{ *fakeWeChat }

func (noMerchantQueries) Query(context.Context, string, string) (payouts.Bill, error) {
	return payouts.Bill{}, payouts.ErrNoMerchant
}

// A member's cancel asked for while the job runs (its enqueue is a no-op then: the job is
// unique while running) is carried out before the run ends, not at the next sweep.
func TestPayoutCancelDuringAdvance(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 3_000, "k1").Payout
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		var cancelErr error
		w.wx.duringQuery = func() { _, cancelErr = w.svc.Cancel(w.ctx, w.brand.ID, a.ID, p.ID) }
		if err := w.advance(p.ID); err != nil { // the sweep's query of the waiting bill
			t.Fatal(err)
		}
		if cancelErr != nil {
			t.Fatalf("cancel during the run: %v", cancelErr)
		}
		got := w.payout(p.ID)
		if w.wx.cancels != 1 || got.WeChatState != payouts.BillCanceling {
			t.Fatalf("cancels %d, payout %+v: the cancel waited for the sweep", w.wx.cancels, got)
		}
		// The next run learns CANCELLED: the hold comes back once; more runs change nothing.
		for i := 0; i < 2; i++ {
			if err := w.advance(p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutCancelled || w.wx.cancels != 1 {
			t.Fatalf("payout %+v, cancels %d", got, w.wx.cancels)
		}
		w.wantMoney(a, 10_000, 0, 0)
		w.verify()
	})
}

// Concurrent runs of one payout with a cancel pending: one bill, at most one hold release.
func TestPayoutConcurrentAdvanceWithCancel(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 3_000, "k1").Payout
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Cancel(w.ctx, w.brand.ID, a.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = w.advance(p.ID)
			}(i)
		}
		wg.Wait()
		for _, err := range errs {
			// A run that lost a guarded update to another answers an error; its job retries.
			if err != nil {
				t.Logf("concurrent run: %v", err)
			}
		}
		for i := 0; i < 2; i++ { // the retries
			if err := w.advance(p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutCancelled || w.wx.billCount() != 1 {
			t.Fatalf("payout %+v, bills %d", got, w.wx.billCount())
		}
		w.wantMoney(a, 10_000, 0, 0)
		w.verify()
	})
}

// A batch of a brand without a merchant is refused whole (409 PAYOUTS_NOT_CONFIGURED): no
// batch, nothing held; once the merchant is there it runs.
func TestPayoutBatchNoMerchant(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		m := w.withMerchant()
		a := w.member("A")
		live := w.liveEarnings(a, w.member("D"))
		before := w.balances(a)
		f1 := w.admin("fin1", brands.RoleFinance)
		m.set(paramsA, true)
		if _, err := w.batches().Start(w.ctx, actor(f1), brands.RoleFinance, w.brand.ID, live); apperr.CodeOf(err) != "PAYOUTS_NOT_CONFIGURED" || apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("batch without a merchant: %v", err)
		}
		if got := w.balances(a); got != before {
			t.Fatalf("balances %+v, want %+v", got, before)
		}
		m.set(paramsA, false)
		res, err := w.batches().Start(w.ctx, actor(f1), brands.RoleFinance, w.brand.ID, live)
		if err != nil || res.Replayed || len(res.Payouts) == 0 {
			t.Fatalf("batch with the merchant back: %+v %v", res, err)
		}
	})
}

// A duplicate alert inside a transaction answers false and leaves the transaction usable: on
// PostgreSQL a unique violation would abort it, so a concurrent delivery of the same
// contradicting callback would fail with 5xx instead of being acknowledged.
func TestInsertAlertDuplicateKeepsTransaction(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 5_000)
		p := w.request(a, 1_000, "k-alert").Payout
		rec := w.st.Reconciliation()
		al := payouts.Alert{BrandID: w.brand.ID, Day: "2026-12-01", PayoutID: p.ID, OutBillNo: p.OutBillNo,
			Kind: payouts.AlertStateMismatch, OurStatus: p.Status, OurAmountFen: p.AmountFen, Detail: "first", CreatedAt: w.clk.Now()}
		if fresh, err := rec.InsertAlert(w.ctx, al); err != nil || !fresh {
			t.Fatalf("first insert: %v %v", fresh, err)
		}
		err := w.st.WithTx(w.ctx, func(ctx context.Context) error {
			fresh, err := rec.InsertAlert(ctx, al)
			if err != nil || fresh {
				t.Fatalf("duplicate insert: fresh=%v err=%v", fresh, err)
			}
			other := al
			other.Kind = payouts.AlertStuck
			if fresh, err := rec.InsertAlert(ctx, other); err != nil || !fresh {
				t.Fatalf("the transaction is unusable after the duplicate: fresh=%v err=%v", fresh, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := rec.ListAlerts(w.ctx, w.brand.ID, "", 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("alerts %+v %v, want 2", got, err)
		}

		// Two transactions storing one alert at once: the second's insert waits on the first's
		// uncommitted row (PostgreSQL; on SQLite the write gate orders them), then answers false
		// with its transaction intact.
		racing := al
		racing.Day = "2026-12-02"
		inserted, second := make(chan struct{}), make(chan error, 1)
		first := w.st.WithTx(w.ctx, func(ctx context.Context) error {
			if fresh, err := rec.InsertAlert(ctx, racing); err != nil || !fresh {
				t.Errorf("first racer: fresh=%v err=%v", fresh, err)
			}
			close(inserted)
			go func() {
				second <- w.st.WithTx(w.ctx, func(ctx context.Context) error {
					fresh, err := rec.InsertAlert(ctx, racing)
					if err != nil || fresh {
						return fmt.Errorf("second racer: fresh=%v err=%v", fresh, err)
					}
					other := racing
					other.Kind = payouts.AlertStuck
					_, err = rec.InsertAlert(ctx, other)
					return err
				})
			}()
			if w.st.IsPostgres() {
				waitUntil(t, "the second insert waiting on the first's row lock", func() bool {
					var n int
					_ = w.st.DB().QueryRowContext(w.ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
						AND query LIKE '%reconciliation_alerts%'`).Scan(&n)
					return n > 0
				})
			}
			return nil
		})
		<-inserted
		if first != nil {
			t.Fatal(first)
		}
		if err := <-second; err != nil {
			t.Fatal(err)
		}
		if got, err := rec.ListAlerts(w.ctx, w.brand.ID, "2026-12-02", 10); err != nil || len(got) != 2 {
			t.Fatalf("raced alerts %+v %v, want 2", got, err)
		}
	})
}

// waitUntil polls cond every 10 ms for up to 30 s (a condition wait, not a timed test).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

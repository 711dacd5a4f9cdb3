package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

// A request under the auto-approve threshold: held, approved and enqueued in one transaction;
// the job makes one bill that waits for the member; the callback pays it once.
func TestPayoutAutoApprovedPaidOnce(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 30_000)
		ans := w.request(a, 3_000, "k1")
		if ans.Status != http.StatusCreated || ans.Replayed {
			t.Fatalf("answer %d %s", ans.Status, ans.Body)
		}
		p := ans.Payout
		if p.Status != payouts.PayoutApproved || p.ApprovalsNeeded != 0 || len(p.OutBillNo) > 32 || p.OutBillNo[:len(w.brand.OutBillPrefix)] != w.brand.OutBillPrefix {
			t.Fatalf("payout %+v", p)
		}
		if w.q.count(p.ID) != 1 {
			t.Fatalf("send job enqueued %d times", w.q.count(p.ID))
		}
		w.wantMoney(a, 27_000, 3_000, 0)

		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		p = w.payout(p.ID)
		if p.Status != payouts.PayoutSubmitted || p.WeChatState != payouts.BillWaitUserConfirm || p.PackageInfo == "" || p.TransferBillNo == "" {
			t.Fatalf("after send: %+v", p)
		}
		if len(w.remind.ids) != 1 {
			t.Fatalf("reminders %d, want 1", len(w.remind.ids))
		}
		// A periodic query of the still-waiting bill changes nothing and reminds no one again.
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		if len(w.remind.ids) != 1 || w.payout(p.ID).PackageInfo == "" {
			t.Fatalf("a query reminded again or dropped the package")
		}

		bill := w.wx.settle(p.OutBillNo, payouts.BillSuccess)
		for i := 0; i < 3; i++ { // duplicate callbacks
			got, err := w.svc.ApplyBill(w.ctx, w.brand.ID, bill)
			if err != nil || got.Status != payouts.PayoutPaid {
				t.Fatalf("callback %d: %+v %v", i, got, err)
			}
		}
		w.wantMoney(a, 27_000, 0, 3_000)
		if w.events.count(events.PayoutPaid) != 1 || w.wx.billCount() != 1 || w.wx.creates != 1 {
			t.Fatalf("paid events %d, bills %d, creates %d", w.events.count(events.PayoutPaid), w.wx.billCount(), w.wx.creates)
		}
		// Another brand's callback for this bill is 404 and changes nothing.
		if _, err := w.svc.ApplyBill(w.ctx, "other-brand", bill); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("cross-brand apply: %v", err)
		}
		r := w.verify()
		t.Logf("auto-approved payout %s paid once: bills=%d creates=%d; ledger %s", p.OutBillNo, w.wx.billCount(), w.wx.creates, r)
	})
}

func TestPayoutRequestRules(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 60_000)
		cases := []struct {
			name   string
			amount int64
			status int
			code   string
		}{
			{"below minimum", 99, 422, "PAYOUT_LIMIT"},
			{"above maximum", 20_001, 422, "PAYOUT_LIMIT"},
			{"zero", 0, 400, "INVALID_ARGUMENT"},
			{"ok 20000", 20_000, 201, ""},
			{"ok 20000 again", 20_000, 201, ""},
			{"daily total 50000 exceeded", 10_001, 422, "PAYOUT_LIMIT"},
			{"exactly the daily total", 10_000, 201, ""},
		}
		for i, c := range cases {
			ans := w.request(a, c.amount, fmt.Sprintf("rules-%d", i))
			if ans.Status != c.status || (c.code != "" && !contains(ans.Body, c.code)) {
				t.Fatalf("%s: %d %s", c.name, ans.Status, ans.Body)
			}
		}
		// The next day the limit starts over, but the balance is short now.
		w.clk.Advance(24 * time.Hour)
		if ans := w.request(a, 20_000, "rules-next-day"); ans.Status != 422 || !contains(ans.Body, "PAYOUT_INSUFFICIENT_BALANCE") {
			t.Fatalf("insufficient: %d %s", ans.Status, ans.Body)
		}
		// A frozen member cannot request.
		b := w.member("B")
		w.fund(b, 5_000)
		if ok, err := w.st.Orders().SetMemberStatus(w.ctx, w.brand.ID, b.ID, referral.StatusActive, referral.StatusFrozen); err != nil || !ok {
			t.Fatalf("freeze: %v %v", ok, err)
		}
		if ans := w.request(b, 1_000, "frozen"); ans.Status != 422 || !contains(ans.Body, "MEMBER_FROZEN") {
			t.Fatalf("frozen: %d %s", ans.Status, ans.Body)
		}
		// No Idempotency-Key: refused, nothing stored.
		if _, err := w.svc.Request(w.ctx, w.brand.ID, a.ID, 1_000, "", "h", render); apperr.CodeOf(err) != "IDEMPOTENCY_KEY_REQUIRED" {
			t.Fatalf("no key: %v", err)
		}
		w.wantMoney(a, 10_000, 50_000, 0)
		w.verify()
	})
}

func contains(b []byte, s string) bool {
	return len(s) == 0 || (len(b) >= len(s) && indexOf(string(b), s) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Review: one approval above the auto threshold, two different admins above the second,
// finance or owner only; reject releases the hold exactly once.
func TestPayoutReview(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 50_000)
		fin, own, op := w.admin("fin", brands.RoleFinance), w.admin("own", brands.RoleOwner), w.admin("op", brands.RoleOperator)

		one := w.request(a, 10_000, "r1").Payout // day total 10000: one approval
		two := w.request(a, 15_000, "r2").Payout // day total 25000 > 20000: two approvals
		three := w.request(a, 5_000, "r3").Payout
		if one.ApprovalsNeeded != 1 || two.ApprovalsNeeded != 2 || one.Status != payouts.PayoutRequested {
			t.Fatalf("approvals needed %d %d", one.ApprovalsNeeded, two.ApprovalsNeeded)
		}
		if _, err := w.svc.Approve(w.ctx, actor(op), brands.RoleOperator, w.brand.ID, one.ID); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("operator approved: %v", err)
		}
		got, err := w.svc.Approve(w.ctx, actor(fin), brands.RoleFinance, w.brand.ID, one.ID)
		if err != nil || got.Status != payouts.PayoutApproved || w.q.count(one.ID) != 1 {
			t.Fatalf("approve one: %+v %v (jobs %d)", got, err, w.q.count(one.ID))
		}
		if _, err := w.svc.Approve(w.ctx, actor(own), brands.RoleOwner, w.brand.ID, one.ID); apperr.CodeOf(err) != "PAYOUT_NOT_IN_REVIEW" {
			t.Fatalf("approve twice: %v", err)
		}

		got, err = w.svc.Approve(w.ctx, actor(fin), brands.RoleFinance, w.brand.ID, two.ID)
		if err != nil || got.Status != payouts.PayoutRequested || got.Approvals != 1 || w.q.count(two.ID) != 0 {
			t.Fatalf("first of two: %+v %v", got, err)
		}
		if _, err := w.svc.Approve(w.ctx, actor(fin), brands.RoleFinance, w.brand.ID, two.ID); apperr.CodeOf(err) != "PAYOUT_ALREADY_REVIEWED" {
			t.Fatalf("same admin twice: %v", err)
		}
		got, err = w.svc.Approve(w.ctx, actor(own), brands.RoleOwner, w.brand.ID, two.ID)
		if err != nil || got.Status != payouts.PayoutApproved || w.q.count(two.ID) != 1 {
			t.Fatalf("second of two: %+v %v", got, err)
		}

		w.wantMoney(a, 20_000, 30_000, 0)
		got, err = w.svc.Reject(w.ctx, actor(fin), brands.RoleFinance, w.brand.ID, three.ID, "looks wrong")
		if err != nil || got.Status != payouts.PayoutRejected {
			t.Fatalf("reject: %+v %v", got, err)
		}
		if _, err := w.svc.Reject(w.ctx, actor(own), brands.RoleOwner, w.brand.ID, three.ID, ""); apperr.CodeOf(err) != "PAYOUT_NOT_IN_REVIEW" {
			t.Fatalf("reject twice: %v", err)
		}
		w.wantMoney(a, 25_000, 25_000, 0)
		audit, _, err := w.st.ListAudit(w.ctx, w.brand.ID, brands.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range audit {
			if e.Action == "payout.approve" || e.Action == "payout.reject" {
				n++
			}
		}
		if n != 4 {
			t.Fatalf("%d review audit rows, want 4", n)
		}
		w.verify()
	})
}

// Concurrent approvals by different admins of a payout needing one: exactly one transition,
// one send job.
func TestPayoutConcurrentApprovals(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		admins := []brands.Admin{w.admin("f1", brands.RoleFinance), w.admin("f2", brands.RoleFinance), w.admin("o1", brands.RoleOwner)}
		for round := 0; round < 3; round++ {
			a := w.member(fmt.Sprintf("A%d", round)) // a member of their own: one approval needed
			w.fund(a, 50_000)
			p := w.request(a, 10_000, fmt.Sprintf("c%d", round)).Payout
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins, conflicts := 0, 0
			for _, ad := range admins {
				wg.Add(1)
				go func(ad brands.Admin) {
					defer wg.Done()
					_, err := w.svc.Approve(w.ctx, actor(ad), ad.Role, w.brand.ID, p.ID)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						wins++
					case apperr.KindOf(err) == apperr.Conflict:
						conflicts++
					default:
						t.Errorf("approve: %v", err)
					}
				}(ad)
			}
			wg.Wait()
			if wins != 1 || conflicts != 2 || w.q.count(p.ID) != 1 || w.payout(p.ID).Status != payouts.PayoutApproved {
				t.Fatalf("round %d: %d wins, %d conflicts, %d jobs", round, wins, conflicts, w.q.count(p.ID))
			}
			approvals, _ := w.svc.Approvals(w.ctx, w.brand.ID, p.ID)
			if len(approvals) != 1 {
				t.Fatalf("round %d: %d approval rows kept", round, len(approvals))
			}
		}
		t.Logf("3 rounds of 3 concurrent approvals: 1 transition and 1 send job each")
	})
}

// Idempotency: replay (a 4xx too), reuse with another body, concurrent same key.
func TestPayoutIdempotency(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		// A 4xx is the first answer too: replayed even after the balance arrives.
		first := w.request(a, 1_000, "idem-poor")
		w.fund(a, 20_000)
		again := w.request(a, 1_000, "idem-poor")
		if first.Status != 422 || !again.Replayed || again.Status != 422 || string(again.Body) != string(first.Body) {
			t.Fatalf("4xx replay: %d %s / %v %d %s", first.Status, first.Body, again.Replayed, again.Status, again.Body)
		}
		ok := w.request(a, 2_000, "idem-ok")
		rep := w.request(a, 2_000, "idem-ok")
		if ok.Status != 201 || !rep.Replayed || string(rep.Body) != string(ok.Body) {
			t.Fatalf("replay: %s / %s", ok.Body, rep.Body)
		}
		if _, err := w.svc.Request(w.ctx, w.brand.ID, a.ID, 3_000, "idem-ok", bodyHash(3_000), render); apperr.CodeOf(err) != "IDEMPOTENCY_KEY_REUSED" {
			t.Fatalf("reuse: %v", err)
		}
		// Keys are scoped to the member.
		b := w.member("B")
		w.fund(b, 5_000)
		if other := w.request(b, 2_000, "idem-ok"); other.Replayed || other.Status != 201 {
			t.Fatalf("another member's key: %+v", other)
		}

		// 10 concurrent requests with one key: one payout; the others replay it or are told
		// the key is in use.
		var wg sync.WaitGroup
		var mu sync.Mutex
		created, replayed, inUse := 0, 0, 0
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ans, err := w.svc.Request(w.ctx, w.brand.ID, a.ID, 1_500, "idem-race", bodyHash(1_500), render)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && ans.Replayed:
					replayed++
				case err == nil && ans.Status == 201:
					created++
				case apperr.CodeOf(err) == "IDEMPOTENCY_KEY_IN_USE":
					inUse++
				default:
					t.Errorf("concurrent: %+v %v", ans, err)
				}
			}()
		}
		wg.Wait()
		list, _, err := w.svc.ListMember(w.ctx, w.brand.ID, a.ID, "", payouts.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if created != 1 || len(list) != 2 {
			t.Fatalf("created %d (replayed %d, in use %d), member has %d payouts", created, replayed, inUse, len(list))
		}
		w.wantMoney(a, 20_000-2_000-1_500, 3_500, 0)
		w.verify()
		t.Logf("idempotency: 4xx replayed, 201 replayed, reuse 409; 10 concurrent → created=%d replayed=%d in_use=%d", created, replayed, inUse)
	})
}

// 20 goroutines request payouts that together exceed the balance: no account below zero, and
// after review and transfer, Σ paid = Σ approved.
func TestPayoutConcurrentRequestsExceedingBalance(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 10_000)
		fin := w.admin("fin", brands.RoleFinance)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var ok []payouts.Payout
		refused := 0
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ans, err := w.svc.Request(w.ctx, w.brand.ID, a.ID, 1_500, fmt.Sprintf("g%d", i), bodyHash(1_500), render)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("request %d: %v", i, err)
				case ans.Status == 201:
					ok = append(ok, ans.Payout)
				case ans.Status == 422 && contains(ans.Body, "PAYOUT_INSUFFICIENT_BALANCE"):
					refused++
				default:
					t.Errorf("request %d: %d %s", i, ans.Status, ans.Body)
				}
			}(i)
		}
		wg.Wait()
		if len(ok) != 6 || refused != 14 {
			t.Fatalf("%d accepted, %d refused; want 6 and 14 (10000 / 1500)", len(ok), refused)
		}
		var approved, paid int64
		for _, p := range ok {
			if p.Status == payouts.PayoutRequested {
				if _, err := w.svc.Approve(w.ctx, actor(fin), brands.RoleFinance, w.brand.ID, p.ID); err != nil {
					t.Fatal(err)
				}
			}
			approved += p.AmountFen
			if err := w.advance(p.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.ApplyBill(w.ctx, w.brand.ID, w.wx.settle(p.OutBillNo, payouts.BillSuccess)); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range ok {
			if q := w.payout(p.ID); q.Status == payouts.PayoutPaid {
				paid += q.AmountFen
			}
		}
		b := w.balances(a)
		if b.AvailableFen < 0 || b.InFlightFen != 0 || paid != approved || b.PaidFen != paid || b.AvailableFen != 10_000-paid {
			t.Fatalf("balances %+v, paid %d, approved %d", b, paid, approved)
		}
		r := w.verify()
		t.Logf("20 concurrent requests of 1500 on 10000: accepted=%d refused=%d Σapproved=%d Σpaid=%d available=%d; ledger %s",
			len(ok), refused, approved, paid, b.AvailableFen, r)
	})
}

// Crash points: at every step boundary the work stops and runs again; each payout ends with
// exactly one bill and one ledger effect.
func TestPayoutCrashPoints(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 40_000)

		// 1. After the approving commit, before the send: the job is lost; the sweep finds
		// the approved payout and the next run sends it.
		p1 := w.request(a, 1_000, "crash-1").Payout
		w.clk.Advance(2 * time.Minute)
		if n, err := w.svc.Sweep(w.ctx, 100); err != nil || n != 1 || w.q.count(p1.ID) != 2 {
			t.Fatalf("sweep: %d %v (jobs %d)", n, err, w.q.count(p1.ID))
		}
		if err := w.advance(p1.ID); err != nil {
			t.Fatal(err)
		}

		// 2a. After the intent row, before the call: a pending create; the restart queries
		// (no bill), then creates with the same out_bill_no.
		p2 := w.request(a, 1_000, "crash-2a").Payout
		if _, err := w.st.Payouts(nil).InsertAttempt(w.ctx, payouts.Attempt{ID: "00000000-0000-7000-8000-0000000000a2", BrandID: w.brand.ID,
			PayoutID: p2.ID, OutBillNo: p2.OutBillNo, Op: payouts.OpCreate, Outcome: payouts.OutcomePending, StartedAt: w.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := w.advance(p2.ID); err != nil {
			t.Fatal(err)
		}

		// 2b. After the send, before the answer is stored: WeChat made the bill, the answer
		// was lost. The restart queries the same out_bill_no first; the bill waits, so it
		// repeats the create with the same number for the package_info (WeChat answers the
		// bill it has): no second bill.
		p3 := w.request(a, 1_000, "crash-2b").Payout
		w.wx.loseAnswer = 1
		if err := w.advance(p3.ID); err == nil {
			t.Fatal("a lost answer must fail the job so it retries")
		}
		bills := w.wx.billCount()
		if err := w.advance(p3.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.payout(p3.ID); w.wx.billCount() != bills || got.PackageInfo == "" || got.Status != payouts.PayoutSubmitted {
			t.Fatalf("the retry: %d → %d bills, payout %+v", bills, w.wx.billCount(), got)
		}
		attempts, err := w.st.Payouts(nil).ListAttempts(w.ctx, w.brand.ID, p3.ID)
		if err != nil || len(attempts) != 2 || attempts[0].Outcome != payouts.OutcomeUnknown || attempts[1].Outcome != payouts.OutcomeBill {
			t.Fatalf("intent rows: %+v %v", attempts, err)
		}

		// 2c. The callback arrives before the create's answer is stored.
		p4 := w.request(a, 1_000, "crash-2c").Payout
		w.wx.loseAnswer = 1
		_ = w.advance(p4.ID)
		if _, err := w.svc.ApplyBill(w.ctx, w.brand.ID, w.wx.settle(p4.OutBillNo, payouts.BillSuccess)); err != nil {
			t.Fatal(err)
		}
		if err := w.advance(p4.ID); err != nil {
			t.Fatal(err)
		}

		// 3. After the callback, before its commit: the transaction rolls back; WeChat sends
		// the callback again and it applies once.
		for _, p := range []payouts.Payout{p1, p2, p3} {
			bill := w.wx.settle(p.OutBillNo, payouts.BillSuccess)
			crash := errors.New("crash before commit")
			err := w.st.WithTx(w.ctx, func(ctx context.Context) error {
				if _, err := w.svc.ApplyBill(ctx, w.brand.ID, bill); err != nil {
					return err
				}
				return crash
			})
			if !errors.Is(err, crash) || w.payout(p.ID).Status == payouts.PayoutPaid {
				t.Fatalf("rolled-back callback left %s", w.payout(p.ID).Status)
			}
			for i := 0; i < 2; i++ {
				if _, err := w.svc.ApplyBill(w.ctx, w.brand.ID, bill); err != nil {
					t.Fatal(err)
				}
			}
		}

		// A definite refusal fails the payout and releases the hold once; reruns change nothing.
		p5 := w.request(a, 500, "crash-refused").Payout // day total 4500: auto-approved
		w.wx.refuse = "NO_AUTH"
		if err := w.advance(p5.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := w.advance(p5.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := w.payout(p5.ID); got.Status != payouts.PayoutFailed || got.FailReason == "" {
			t.Fatalf("refused: %+v", got)
		}

		for _, p := range []payouts.Payout{p1, p2, p3, p4} {
			if got := w.payout(p.ID); got.Status != payouts.PayoutPaid {
				t.Fatalf("%s: %s", p.OutBillNo, got.Status)
			}
		}
		w.wantMoney(a, 40_000-4_000, 0, 4_000)
		// The recorder also keeps the events of the 3 rolled-back callbacks: 4 committed + 3.
		if w.wx.billCount() != 4 || w.events.count(events.PayoutPaid) != 4+3 || w.events.count(events.PayoutFailed) != 1 {
			t.Fatalf("bills %d, paid events %d, failed events %d", w.wx.billCount(), w.events.count(events.PayoutPaid), w.events.count(events.PayoutFailed))
		}
		r := w.verify()
		t.Logf("crash points: 5 payouts, %d bills, %d create calls, 4 paid + 1 refused; ledger %s", w.wx.billCount(), w.wx.creates, r)
	})
}

// The member cancels a waiting bill; an unconfirmed bill expires as WeChat's FAIL. Both
// release the hold once.
func TestPayoutCancelAndExpiry(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 2_000, "cancel").Payout
		if _, err := w.svc.Cancel(w.ctx, w.brand.ID, a.ID, p.ID); apperr.CodeOf(err) != "PAYOUT_NOT_CANCELLABLE" {
			t.Fatalf("cancel before the bill: %v", err)
		}
		if err := w.advance(p.ID); err != nil {
			t.Fatal(err)
		}
		b := w.member("B")
		if _, err := w.svc.Cancel(w.ctx, w.brand.ID, b.ID, p.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("someone else's cancel: %v", err)
		}
		if got, err := w.svc.Cancel(w.ctx, w.brand.ID, a.ID, p.ID); err != nil || !got.CancelRequested {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		if err := w.advance(p.ID); err != nil { // cancel call: CANCELING
			t.Fatal(err)
		}
		if err := w.advance(p.ID); err != nil { // query: CANCELLED
			t.Fatal(err)
		}
		if got := w.payout(p.ID); got.Status != payouts.PayoutCancelled {
			t.Fatalf("after cancel: %+v", got)
		}

		e := w.request(a, 3_000, "expire").Payout
		if err := w.advance(e.ID); err != nil {
			t.Fatal(err)
		}
		w.wx.settle(e.OutBillNo, payouts.BillFail) // 24 h unconfirmed: WeChat closes it
		w.clk.Advance(2 * time.Minute)
		if n, err := w.svc.Sweep(w.ctx, 100); err != nil || n != 1 {
			t.Fatalf("sweep %d %v", n, err)
		}
		if err := w.advance(e.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.payout(e.ID); got.Status != payouts.PayoutFailed {
			t.Fatalf("after expiry: %+v", got)
		}
		w.wantMoney(a, 10_000, 0, 0)
		w.verify()
	})
}

// Reconciliation reads the payouts touched on a day.
func TestPayoutsTouched(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 10_000)
		p := w.request(a, 1_000, "t1").Payout
		from := w.clk.Now().Add(-time.Hour)
		got, err := w.svc.Touched(w.ctx, w.brand.ID, from, from.Add(2*time.Hour))
		if err != nil || len(got) != 1 || got[0].ID != p.ID {
			t.Fatalf("touched: %v %v", got, err)
		}
		if got, _ := w.svc.Touched(w.ctx, w.brand.ID, from.Add(2*time.Hour), from.Add(3*time.Hour)); len(got) != 0 {
			t.Fatalf("touched later: %v", got)
		}
	})
}

// A request that died after storing its in-flight record blocks its key (409 IN_USE) until the
// lock is stale; then a retry takes it over. First answers expire after 48 h and are purged.
func TestPayoutIdempotencyLockAndExpiry(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 10_000)
		ps := w.st.Payouts(nil)
		now := w.clk.Now()
		if _, err := ps.InsertIdem(w.ctx, payouts.IdemRecord{BrandID: w.brand.ID, MemberID: a.ID, Scope: payouts.IdemScopePayoutRequest,
			Key: "crashed", RequestHash: bodyHash(1_000), Status: payouts.IdemInFlight, LockedAt: now, ExpiresAt: now.Add(48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Request(w.ctx, w.brand.ID, a.ID, 1_000, "crashed", bodyHash(1_000), render); apperr.CodeOf(err) != "IDEMPOTENCY_KEY_IN_USE" {
			t.Fatalf("fresh in-flight key: %v", err)
		}
		w.clk.Advance(2 * time.Minute)
		ans := w.request(a, 1_000, "crashed")
		if ans.Status != 201 || ans.Replayed {
			t.Fatalf("take-over: %d %s", ans.Status, ans.Body)
		}
		if again := w.request(a, 1_000, "crashed"); !again.Replayed || string(again.Body) != string(ans.Body) {
			t.Fatalf("replay after take-over: %+v", again)
		}
		w.clk.Advance(49 * time.Hour)
		if _, err := w.svc.Sweep(w.ctx, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.IdemByKey(w.ctx, w.brand.ID, a.ID, payouts.IdemScopePayoutRequest, "crashed"); !errors.Is(err, payouts.ErrNotFound) {
			t.Fatalf("expired record kept: %v", err)
		}
	})
}

package store_test

import (
	"testing"

	"github.com/sharecast/sharecast/payouts"
)

// A final bill that contradicts an already-final payout is acknowledged (no error: WeChat gets
// its 2xx), changes nothing, and stores one state_mismatch alert however often it is
// delivered; the alert list and the gauge's counts show it. A bill that agrees stores none.
func TestPayoutContradictingFinalBill(t *testing.T) {
	tests := []struct {
		name      string
		refuse    bool   // the create is refused: the payout fails, hold released
		settle    string // else the bill ends with this state at WeChat first
		ourStatus string
		lateBill  string // then this final state is delivered (three times)
		wantAlert bool
		available int64
		paid      int64
	}{
		{name: "failed here, SUCCESS at WeChat", refuse: true, ourStatus: payouts.PayoutFailed, lateBill: payouts.BillSuccess, wantAlert: true, available: 10_000},
		{name: "paid here, FAIL at WeChat", settle: payouts.BillSuccess, ourStatus: payouts.PayoutPaid, lateBill: payouts.BillFail, wantAlert: true, available: 9_000, paid: 1_000},
		{name: "cancelled here, SUCCESS at WeChat", settle: payouts.BillCancelled, ourStatus: payouts.PayoutCancelled, lateBill: payouts.BillSuccess, wantAlert: true, available: 10_000},
		{name: "failed here, FAIL at WeChat", refuse: true, ourStatus: payouts.PayoutFailed, lateBill: payouts.BillFail, available: 10_000},
		{name: "paid here, SUCCESS again", settle: payouts.BillSuccess, ourStatus: payouts.PayoutPaid, lateBill: payouts.BillSuccess, available: 9_000, paid: 1_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachPayWorld(t, func(t *testing.T, w *payWorld) {
				a := w.member("A")
				w.fund(a, 10_000)
				p := w.request(a, 1_000, "k").Payout
				if tt.refuse {
					w.wx.refuse = "PARAM_ERROR"
				}
				if err := w.advance(p.ID); err != nil {
					t.Fatal(err)
				}
				if tt.settle != "" {
					if _, err := w.svc.ApplyBill(w.ctx, w.brand.ID, w.wx.settle(p.OutBillNo, tt.settle)); err != nil {
						t.Fatal(err)
					}
				}
				if got := w.payout(p.ID); got.Status != tt.ourStatus {
					t.Fatalf("payout %s, want %s", got.Status, tt.ourStatus)
				}
				late := payouts.Bill{OutBillNo: p.OutBillNo, TransferBillNo: "TB-late", State: tt.lateBill, AmountFen: p.AmountFen}
				for i := 0; i < 3; i++ { // re-deliveries
					got, err := w.svc.ApplyBill(w.ctx, w.brand.ID, late)
					if err != nil || got.Status != tt.ourStatus {
						t.Fatalf("delivery %d of a late %s bill: %s %v", i, tt.lateBill, got.Status, err)
					}
				}
				if got := w.payout(p.ID); got.Status != tt.ourStatus {
					t.Fatalf("payout changed to %s", got.Status)
				}
				w.wantMoney(a, tt.available, 0, tt.paid)

				alerts, err := w.st.Reconciliation().ListAlerts(w.ctx, w.brand.ID, "", 50)
				if err != nil {
					t.Fatal(err)
				}
				counts, err := w.st.Reconciliation().CountAlerts(w.ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !tt.wantAlert {
					if len(alerts) != 0 || counts[payouts.AlertStateMismatch] != 0 {
						t.Fatalf("alerts for an agreeing bill: %+v %v", alerts, counts)
					}
					return
				}
				if len(alerts) != 1 || counts[payouts.AlertStateMismatch] != 1 {
					t.Fatalf("alerts %+v, counts %v; want one state_mismatch", alerts, counts)
				}
				al := alerts[0]
				if al.Kind != payouts.AlertStateMismatch || al.PayoutID != p.ID || al.OutBillNo != p.OutBillNo ||
					al.OurStatus != tt.ourStatus || al.WeChatState != tt.lateBill || al.OurAmountFen != 1_000 || al.WeChatAmountFen != 1_000 || al.Detail == "" {
					t.Fatalf("alert %+v", al)
				}
				w.verify()
				t.Logf("%s: alert %q", tt.name, al.Detail)
			})
		})
	}
}

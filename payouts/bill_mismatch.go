package payouts

import (
	"context"
	"fmt"
	"time"
)

// noteContradiction stores a state_mismatch alert when a bill's final state contradicts a
// payout that is already final (e.g. failed here, SUCCESS at WeChat). The payout never changes
// (a decided outcome is kept, DESIGN §5) and the caller still answers WeChat 2xx, but someone
// must look: the alert is shown on /admin/v1/alerts and counted in the
// sharecast_reconciliation_mismatches gauge. It is keyed by the day the payout finished
// (Asia/Shanghai), so re-deliveries of the same bill add nothing. Runs in the caller's
// transaction.
func (s *Payouts) noteContradiction(ctx context.Context, p Payout, bill Bill) error {
	if !BillFinal(bill.State) || StatusForBill(bill.State) == p.Status {
		return nil
	}
	now := s.Clock.Now().UTC()
	at := now
	if p.FinishedAt != nil {
		at = *p.FinishedAt
	}
	amount := bill.AmountFen
	if amount == 0 {
		amount = p.AmountFen // a create or cancel answer carries no amount; ApplyBill refused any other
	}
	_, err := s.Store.InsertAlert(ctx, Alert{BrandID: p.BrandID, Day: at.In(ReconcileZone).Format(time.DateOnly),
		PayoutID: p.ID, OutBillNo: p.OutBillNo, Kind: AlertStateMismatch, OurStatus: p.Status, OurAmountFen: p.AmountFen,
		WeChatState: bill.State, WeChatAmountFen: amount, CreatedAt: now,
		Detail: fmt.Sprintf("WeChat says %s for a payout already %s; the payout is kept as decided", bill.State, p.Status)})
	return err
}

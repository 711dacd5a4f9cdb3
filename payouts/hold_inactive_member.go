package payouts

import (
	"context"
	"fmt"
	"time"
)

// holdForInactiveMember keeps an approved payout of a frozen or banned member from its first
// create: it stays approved with its hold, and one member_not_active alert (per payout) tells
// the admins on /admin/v1/alerts. It answers true when the send must stop here. Once a create
// may have reached WeChat (any create intent row) the payout runs to its end like a submitted
// one (DESIGN §3.6): the same out_bill_no is queried or repeated, never abandoned. The sweep
// brings the payout back, so it is sent once the member is active again.
func (s *Payouts) holdForInactiveMember(ctx context.Context, p Payout) (bool, error) {
	attempts, err := s.Store.ListAttempts(ctx, p.BrandID, p.ID)
	if err != nil {
		return false, err
	}
	for _, a := range attempts {
		if a.Op == OpCreate {
			return false, nil
		}
	}
	payee, err := s.Payees.Payee(ctx, p.BrandID, p.MemberID)
	if err != nil || payee.Status == MemberActive {
		return false, err
	}
	now := s.Clock.Now().UTC()
	at := now
	if p.ApprovedAt != nil {
		at = *p.ApprovedAt
	}
	_, err = s.Store.InsertAlert(ctx, Alert{BrandID: p.BrandID, Day: at.In(ReconcileZone).Format(time.DateOnly),
		PayoutID: p.ID, OutBillNo: p.OutBillNo, Kind: AlertMemberNotActive, OurStatus: p.Status, OurAmountFen: p.AmountFen,
		CreatedAt: now, Detail: fmt.Sprintf("the member is %s: the approved payout is not sent and keeps its hold until the member is active again", payee.Status)})
	return true, err
}

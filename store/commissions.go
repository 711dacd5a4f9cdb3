package store

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/commission"
	"github.com/sharecast/sharecast/ent/commissionreversal"
	"github.com/sharecast/sharecast/ent/live"
	"github.com/sharecast/sharecast/ent/orderline"
	"github.com/sharecast/sharecast/payouts"
)

func toCommission(r *ent.Commission) payouts.Commission {
	c := payouts.Commission{ID: r.ID, BrandID: r.BrandID, OrderID: r.OrderID, OrderLineID: r.OrderLineID,
		BeneficiaryID: r.BeneficiaryID, Tier: r.Tier, AttributionVersion: r.AttributionVersion, PlanVersion: r.PlanVersion,
		ProductType: string(r.ProductType), AmountFen: r.AmountFen, ReversedFen: r.ReversedFen, Status: string(r.Status),
		DueAt: r.DueAt, AvailableAt: r.AvailableAt, CreatedAt: r.CreatedAt}
	if r.LiveID != nil {
		c.LiveID = *r.LiveID
	}
	return c
}

func toCommissions(rows []*ent.Commission) []payouts.Commission {
	out := make([]payouts.Commission, len(rows))
	for i, r := range rows {
		out[i] = toCommission(r)
	}
	return out
}

// InsertCommissions creates pending commissions.
func (l *Ledger) InsertCommissions(ctx context.Context, brandID string, cs []payouts.NewCommission) ([]payouts.Commission, error) {
	c := l.ent(ctx)
	bulk := make([]*ent.CommissionCreate, len(cs))
	for i, n := range cs {
		b := c.Commission.Create().SetBrandID(brandID).SetOrderID(n.OrderID).SetOrderLineID(n.OrderLineID).
			SetBeneficiaryID(n.BeneficiaryID).SetTier(n.Tier).SetAttributionVersion(n.AttributionVersion).
			SetPlanVersion(n.PlanVersion).SetProductType(commission.ProductType(n.ProductType)).SetAmountFen(n.AmountFen).
			SetStatus(commission.StatusPending).SetDueAt(n.DueAt.UTC())
		if n.LiveID != "" {
			b.SetLiveID(n.LiveID)
		}
		bulk[i] = b
	}
	rows, err := c.Commission.CreateBulk(bulk...).Save(ctx)
	if err != nil {
		return nil, payoutsErr(err)
	}
	return toCommissions(rows), nil
}

// CommissionByID reads one commission of a brand.
func (l *Ledger) CommissionByID(ctx context.Context, brandID, id string) (payouts.Commission, error) {
	r, err := l.ent(ctx).Commission.Query().Where(commission.BrandID(brandID), commission.ID(id)).Only(ctx)
	if err != nil {
		return payouts.Commission{}, payoutsErr(err)
	}
	return toCommission(r), nil
}

// CommissionsByOrder lists an order's commissions, every version, oldest first.
func (l *Ledger) CommissionsByOrder(ctx context.Context, brandID, orderID string) ([]payouts.Commission, error) {
	rows, err := l.ent(ctx).Commission.Query().Where(commission.BrandID(brandID), commission.OrderID(orderID)).
		Order(ent.Asc(commission.FieldAttributionVersion), ent.Asc(commission.FieldOrderLineID), ent.Asc(commission.FieldTier)).All(ctx)
	if err != nil {
		return nil, err
	}
	return toCommissions(rows), nil
}

// ReversalsByCommission lists a commission's reversals, oldest first.
func (l *Ledger) ReversalsByCommission(ctx context.Context, brandID, commissionID string) ([]payouts.Reversal, error) {
	rows, err := l.ent(ctx).CommissionReversal.Query().Where(commissionreversal.BrandID(brandID),
		commissionreversal.CommissionID(commissionID)).Order(ent.Asc(commissionreversal.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Reversal, len(rows))
	for i, r := range rows {
		out[i] = toReversal(r)
	}
	return out, nil
}

func toReversal(r *ent.CommissionReversal) payouts.Reversal {
	return payouts.Reversal{ID: r.ID, BrandID: r.BrandID, CommissionID: r.CommissionID, Cause: r.Cause, AmountFen: r.AmountFen,
		Phase: string(r.Phase), DebtFen: r.DebtFen, CreatedAt: r.CreatedAt}
}

// AddReversed raises reversed_fen while it stays within the amount; the UPDATE locks the row.
func (l *Ledger) AddReversed(ctx context.Context, brandID, commissionID string, fen int64) (bool, error) {
	n, err := l.execN(ctx, `UPDATE commissions SET reversed_fen = reversed_fen + $1, updated_at = $2
		WHERE id = $3 AND brand_id = $4 AND reversed_fen + $1 <= amount_fen`, fen, time.Now().UTC(), commissionID, brandID)
	return n == 1, err
}

// InsertReversal stores a reversal row.
func (l *Ledger) InsertReversal(ctx context.Context, r payouts.Reversal) (payouts.Reversal, error) {
	row, err := l.ent(ctx).CommissionReversal.Create().SetBrandID(r.BrandID).SetCommissionID(r.CommissionID).SetCause(r.Cause).
		SetAmountFen(r.AmountFen).SetPhase(commissionreversal.Phase(r.Phase)).SetDebtFen(r.DebtFen).SetCreatedAt(r.CreatedAt.UTC()).Save(ctx)
	if err != nil {
		return payouts.Reversal{}, payoutsErr(err)
	}
	return toReversal(row), nil
}

// SetCommissionStatus moves a commission from → to, guarded.
func (l *Ledger) SetCommissionStatus(ctx context.Context, brandID, id, from, to string, at time.Time) (bool, error) {
	u := l.ent(ctx).Commission.Update().Where(commission.BrandID(brandID), commission.ID(id),
		commission.StatusEQ(commission.Status(from))).SetStatus(commission.Status(to))
	if to == payouts.StatusAvailable {
		u.SetAvailableAt(at.UTC())
	}
	n, err := u.Save(ctx)
	return n == 1, err
}

// RescheduleOrder sets due_at of an order's pending commissions.
func (l *Ledger) RescheduleOrder(ctx context.Context, brandID, orderID string, dueAt time.Time) error {
	_, err := l.ent(ctx).Commission.Update().Where(commission.BrandID(brandID), commission.OrderID(orderID),
		commission.StatusEQ(commission.StatusPending)).SetDueAt(dueAt.UTC()).Save(ctx)
	return err
}

// DueCommissions lists pending commissions past their due time whose line no open after-sale
// blocks, oldest due first.
func (l *Ledger) DueCommissions(ctx context.Context, brandID string, now time.Time, limit int) ([]payouts.Commission, error) {
	rows, err := l.ent(ctx).Commission.Query().Where(commission.BrandID(brandID), commission.StatusEQ(commission.StatusPending),
		commission.DueAtLTE(now.UTC()), commission.HasLineWith(orderline.OpenAfterSales(0))).
		Order(ent.Asc(commission.FieldDueAt), ent.Asc(commission.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	return toCommissions(rows), nil
}

// LineBlocked reports whether an open after-sale blocks the line.
func (l *Ledger) LineBlocked(ctx context.Context, brandID, orderID, orderLineID string) (bool, error) {
	return l.ent(ctx).OrderLine.Query().Where(orderline.BrandID(brandID), orderline.OrderID(orderID), orderline.ID(orderLineID),
		orderline.OpenAfterSalesGT(0)).Exist(ctx)
}

// ListMemberCommissions pages a member's commissions, newest first.
func (l *Ledger) ListMemberCommissions(ctx context.Context, brandID, memberID, status string, p payouts.Page) ([]payouts.Commission, string, error) {
	limit := clampLimit(p.Limit)
	q := l.ent(ctx).Commission.Query().Where(commission.BrandID(brandID), commission.BeneficiaryID(memberID))
	if status != "" {
		q = q.Where(commission.StatusEQ(commission.Status(status)))
	}
	if p.Cursor != "" {
		q = q.Where(commission.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(commission.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	return toCommissions(rows), next, nil
}

// SettleLives marks ended lives settled when none of their commissions is pending.
func (l *Ledger) SettleLives(ctx context.Context, brandID string, endedBefore time.Time) ([]string, error) {
	c := l.ent(ctx)
	ids, err := c.Live.Query().Where(live.BrandID(brandID), live.StatusEQ(live.StatusEnded), live.EndedAtLTE(endedBefore.UTC())).
		Limit(500).IDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		pending, err := c.Commission.Query().Where(commission.BrandID(brandID), commission.LiveID(id),
			commission.StatusEQ(commission.StatusPending)).Exist(ctx)
		if err != nil {
			return out, err
		}
		if pending {
			continue
		}
		n, err := c.Live.Update().Where(live.BrandID(brandID), live.ID(id), live.StatusEQ(live.StatusEnded)).
			SetStatus(live.StatusSettled).Save(ctx)
		if err != nil {
			return out, err
		}
		if n == 1 {
			out = append(out, id)
		}
	}
	return out, nil
}

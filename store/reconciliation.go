package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/brand"
	"github.com/sharecast/sharecast/ent/payout"
	"github.com/sharecast/sharecast/ent/reconciliationalert"
	"github.com/sharecast/sharecast/payouts"
)

// Reconciliation implements payouts.ReconcileStore.
type Reconciliation struct{ *Store }

// Reconciliation returns the reconciliation store.
func (s *Store) Reconciliation() *Reconciliation { return &Reconciliation{s} }

var _ payouts.ReconcileStore = (*Reconciliation)(nil)

// PayoutsOfDay lists the payouts a day's reconciliation looks at, oldest first.
func (s *Reconciliation) PayoutsOfDay(ctx context.Context, brandID string, from, to, openBefore time.Time) ([]payouts.Payout, error) {
	rs, err := s.ent(ctx).Payout.Query().Where(payout.BrandID(brandID), payout.Or(
		payout.And(payout.WechatUpdatedAtGTE(from.UTC()), payout.WechatUpdatedAtLT(to.UTC())),
		payout.And(payout.WechatUpdatedAtIsNil(), payout.TouchedAtGTE(from.UTC()), payout.TouchedAtLT(to.UTC()),
			payout.StatusNotIn(payout.StatusRequested, payout.StatusRejected)),
		payout.And(payout.StatusEQ(payout.StatusSubmitted), payout.SubmittedAtLT(openBefore.UTC())),
	)).Order(payout.ByRequestedAt(), payout.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Payout, 0, len(rs))
	for _, r := range rs {
		out = append(out, toPayout(r))
	}
	return out, nil
}

// InsertAlert stores an alert once per payout × day × kind.
func (s *Reconciliation) InsertAlert(ctx context.Context, a payouts.Alert) (bool, error) {
	c := s.ent(ctx)
	ok, err := c.ReconciliationAlert.Query().Where(reconciliationalert.BrandID(a.BrandID), reconciliationalert.Day(a.Day),
		reconciliationalert.PayoutID(a.PayoutID), reconciliationalert.Kind(a.Kind)).Exist(ctx)
	if err != nil || ok {
		return false, err
	}
	if a.ID == "" {
		a.ID = uuid.Must(uuid.NewV7()).String()
	}
	err = c.ReconciliationAlert.Create().SetID(a.ID).SetBrandID(a.BrandID).SetDay(a.Day).SetPayoutID(a.PayoutID).
		SetOutBillNo(a.OutBillNo).SetKind(a.Kind).SetOurStatus(a.OurStatus).SetOurAmountFen(a.OurAmountFen).
		SetWechatState(a.WeChatState).SetWechatAmountFen(a.WeChatAmountFen).SetDetail(truncate(a.Detail, 250)).
		SetCreatedAt(a.CreatedAt.UTC()).Exec(ctx)
	if ent.IsConstraintError(err) {
		return false, nil // a concurrent run stored it first
	}
	return err == nil, err
}

// ListAlerts answers the brand's alerts, newest first.
func (s *Reconciliation) ListAlerts(ctx context.Context, brandID, day string, limit int) ([]payouts.Alert, error) {
	q := s.ent(ctx).ReconciliationAlert.Query().Where(reconciliationalert.BrandID(brandID))
	if day != "" {
		q = q.Where(reconciliationalert.Day(day))
	}
	rs, err := q.Order(ent.Desc(reconciliationalert.FieldCreatedAt), ent.Desc(reconciliationalert.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Alert, 0, len(rs))
	for _, r := range rs {
		out = append(out, payouts.Alert{ID: r.ID, BrandID: r.BrandID, Day: r.Day, PayoutID: r.PayoutID, OutBillNo: r.OutBillNo,
			Kind: r.Kind, OurStatus: r.OurStatus, OurAmountFen: r.OurAmountFen, WeChatState: r.WechatState,
			WeChatAmountFen: r.WechatAmountFen, Detail: r.Detail, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// CountAlerts counts every brand's alerts by kind.
func (s *Reconciliation) CountAlerts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Kind  string `json:"kind"`
		Count int    `json:"count"`
	}
	if err := s.ent(ctx).ReconciliationAlert.Query().GroupBy(reconciliationalert.FieldKind).
		Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind] = r.Count
	}
	return out, nil
}

// BrandIDs lists every brand.
func (s *Reconciliation) BrandIDs(ctx context.Context) ([]string, error) {
	return s.ent(ctx).Brand.Query().Order(brand.ByID()).IDs(ctx)
}

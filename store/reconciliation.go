package store

import (
	"context"
	"time"

	entsql "entgo.io/ent/dialect/sql"
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

// InsertAlert stores an alert once per payout × day × kind. It is one INSERT … ON CONFLICT DO
// NOTHING, so a concurrent run storing the same alert never aborts the caller's transaction
// (a unique violation would, on PostgreSQL): the loser just answers false.
func (s *Reconciliation) InsertAlert(ctx context.Context, a payouts.Alert) (bool, error) {
	if a.ID == "" {
		a.ID = uuid.Must(uuid.NewV7()).String()
	}
	ra := reconciliationalert.Table
	ins := entsql.Dialect(s.dialect).Insert(ra).
		Columns(reconciliationalert.FieldID, reconciliationalert.FieldBrandID, reconciliationalert.FieldDay,
			reconciliationalert.FieldPayoutID, reconciliationalert.FieldOutBillNo, reconciliationalert.FieldKind,
			reconciliationalert.FieldOurStatus, reconciliationalert.FieldOurAmountFen, reconciliationalert.FieldWechatState,
			reconciliationalert.FieldWechatAmountFen, reconciliationalert.FieldDetail, reconciliationalert.FieldCreatedAt).
		Values(a.ID, a.BrandID, a.Day, a.PayoutID, a.OutBillNo, a.Kind, a.OurStatus, a.OurAmountFen, a.WeChatState,
			a.WeChatAmountFen, truncate(a.Detail, 250), dbTime(a.CreatedAt)).
		OnConflict(entsql.ConflictColumns(reconciliationalert.FieldBrandID, reconciliationalert.FieldDay,
			reconciliationalert.FieldPayoutID, reconciliationalert.FieldKind), entsql.DoNothing())
	query, args := ins.Query()
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
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

package store

import (
	"context"

	"github.com/sharecast/sharecast/ent/commission"
	"github.com/sharecast/sharecast/ent/live"
	"github.com/sharecast/sharecast/ent/payout"
	"github.com/sharecast/sharecast/ent/payoutbatch"
	"github.com/sharecast/sharecast/payouts"
)

// PayoutBatches implements payouts.BatchStore.
type PayoutBatches struct{ *Store }

// PayoutBatches returns the batch store.
func (s *Store) PayoutBatches() *PayoutBatches { return &PayoutBatches{s} }

var _ payouts.BatchStore = (*PayoutBatches)(nil)

// LiveExists reports whether the brand has the live.
func (s *PayoutBatches) LiveExists(ctx context.Context, brandID, liveID string) (bool, error) {
	return s.ent(ctx).Live.Query().Where(live.BrandID(brandID), live.ID(liveID)).Exist(ctx)
}

// LiveEarners lists the beneficiaries of the live's available commissions (uses the
// (brand_id, live_id, status) index), sorted.
func (s *PayoutBatches) LiveEarners(ctx context.Context, brandID, liveID string) ([]string, error) {
	return s.ent(ctx).Commission.Query().
		Where(commission.BrandID(brandID), commission.LiveID(liveID), commission.StatusEQ(commission.StatusAvailable)).
		Unique(true).Order(commission.ByBeneficiaryID()).Select(commission.FieldBeneficiaryID).Strings(ctx)
}

// BatchByLive reads the live's batch.
func (s *PayoutBatches) BatchByLive(ctx context.Context, brandID, liveID string) (payouts.Batch, error) {
	r, err := s.ent(ctx).PayoutBatch.Query().Where(payoutbatch.BrandID(brandID), payoutbatch.LiveID(liveID)).Only(ctx)
	if err != nil {
		return payouts.Batch{}, payoutsErr(err)
	}
	return payouts.Batch{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, StartedBy: r.StartedBy, Payouts: r.Payouts,
		TotalFen: r.TotalFen, StartedAt: r.StartedAt}, nil
}

// SetBatchTotals records the batch's count and sum.
func (s *PayoutBatches) SetBatchTotals(ctx context.Context, brandID, id string, n int, totalFen int64) error {
	k, err := s.ent(ctx).PayoutBatch.Update().Where(payoutbatch.BrandID(brandID), payoutbatch.ID(id)).
		SetPayouts(n).SetTotalFen(totalFen).Save(ctx)
	if err != nil {
		return err
	}
	if k == 0 {
		return payouts.ErrNotFound
	}
	return nil
}

// BatchPayouts lists a batch's payouts, oldest first.
func (s *PayoutBatches) BatchPayouts(ctx context.Context, brandID, batchID string) ([]payouts.Payout, error) {
	rs, err := s.ent(ctx).Payout.Query().Where(payout.BrandID(brandID), payout.BatchID(batchID)).
		Order(payout.ByRequestedAt(), payout.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Payout, 0, len(rs))
	for _, r := range rs {
		out = append(out, toPayout(r))
	}
	return out, nil
}

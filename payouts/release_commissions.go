package payouts

import (
	"context"
	"errors"
	"time"

	"github.com/sharecast/sharecast/events"
)

// errBlocked rolls back a release whose line got an open after-sale meanwhile.
var errBlocked = errors.New("payouts: line blocked by an open after-sale")

// Limits of one tick, so a backlog is worked off over several ticks instead of one long job.
const (
	releaseBatch       = 200
	releaseBatchesTick = 10
	// settleGrace lets late order pushes arrive before an ended live is declared settled.
	settleGrace = 24 * time.Hour
)

// Tick is the periodic job's work (it runs every ≤ 60 s of wall time): for every brand, make
// the commissions whose holding period has ended by the application clock available, then
// settle the ended lives whose commissions are all final. Answers how many it released.
func (b *Book) Tick(ctx context.Context) (int, error) {
	ids, err := b.Store.ListBrandIDs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var firstErr error
	for _, brandID := range ids {
		n, err := b.ReleaseDue(ctx, brandID)
		total += n
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if _, err := b.SettleLives(ctx, brandID); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return total, firstErr
}

// ReleaseDue makes a brand's due commissions available, one transaction each.
func (b *Book) ReleaseDue(ctx context.Context, brandID string) (int, error) {
	released := 0
	for range releaseBatchesTick {
		now := b.Clock.Now()
		due, err := b.Store.DueCommissions(ctx, brandID, now, releaseBatch)
		if err != nil {
			return released, err
		}
		for _, c := range due {
			var ok bool
			err := b.Store.WithTx(ctx, func(ctx context.Context) error {
				var err error
				ok, err = b.release(ctx, c, now)
				return err
			})
			switch {
			case errors.Is(err, errBlocked):
			case err != nil:
				return released, err
			case ok:
				released++
			}
		}
		if len(due) < releaseBatch {
			break
		}
	}
	return released, nil
}

// release moves one commission's remaining amount from pending to available, paying the
// member's debt first. The guarded status change comes first: it locks the commission row,
// so a concurrent tick or reversal waits and then sees the new state.
func (b *Book) release(ctx context.Context, c Commission, now time.Time) (bool, error) {
	ok, err := b.Store.SetCommissionStatus(ctx, c.BrandID, c.ID, StatusPending, StatusAvailable, now)
	if err != nil || !ok {
		return false, err
	}
	blocked, err := b.Store.LineBlocked(ctx, c.BrandID, c.OrderID, c.OrderLineID)
	if err != nil {
		return false, err
	}
	if blocked {
		return false, errBlocked
	}
	c, err = b.Store.CommissionByID(ctx, c.BrandID, c.ID)
	if err != nil {
		return false, err
	}
	left := c.RemainingFen()
	if left <= 0 { // every fen was reversed: nothing to make available
		_, err := b.Store.SetCommissionStatus(ctx, c.BrandID, c.ID, StatusAvailable, StatusReversed, now)
		return false, err
	}
	debt := MemberAccount(c.BeneficiaryID, KindDebt)
	bal, err := b.Ledger.Lock(ctx, c.BrandID, MemberAccount(c.BeneficiaryID, KindPending),
		MemberAccount(c.BeneficiaryID, KindAvailable), debt)
	if err != nil {
		return false, err
	}
	credits, repaid := CreditAvailable(c.BeneficiaryID, left, bal[debt])
	entries := append([]Entry{DebitOf(MemberAccount(c.BeneficiaryID, KindPending), left)}, credits...)
	if _, err := b.Ledger.Post(ctx, c.BrandID, Txn{Ref: "release:" + c.ID, Kind: "commission_release",
		Memo: "commission " + c.ID, Entries: entries}); err != nil {
		return false, err
	}
	return true, b.Events.Emit(ctx, c.BrandID, events.CommissionAvailable, map[string]any{
		"commission_id": c.ID, "order_id": c.OrderID, "member_id": c.BeneficiaryID, "tier": c.Tier,
		"amount_fen": left, "debt_repaid_fen": repaid,
	})
}

// SettleLives marks ended lives settled once every commission of their orders is final.
func (b *Book) SettleLives(ctx context.Context, brandID string) ([]string, error) {
	return b.Store.SettleLives(ctx, brandID, b.Clock.Now().Add(-settleGrace))
}

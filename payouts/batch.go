package payouts

import (
	"context"
	"errors"
	"sort"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// BatchStore reads what a batch needs beyond the payout store (store.PayoutBatches).
type BatchStore interface {
	// LiveExists reports whether the brand has the live.
	LiveExists(ctx context.Context, brandID, liveID string) (bool, error)
	// LiveEarners lists the members holding an available (released, not reversed) commission
	// of the live, in a stable order.
	LiveEarners(ctx context.Context, brandID, liveID string) ([]string, error)
	// BatchByLive reads the live's batch (ErrNotFound).
	BatchByLive(ctx context.Context, brandID, liveID string) (Batch, error)
	// SetBatchTotals records how many payouts the batch made and their sum.
	SetBatchTotals(ctx context.Context, brandID, id string, payouts int, totalFen int64) error
	// BatchPayouts lists the payouts of a batch, oldest first.
	BatchPayouts(ctx context.Context, brandID, batchID string) ([]Payout, error)
}

// Batches pays everyone of a settled live in one go (POST /admin/v1/payout-batches, DESIGN
// §3.6): one payout per member of the live whose available balance is at least the brand
// minimum, for that balance capped at the brand maximum. Each payout goes through review like
// any other; the admin who started the batch may not approve its payouts (Approve checks
// the batch's started_by: see BatchStarterCheck).
type Batches struct {
	Payouts *Payouts
	Store   BatchStore
}

// BatchSkip is a member of the live the batch made no payout for, and why.
type BatchSkip struct {
	MemberID     string
	AvailableFen int64
	Code         string // BELOW_MINIMUM, or the rule error's code (MEMBER_FROZEN, PAYOUT_LIMIT, …)
}

// BatchResult is a batch with its payouts. Replayed: the live's batch existed already and
// nothing new was made (a batch is idempotent per live).
type BatchResult struct {
	Batch    Batch
	Payouts  []Payout
	Skipped  []BatchSkip
	Replayed bool
}

// Start runs the live's batch, or answers the batch it already has (Replayed). One
// transaction makes the batch row (unique per live), every payout with its hold and the
// audit row; a concurrent second start waits for the first and then replays it.
func (b *Batches) Start(ctx context.Context, actor brands.Actor, role, brandID, liveID string) (BatchResult, error) {
	if err := canReview(role); err != nil {
		return BatchResult{}, err
	}
	if liveID == "" {
		return BatchResult{}, apperr.InvalidArgument("live_id is required")
	}
	ok, err := b.Store.LiveExists(ctx, brandID, liveID)
	if err != nil {
		return BatchResult{}, err
	}
	if !ok {
		return BatchResult{}, apperr.NotFoundf("no such live")
	}
	if res, err := b.existing(ctx, brandID, liveID); err == nil || !errors.Is(err, ErrNotFound) {
		return res, err
	}
	s := b.Payouts
	// Without a merchant no payout of the batch could be sent: refuse it whole (409), as a
	// member's request is refused.
	if s.Merchants != nil {
		if _, err := s.Merchants.CreateParams(ctx, brandID); errors.Is(err, ErrNoMerchant) {
			return BatchResult{}, ErrNotConfigured
		} else if err != nil {
			return BatchResult{}, err
		}
	}
	var res BatchResult
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		res = BatchResult{}
		br, err := s.Brands.Brand(ctx, brandID)
		if err != nil {
			return err
		}
		r := br.Rules.Normalize()
		now := s.Clock.Now().UTC()
		batch, err := s.Store.InsertBatch(ctx, Batch{ID: uuid.Must(uuid.NewV7()).String(), BrandID: brandID, LiveID: liveID,
			StartedBy: actor.ID, StartedAt: now})
		if err != nil {
			return err
		}
		members, err := b.Store.LiveEarners(ctx, brandID, liveID)
		if err != nil {
			return err
		}
		sort.Strings(members) // lock members' accounts in one order: no deadlock with other batches
		var total int64
		for _, m := range members {
			avail := MemberAccount(m, KindAvailable)
			bal, err := s.Ledger.Lock(ctx, brandID, avail)
			if err != nil {
				return err
			}
			amount := min(bal[avail], r.PayoutMaxFen)
			if amount < r.PayoutMinFen {
				res.Skipped = append(res.Skipped, BatchSkip{MemberID: m, AvailableFen: bal[avail], Code: "BELOW_MINIMUM"})
				continue
			}
			p, err := s.create(ctx, brandID, m, amount, batch.ID, "")
			if err != nil {
				if k := apperr.KindOf(err); k == apperr.Rule || k == apperr.NotFound {
					// This member cannot be paid now (frozen, no openid, daily limit): the rest can.
					res.Skipped = append(res.Skipped, BatchSkip{MemberID: m, AvailableFen: bal[avail], Code: apperr.CodeOf(err)})
					continue
				}
				return err
			}
			res.Payouts = append(res.Payouts, p)
			total += p.AmountFen
		}
		batch.Payouts, batch.TotalFen = len(res.Payouts), total
		if err := b.Store.SetBatchTotals(ctx, brandID, batch.ID, batch.Payouts, total); err != nil {
			return err
		}
		res.Batch = batch
		skipped := make([]map[string]any, 0, len(res.Skipped))
		for _, sk := range res.Skipped {
			skipped = append(skipped, map[string]any{"member_id": sk.MemberID, "available_fen": sk.AvailableFen, "code": sk.Code})
		}
		return s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: "payout_batch.start", TargetType: "payout_batch", TargetID: batch.ID, RequestID: actor.RequestID, CreatedAt: now,
			Detail: map[string]any{"live_id": liveID, "payouts": batch.Payouts, "total_fen": total, "skipped": skipped}})
	})
	if errors.Is(err, ErrDuplicate) {
		// Another start of this live's batch committed first: answer it.
		return b.existing(ctx, brandID, liveID)
	}
	if err != nil {
		return BatchResult{}, err
	}
	return res, nil
}

func (b *Batches) existing(ctx context.Context, brandID, liveID string) (BatchResult, error) {
	batch, err := b.Store.BatchByLive(ctx, brandID, liveID)
	if err != nil {
		return BatchResult{}, err
	}
	ps, err := b.Store.BatchPayouts(ctx, brandID, batch.ID)
	if err != nil {
		return BatchResult{}, err
	}
	return BatchResult{Batch: batch, Payouts: ps, Replayed: true}, nil
}

// ErrBatchSelfApproval is the answer when the admin who started a batch tries to approve one
// of its payouts.
var ErrBatchSelfApproval = apperr.New(apperr.Forbidden, "BATCH_SELF_APPROVAL", "the admin who started a batch may not approve its payouts")

// BatchStarterCheck is the two-person rule of batches as a hook any approval path can call
// inside its transaction: ErrBatchSelfApproval when adminID started p's batch, nil for a
// payout outside any batch. (Payouts.Approve makes the same check.)
func BatchStarterCheck(ctx context.Context, st PayoutStore, p Payout, adminID string) error {
	if p.BatchID == "" {
		return nil
	}
	b, err := st.BatchByID(ctx, p.BrandID, p.BatchID)
	if err != nil {
		return err
	}
	if b.StartedBy == adminID {
		return ErrBatchSelfApproval
	}
	return nil
}

package payouts

import (
	"context"
	"errors"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// Get answers one payout of a brand (404 for another brand's id).
func (s *Payouts) Get(ctx context.Context, brandID, id string) (Payout, error) {
	p, err := s.Store.PayoutByID(ctx, brandID, id)
	if errors.Is(err, ErrNotFound) {
		return Payout{}, apperr.NotFoundf("no such payout")
	}
	return p, err
}

// GetMember answers one payout of the member (404 for anyone else's).
func (s *Payouts) GetMember(ctx context.Context, brandID, memberID, id string) (Payout, error) {
	p, err := s.Get(ctx, brandID, id)
	if err == nil && p.MemberID != memberID {
		return Payout{}, apperr.NotFoundf("no such payout")
	}
	return p, err
}

func validStatusFilter(status string) error {
	if status == "" {
		return nil
	}
	for _, s := range PayoutStatuses {
		if s == status {
			return nil
		}
	}
	return apperr.InvalidArgument("status must be one of requested, approved, submitted, paid, failed, cancelled, rejected")
}

// List answers a brand's payouts, newest first, optionally of one status.
func (s *Payouts) List(ctx context.Context, brandID, status string, p Page) ([]Payout, string, error) {
	if err := validStatusFilter(status); err != nil {
		return nil, "", err
	}
	return s.Store.ListPayouts(ctx, brandID, PayoutFilter{Status: status}, p)
}

// ListMember answers a member's payouts, newest first.
func (s *Payouts) ListMember(ctx context.Context, brandID, memberID, status string, p Page) ([]Payout, string, error) {
	if err := validStatusFilter(status); err != nil {
		return nil, "", err
	}
	return s.Store.ListPayouts(ctx, brandID, PayoutFilter{MemberID: memberID, Status: status}, p)
}

// Touched answers the brand's payouts changed in [from, to) (reconciliation of a day).
func (s *Payouts) Touched(ctx context.Context, brandID string, from, to time.Time) ([]Payout, error) {
	return s.Store.PayoutsTouched(ctx, brandID, from, to)
}

// Approvals answers the decisions on a payout.
func (s *Payouts) Approvals(ctx context.Context, brandID, payoutID string) ([]Approval, error) {
	return s.Store.ListApprovals(ctx, brandID, payoutID)
}

// Cancel is the member's cancel of a bill still waiting for confirmation (POST
// /mp/v1/payouts/{id}/cancel): it marks the payout and enqueues the job that asks WeChat,
// in one transaction. The bill ends CANCELLED (hold released) unless the member confirmed first.
func (s *Payouts) Cancel(ctx context.Context, brandID, memberID, id string) (Payout, error) {
	var out Payout
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.GetMember(ctx, brandID, memberID, id)
		if err != nil {
			return err
		}
		if p.CancelRequested {
			out = p
			return nil
		}
		switch {
		case p.Status != PayoutSubmitted || BillFinal(p.WeChatState) || p.WeChatState == BillTransfering || p.WeChatState == BillCanceling:
			return apperr.New(apperr.Rule, "PAYOUT_NOT_CANCELLABLE", "only a transfer still waiting for confirmation can be cancelled")
		}
		ok, err := s.Store.UpdatePayout(ctx, brandID, p.ID, PayoutChange{FromStatus: p.Status, FromVersion: p.Version,
			CancelRequested: ptr(true), TouchedAt: s.Clock.Now().UTC()})
		if err != nil {
			return err
		}
		if !ok {
			return errChanged
		}
		if err := s.Queue.EnqueuePayoutAdvance(ctx, brandID, p.ID, 0); err != nil {
			return err
		}
		out, err = s.Store.PayoutByID(ctx, brandID, p.ID)
		return err
	})
	return out, err
}

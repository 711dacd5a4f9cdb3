package payouts

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

var (
	errNotInReview = apperr.New(apperr.Conflict, "PAYOUT_NOT_IN_REVIEW", "the payout is not waiting for review")
	errChanged     = apperr.New(apperr.Conflict, "PAYOUT_CHANGED", "the payout changed meanwhile; read it again")
	// errMemberNotActive: the member was frozen or banned after requesting.
	errMemberNotActive = apperr.New(apperr.Conflict, "MEMBER_FROZEN", "the member is frozen or banned: reject the payout, or unfreeze the member first")
)

func canReview(role string) error {
	if role != brands.RoleOwner && role != brands.RoleFinance {
		return apperr.ForbiddenErr("only finance or an owner may review payouts")
	}
	return nil
}

// Approve records an admin's approval (finance or owner). When the payout has the approvals it
// needs (two different admins above the second threshold) it moves to approved and its send job
// is enqueued in the same transaction, with the audit row. Concurrent approvals make exactly one
// transition: the loser gets 409 PAYOUT_CHANGED and its approval is rolled back. A payout of a
// member who is not active (frozen, banned) is refused with 409 MEMBER_FROZEN; Reject still works.
func (s *Payouts) Approve(ctx context.Context, actor brands.Actor, role, brandID, payoutID string) (Payout, error) {
	if err := canReview(role); err != nil {
		return Payout{}, err
	}
	var out Payout
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.reviewable(ctx, brandID, payoutID)
		if err != nil {
			return err
		}
		// A frozen or banned member is not paid (DESIGN §3.6): the payout can only be
		// rejected, or approved once the member is active again.
		payee, err := s.Payees.Payee(ctx, brandID, p.MemberID)
		if err != nil {
			return err
		}
		if payee.Status != MemberActive {
			return errMemberNotActive
		}
		if p.BatchID != "" {
			b, err := s.Store.BatchByID(ctx, brandID, p.BatchID)
			if err != nil {
				return err
			}
			if b.StartedBy == actor.ID {
				return apperr.New(apperr.Forbidden, "BATCH_SELF_APPROVAL", "the admin who started a batch may not approve its payouts")
			}
		}
		now := s.Clock.Now().UTC()
		if _, err := s.Store.InsertApproval(ctx, Approval{ID: uuid.Must(uuid.NewV7()).String(), BrandID: brandID, PayoutID: p.ID,
			AdminID: actor.ID, Decision: DecisionApprove, CreatedAt: now}); err != nil {
			if errors.Is(err, ErrDuplicate) {
				return apperr.New(apperr.Conflict, "PAYOUT_ALREADY_REVIEWED", "you have already reviewed this payout; another admin must approve it")
			}
			return err
		}
		approvals := p.Approvals + 1
		c := PayoutChange{FromStatus: PayoutRequested, FromVersion: p.Version, Approvals: &approvals, TouchedAt: now}
		done := approvals >= max(p.ApprovalsNeeded, 1)
		if done {
			c.Status, c.ApprovedAt = ptr(PayoutApproved), &now
		}
		ok, err := s.Store.UpdatePayout(ctx, brandID, p.ID, c)
		if err != nil {
			return err
		}
		if !ok {
			return errChanged
		}
		if done {
			if err := s.Queue.EnqueuePayoutAdvance(ctx, brandID, p.ID, 0); err != nil {
				return err
			}
		}
		if err := s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: "payout.approve", TargetType: "payout", TargetID: p.ID, RequestID: actor.RequestID, CreatedAt: now,
			Detail: map[string]any{"amount_fen": p.AmountFen, "member_id": p.MemberID, "approvals": approvals,
				"approvals_needed": p.ApprovalsNeeded, "approved": done}}); err != nil {
			return err
		}
		out, err = s.Store.PayoutByID(ctx, brandID, p.ID)
		return err
	})
	return out, err
}

// Reject refuses a payout waiting for review (finance or owner): requested → rejected, the
// hold released exactly once, audited, all in one transaction.
func (s *Payouts) Reject(ctx context.Context, actor brands.Actor, role, brandID, payoutID, note string) (Payout, error) {
	if err := canReview(role); err != nil {
		return Payout{}, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 200 {
		return Payout{}, apperr.InvalidArgument("reason must be at most 200 characters")
	}
	var out Payout
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.reviewable(ctx, brandID, payoutID)
		if err != nil {
			return err
		}
		now := s.Clock.Now().UTC()
		if _, err := s.Store.InsertApproval(ctx, Approval{ID: uuid.Must(uuid.NewV7()).String(), BrandID: brandID, PayoutID: p.ID,
			AdminID: actor.ID, Decision: DecisionReject, Note: note, CreatedAt: now}); err != nil {
			if errors.Is(err, ErrDuplicate) {
				return apperr.New(apperr.Conflict, "PAYOUT_ALREADY_REVIEWED", "you have already reviewed this payout")
			}
			return err
		}
		reason := "rejected by review"
		if note != "" {
			reason = "rejected: " + note
		}
		ok, err := s.Store.UpdatePayout(ctx, brandID, p.ID, PayoutChange{FromStatus: PayoutRequested, FromVersion: p.Version,
			Status: ptr(PayoutRejected), FailReason: ptr(truncateRunes(reason, 200)), FinishedAt: &now, TouchedAt: now})
		if err != nil {
			return err
		}
		if !ok {
			return errChanged
		}
		if err := s.release(ctx, p); err != nil {
			return err
		}
		if err := s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: "payout.reject", TargetType: "payout", TargetID: p.ID, RequestID: actor.RequestID, CreatedAt: now,
			Detail: map[string]any{"amount_fen": p.AmountFen, "member_id": p.MemberID, "reason": note}}); err != nil {
			return err
		}
		out, err = s.Store.PayoutByID(ctx, brandID, p.ID)
		return err
	})
	return out, err
}

func (s *Payouts) reviewable(ctx context.Context, brandID, payoutID string) (Payout, error) {
	p, err := s.Store.PayoutByID(ctx, brandID, payoutID)
	if errors.Is(err, ErrNotFound) {
		return Payout{}, apperr.NotFoundf("no such payout")
	}
	if err != nil {
		return Payout{}, err
	}
	if p.Status != PayoutRequested {
		return Payout{}, errNotInReview
	}
	return p, nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

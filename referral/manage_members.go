package referral

import (
	"context"
	"errors"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
)

// MemberAdminStore is what the admin's member views need.
type MemberAdminStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	MemberByID(ctx context.Context, brandID, id string) (Member, error)
	// ListMembers lists a brand's members, newest first; status "" means every status.
	ListMembers(ctx context.Context, brandID, status string, p Page) ([]Member, string, error)
	// SetMemberStatus moves a member from one status to another (guarded); false when it was
	// not in from.
	SetMemberStatus(ctx context.Context, brandID, id, from, to string) (bool, error)
}

// Members is the admin's member use cases.
type Members struct {
	Store MemberAdminStore
	Audit Auditor
	Clock clock.Clock
}

// List lists a brand's members.
func (s *Members) List(ctx context.Context, brandID, status string, p Page) ([]Member, string, error) {
	switch status {
	case "", StatusActive, StatusFrozen, StatusBanned:
	default:
		return nil, "", invalid("status must be active, frozen or banned")
	}
	return s.Store.ListMembers(ctx, brandID, status, p)
}

// SetFrozen freezes or unfreezes a member (audited). A frozen member keeps earning but cannot
// request payouts; a banned member stays banned.
func (s *Members) SetFrozen(ctx context.Context, actor brands.Actor, brandID, memberID string, frozen bool) (Member, error) {
	from, to, action := StatusActive, StatusFrozen, "member.freeze"
	if !frozen {
		from, to, action = StatusFrozen, StatusActive, "member.unfreeze"
	}
	var out Member
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.Store.MemberByID(ctx, brandID, memberID)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("no such member")
		}
		if err != nil {
			return err
		}
		switch m.Status {
		case to:
			out = m // already there: idempotent
			return nil
		case StatusBanned:
			return apperr.New(apperr.Rule, "MEMBER_BANNED", "the member is banned")
		}
		ok, err := s.Store.SetMemberStatus(ctx, brandID, memberID, from, to)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "MEMBER_STATUS_CHANGED", "the member's status changed meanwhile; try again")
		}
		m.Status = to
		out = m
		return s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: action, TargetType: "member", TargetID: memberID, RequestID: actor.RequestID, CreatedAt: s.Clock.Now(),
			Detail: map[string]any{"from": from, "to": to}})
	})
	return out, err
}

package referral

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// Reassign gives an order to another member (POST /admin/v1/orders/{id}/reassign): the
// current beneficiaries' commissions are reversed (a debt where already available and spent),
// new ones are accrued under the next attribution version with the plan the order was paid
// under, and the change is audited. The buyer's binding is not touched: this settles one
// order's dispute.
func (s *Orders) Reassign(ctx context.Context, actor brands.Actor, brandID, orderID, memberID, reason string) (Order, error) {
	reason = strings.TrimSpace(reason)
	if memberID == "" {
		return Order{}, invalid("member_id is required")
	}
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return Order{}, invalid("reason must be 1-200 characters")
	}
	var out Order
	err := s.retry(ctx, func(ctx context.Context) error {
		o, err := s.Store.OrderByID(ctx, brandID, orderID)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("no such order")
		}
		if err != nil {
			return err
		}
		if err := s.Store.Lock(ctx, orderKey(brandID, o.ExternalID)); err != nil {
			return err
		}
		if o, err = s.Store.OrderByID(ctx, brandID, orderID); err != nil {
			return err
		}
		m, err := s.member(ctx, brandID, memberID)
		if err != nil {
			return err
		}
		switch {
		case m.ID == "":
			return apperr.NotFoundf("no such member")
		case m.Status == StatusBanned:
			return apperr.New(apperr.Rule, "MEMBER_BANNED", "a banned member cannot be given orders")
		case o.Attribution.MemberID == memberID:
			return apperr.New(apperr.Rule, "ALREADY_ATTRIBUTED", "the order is already attributed to this member")
		}
		next := o.AttributionVersion + 1
		cs, err := s.Book.OrderCommissions(ctx, brandID, o.ID)
		if err != nil {
			return err
		}
		var reqs []payouts.ReverseRequest
		for _, c := range cs {
			if c.RemainingFen() > 0 {
				reqs = append(reqs, payouts.ReverseRequest{CommissionID: c.ID, Cause: fmt.Sprintf("reassign:v%d", next), AmountFen: c.RemainingFen()})
			}
		}
		if _, err := s.Book.Reverse(ctx, brandID, reqs); err != nil {
			return err
		}
		plan, err := s.planByVersion(ctx, brandID, o.PlanVersion)
		if err != nil {
			return err
		}
		prev := "nobody"
		if o.Attribution.MemberID != "" {
			prev = "member " + o.Attribution.MemberID
		}
		att := Attribution{MemberID: memberID, Rule: RuleAdmin, Reason: "reassigned by an admin from " + prev + ": " + reason}
		if err := s.setAttribution(ctx, &o, att, next, "admin", actor.ID); err != nil {
			return err
		}
		if err := s.accrue(ctx, o, plan, next); err != nil {
			return err
		}
		if err := s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: "order.reassign", TargetType: "order", TargetID: o.ID, RequestID: actor.RequestID, CreatedAt: s.Clock.Now(),
			Detail: map[string]any{"from_member_id": o.Attribution.MemberID, "to_member_id": memberID, "version": next, "reason": reason}}); err != nil {
			return err
		}
		out, err = s.Store.OrderByID(ctx, brandID, o.ID)
		return err
	})
	return out, err
}

// OrderView is an order with everything the admin needs to understand it.
type OrderView struct {
	Order        Order
	Attributions []AttributionRecord
	Commissions  []payouts.Commission
	AfterSales   []AfterSale
}

// Order returns an order of a brand (404 for another brand's or unknown ids).
func (s *Orders) Order(ctx context.Context, brandID, id string) (OrderView, error) {
	o, err := s.Store.OrderByID(ctx, brandID, id)
	if errors.Is(err, ErrNotFound) {
		return OrderView{}, apperr.NotFoundf("no such order")
	}
	if err != nil {
		return OrderView{}, err
	}
	v := OrderView{Order: o}
	if v.Attributions, err = s.Store.OrderAttributions(ctx, brandID, id); err != nil {
		return OrderView{}, err
	}
	if v.Commissions, err = s.Book.OrderCommissions(ctx, brandID, id); err != nil {
		return OrderView{}, err
	}
	if v.AfterSales, err = s.Store.OrderAfterSales(ctx, brandID, id); err != nil {
		return OrderView{}, err
	}
	return v, nil
}

// OrderByExternal returns an order by its door and external id (404 when not paid yet).
func (s *Orders) OrderByExternal(ctx context.Context, brandID, source, externalID string) (Order, error) {
	o, err := s.Store.OrderByExternal(ctx, brandID, source, externalID)
	if errors.Is(err, ErrNotFound) {
		return Order{}, apperr.NotFoundf("no such order")
	}
	return o, err
}

package referral

import (
	"context"
	"errors"
	"time"
)

// foldTouches brings a buyer's binding up to date with their touches up to `through`, oldest
// first: each touch offers the toucher the buyer (DESIGN §3.4). Called under the buyer's lock.
func (s *Orders) foldTouches(ctx context.Context, brandID string, rules BindingRules, buyerID, orderID string, through time.Time) error {
	cur, err := s.currentBinding(ctx, brandID, buyerID)
	if err != nil {
		return err
	}
	if cur.TouchesThrough != nil && !cur.TouchesThrough.Before(through) {
		return nil
	}
	touches, err := s.Store.TouchesAfter(ctx, brandID, buyerID, cur.TouchesThrough, through, maxTouchFold)
	if err != nil || len(touches) == 0 {
		return err
	}
	firstPaid, err := s.Store.FirstPaidAt(ctx, brandID, buyerID, orderID)
	if err != nil {
		return err
	}
	loops := map[string]bool{}
	for _, t := range touches {
		at := t.At
		cur.TouchesThrough = &at
		if t.InviterID == buyerID {
			continue
		}
		loop, seen := loops[t.InviterID]
		if !seen {
			if loop, err = s.boundTo(ctx, brandID, rules, t.InviterID, buyerID, t.At); err != nil {
				return err
			}
			loops[t.InviterID] = loop
		}
		d := rules.Offer(cur, BindingOffer{SharerID: t.InviterID, At: t.At, Loop: loop,
			BuyerOrderedBefore: firstPaid != nil && firstPaid.Before(t.At)})
		if !d.Bind {
			continue
		}
		if err := s.Store.AddBindingChange(ctx, brandID, BindingChange{BuyerID: buyerID, FromSharerID: cur.SharerID,
			ToSharerID: d.Next.SharerID, Mode: d.Next.Mode, Cause: "touch", Ref: t.ID, Reason: d.Reason, At: t.At,
			ExpiresAt: d.Next.ExpiresAt, ProtectedUntil: d.Next.ProtectedUntil}); err != nil {
			return err
		}
		cur = d.Next
	}
	return s.Store.SaveBinding(ctx, brandID, cur)
}

// offerBinding lets the sharer an order was attributed to by rule (a) bind the buyer, as the
// rules allow. An order older than the binding's newest state (a late pay event) does not
// rewrite history: it binds nobody.
func (s *Orders) offerBinding(ctx context.Context, brandID string, rules BindingRules, buyerID, orderID, sharerID string, at time.Time) error {
	cur, err := s.currentBinding(ctx, brandID, buyerID)
	if err != nil {
		return err
	}
	if cur.SharerID != "" && cur.BoundAt.After(at) || cur.TouchesThrough != nil && cur.TouchesThrough.After(at) {
		return nil
	}
	loop, err := s.boundTo(ctx, brandID, rules, sharerID, buyerID, at)
	if err != nil {
		return err
	}
	firstPaid, err := s.Store.FirstPaidAt(ctx, brandID, buyerID, orderID)
	if err != nil {
		return err
	}
	d := rules.Offer(cur, BindingOffer{SharerID: sharerID, At: at, Loop: loop, BuyerOrderedBefore: firstPaid != nil && firstPaid.Before(at)})
	if !d.Bind {
		return nil
	}
	if err := s.Store.AddBindingChange(ctx, brandID, BindingChange{BuyerID: buyerID, FromSharerID: cur.SharerID,
		ToSharerID: d.Next.SharerID, Mode: d.Next.Mode, Cause: "order", Ref: orderID, Reason: d.Reason, At: at,
		ExpiresAt: d.Next.ExpiresAt, ProtectedUntil: d.Next.ProtectedUntil}); err != nil {
		return err
	}
	return s.Store.SaveBinding(ctx, brandID, d.Next)
}

func (s *Orders) currentBinding(ctx context.Context, brandID, buyerID string) (Binding, error) {
	cur, err := s.Store.BindingOf(ctx, brandID, buyerID)
	if errors.Is(err, ErrNotFound) {
		return Binding{BuyerID: buyerID}, nil
	}
	cur.BuyerID = buyerID
	return cur, err
}

// boundTo reports whether sharer is, through a chain of bindings active at `at`, bound to
// buyer: binding buyer to sharer would then close a loop. Bindings are folded from touches
// lazily (at a buyer's order), so each member on the chain is looked at with their touches up
// to `at` folded in memory; the chain is followed a bounded depth.
func (s *Orders) boundTo(ctx context.Context, brandID string, rules BindingRules, sharer, buyer string, at time.Time) (bool, error) {
	seen := map[string]bool{}
	for x := sharer; x != "" && !seen[x] && len(seen) < maxLoopDepth; {
		seen[x] = true
		b, err := s.bindingAsOf(ctx, brandID, rules, x, at)
		if err != nil {
			return false, err
		}
		if !b.ActiveAt(at) {
			return false, nil
		}
		if b.SharerID == buyer {
			return true, nil
		}
		x = b.SharerID
	}
	return false, nil
}

// bindingAsOf is a member's binding at `at` without writing anything: the stored history when
// it already reaches `at`, else the stored binding with the touches since folded in memory
// (loops among those touches are not looked for: this is a read for the loop check only).
func (s *Orders) bindingAsOf(ctx context.Context, brandID string, rules BindingRules, memberID string, at time.Time) (Binding, error) {
	cur, err := s.currentBinding(ctx, brandID, memberID)
	if err != nil {
		return Binding{}, err
	}
	if cur.TouchesThrough != nil && !cur.TouchesThrough.Before(at) {
		b, err := s.Store.BindingAt(ctx, brandID, memberID, at)
		if errors.Is(err, ErrNotFound) {
			return Binding{BuyerID: memberID}, nil
		}
		return b, err
	}
	touches, err := s.Store.TouchesAfter(ctx, brandID, memberID, cur.TouchesThrough, at, maxTouchFold)
	if err != nil || len(touches) == 0 {
		return cur, err
	}
	firstPaid, err := s.Store.FirstPaidAt(ctx, brandID, memberID, "")
	if err != nil {
		return Binding{}, err
	}
	for _, t := range touches {
		d := rules.Offer(cur, BindingOffer{SharerID: t.InviterID, At: t.At, BuyerOrderedBefore: firstPaid != nil && firstPaid.Before(t.At)})
		if d.Bind {
			cur = d.Next
		}
	}
	return cur, nil
}

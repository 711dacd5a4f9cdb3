package referral

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/payouts"
)

// Applied says what an order event did: it changed the order, it was a replay, or it was
// parked because the order is not paid yet.
type Applied int

const (
	AppliedNow Applied = iota
	AppliedAlready
	AppliedParked
)

// Confirmed records receipt confirmation (OrderIntake): the holding period starts from it.
func (s *Orders) Confirmed(ctx context.Context, brandID, source, externalID string, at time.Time) error {
	_, err := s.Confirm(ctx, brandID, source, externalID, at)
	return err
}

// Confirm is Confirmed answering what happened.
// On the open API a confirmation more than maxClockSkew in the future or before the payment is
// 422 ORDER_EVENT_TIME_INVALID: either would move the end of the holding period.
func (s *Orders) Confirm(ctx context.Context, brandID, source, externalID string, at time.Time) (Applied, error) {
	if err := s.checkNotFuture(source, "confirmed_at", at); err != nil {
		return 0, err
	}
	return s.orderEvent(ctx, brandID, source, externalID, ParkedEvent{Kind: ParkConfirm, At: at},
		func(ctx context.Context, o *Order) (Applied, error) {
			if err := checkNotBeforePaid(*o, source, "confirmed_at", at); err != nil {
				return 0, err
			}
			return s.confirm(ctx, o, at)
		})
}

// maxClockSkew is how far a brand system's event time may be in the future, or before the
// order's paid_at (its clock and ours disagree a little); further is refused.
const maxClockSkew = 5 * time.Minute

func errEventTime(msg string) error { return apperr.New(apperr.Rule, CodeOrderTimeInvalid, msg) }

// checkNotFuture refuses an open-API event time beyond now + maxClockSkew. Channels times are
// WeChat's and are not refused (confirm clamps them instead).
func (s *Orders) checkNotFuture(source, field string, at time.Time) error {
	if source != SourceOpenAPI {
		return nil
	}
	if now := s.Clock.Now(); at.After(now.Add(maxClockSkew)) {
		return errEventTime(fmt.Sprintf("%s %s is in the future (now %s)", field, formatTime(at), formatTime(now)))
	}
	return nil
}

// checkNotBeforePaid refuses an open-API event time more than maxClockSkew before the order's
// payment (a brand's clock a little ahead of ours, or a default "now" refund right after the
// order, is tolerated; confirm counts such a time from the payment).
func checkNotBeforePaid(o Order, source, field string, at time.Time) error {
	if source == SourceOpenAPI && at.Before(o.PaidAt.Add(-maxClockSkew)) {
		return errEventTime(fmt.Sprintf("%s %s is before the order's paid_at %s", field, formatTime(at), formatTime(o.PaidAt)))
	}
	return nil
}

// Cancelled reverses every commission of the order in full (OrderIntake).
func (s *Orders) Cancelled(ctx context.Context, brandID, source, externalID string, at time.Time) error {
	_, err := s.orderEvent(ctx, brandID, source, externalID, ParkedEvent{Kind: ParkCancel, At: at},
		func(ctx context.Context, o *Order) (Applied, error) { return s.cancel(ctx, o, at) })
	return err
}

// Settled records the platform's settlement with the merchant (OrderIntake). An order settles
// only after receipt, so an unconfirmed order counts as confirmed then.
func (s *Orders) Settled(ctx context.Context, brandID, source, externalID string, at time.Time) error {
	_, err := s.orderEvent(ctx, brandID, source, externalID, ParkedEvent{Kind: ParkSettle, At: at},
		func(ctx context.Context, o *Order) (Applied, error) { return s.settle(ctx, o, at) })
	return err
}

// AfterSale applies the newest state of an after-sale (OrderIntake).
func (s *Orders) AfterSale(ctx context.Context, brandID string, u AfterSaleUpdate) error {
	_, err := s.ApplyAfterSale(ctx, brandID, u)
	return err
}

// ApplyAfterSale is AfterSale answering what happened. On the open API, the same refund_id
// with other lines is 409 REFUND_CONFLICT, and a refund naming an unknown line or more than a
// line has left is 422.
func (s *Orders) ApplyAfterSale(ctx context.Context, brandID string, u AfterSaleUpdate) (Applied, error) {
	if err := u.Validate(); err != nil {
		return 0, err
	}
	if err := s.checkNotFuture(u.Source, "refunded_at", u.At); err != nil {
		return 0, err
	}
	return s.orderEvent(ctx, brandID, u.Source, u.ExternalID,
		ParkedEvent{Kind: ParkAfterSale, Key: u.AfterSaleID + "|" + u.State, AfterSale: &u, At: u.At},
		func(ctx context.Context, o *Order) (Applied, error) {
			if err := checkNotBeforePaid(*o, u.Source, "refunded_at", u.At); err != nil {
				return 0, err
			}
			return s.afterSale(ctx, o, u, true)
		})
}

// Validate checks an after-sale update as a door sends it.
func (u AfterSaleUpdate) Validate() error {
	switch {
	case !validSource(u.Source):
		return invalid("source must be channels or open_api")
	case !validID(u.ExternalID, 64):
		return invalid("the order id must be 1-64 printable bytes")
	case !validID(u.AfterSaleID, 64):
		return invalid("the refund or after-sale id must be 1-64 printable bytes")
	case u.State != AfterSaleOpen && u.State != AfterSaleRefunded && u.State != AfterSaleClosed:
		return invalid("after-sale state must be open, refunded or closed")
	case u.State == AfterSaleRefunded && len(u.Lines) == 0:
		return invalid("a refund names at least one line")
	case len(u.Lines) > maxOrderLines:
		return invalid(fmt.Sprintf("at most %d lines", maxOrderLines))
	case u.At.IsZero():
		return invalid("the after-sale needs a time")
	}
	seen := map[string]bool{}
	for i, l := range u.Lines {
		switch {
		case !validID(l.LineID, 64):
			return invalid(fmt.Sprintf("lines[%d].line_id must be 1-64 printable bytes", i))
		case seen[l.LineID]:
			return invalid(fmt.Sprintf("lines[%d].line_id repeats %s", i, l.LineID))
		case u.State == AfterSaleRefunded && (l.RefundFen <= 0 || l.RefundFen > maxLinePaidFen):
			return invalid(fmt.Sprintf("lines[%d].refund_fen must be 1 to %d", i, int64(maxLinePaidFen)))
		}
		seen[l.LineID] = true
	}
	return nil
}

func (u AfterSaleUpdate) hash() string {
	lines := append([]RefundLine(nil), u.Lines...)
	sort.Slice(lines, func(i, j int) bool { return lines[i].LineID < lines[j].LineID })
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", u.State)
	for _, l := range lines {
		fmt.Fprintf(h, "%s\x00%d\x00", l.LineID, l.RefundFen)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// orderEvent runs one event of an order under the order's lock: applied to the order when it
// is paid, parked otherwise (a repeat of a parked event parks once).
func (s *Orders) orderEvent(ctx context.Context, brandID, source, externalID string, park ParkedEvent,
	apply func(ctx context.Context, o *Order) (Applied, error)) (Applied, error) {
	if !validSource(source) || !validID(externalID, 64) {
		return 0, invalid("source must be channels or open_api and the order id 1-64 printable bytes")
	}
	if park.At.IsZero() {
		return 0, invalid("the event needs a time")
	}
	var res Applied
	err := s.retry(ctx, func(ctx context.Context) error {
		if err := s.Store.Lock(ctx, orderKey(brandID, externalID)); err != nil {
			return err
		}
		o, err := s.Store.OrderByExternal(ctx, brandID, source, externalID)
		if errors.Is(err, ErrNotFound) {
			park.BrandID, park.Source, park.ExternalID = brandID, source, externalID
			res = AppliedParked
			parked, err := s.Store.ParkedEvents(ctx, brandID, source, externalID)
			if err != nil {
				return err
			}
			for _, p := range parked {
				if p.Kind == park.Kind && p.Key == park.Key {
					return nil
				}
			}
			return s.Store.ParkEvent(ctx, park)
		}
		if err != nil {
			return err
		}
		res, err = apply(ctx, &o)
		return err
	})
	return res, err
}

// applyParked applies the events that waited for the order, oldest first, then drops them.
func (s *Orders) applyParked(ctx context.Context, brandID string, o *Order) error {
	parked, err := s.Store.ParkedEvents(ctx, brandID, o.Source, o.ExternalID)
	if err != nil || len(parked) == 0 {
		return err
	}
	sort.SliceStable(parked, func(i, j int) bool { return parked[i].At.Before(parked[j].At) })
	ids := make([]string, 0, len(parked))
	for _, p := range parked {
		ids = append(ids, p.ID)
		fresh, err := s.Store.OrderByID(ctx, brandID, o.ID)
		if err != nil {
			return err
		}
		*o = fresh
		switch p.Kind {
		case ParkConfirm:
			_, err = s.confirm(ctx, o, p.At)
		case ParkCancel:
			_, err = s.cancel(ctx, o, p.At)
		case ParkSettle:
			_, err = s.settle(ctx, o, p.At)
		case ParkAfterSale:
			if p.AfterSale != nil {
				// The door could not check the refund against a line that did not exist yet:
				// apply leniently (unknown lines skipped, amounts capped at what is left).
				_, err = s.afterSale(ctx, o, *p.AfterSale, false)
			}
		}
		if err != nil {
			return err
		}
	}
	return s.Store.DeleteParkedEvents(ctx, brandID, ids)
}

func (s *Orders) confirm(ctx context.Context, o *Order, at time.Time) (Applied, error) {
	if at.Before(o.PaidAt) {
		// A receipt before the payment (a parked open-API confirm, a skewed push) cannot start
		// the holding period early: it counts from the payment at the earliest.
		at = o.PaidAt
	}
	if o.ConfirmedAt != nil && !at.Before(*o.ConfirmedAt) {
		return AppliedAlready, nil
	}
	b, err := s.Brands.Brand(ctx, o.BrandID)
	if err != nil {
		return 0, err
	}
	due := payouts.HoldEndsAt(o.PaidAt, &at, b.Rules, payouts.BrandLocation(b.Timezone))
	if err := s.Store.UpdateOrder(ctx, o.BrandID, o.ID, OrderPatch{ConfirmedAt: &at, HoldEndsAt: &due}); err != nil {
		return 0, err
	}
	o.ConfirmedAt, o.HoldEndsAt = &at, due
	return AppliedNow, s.Book.Reschedule(ctx, o.BrandID, o.ID, due)
}

func (s *Orders) settle(ctx context.Context, o *Order, at time.Time) (Applied, error) {
	if o.SettledAt != nil {
		return AppliedAlready, nil
	}
	if err := s.Store.UpdateOrder(ctx, o.BrandID, o.ID, OrderPatch{SettledAt: &at}); err != nil {
		return 0, err
	}
	o.SettledAt = &at
	if o.ConfirmedAt == nil {
		if _, err := s.confirm(ctx, o, at); err != nil {
			return 0, err
		}
	}
	return AppliedNow, nil
}

// cancel refunds what every line has left: every commission of the order is reversed in full.
func (s *Orders) cancel(ctx context.Context, o *Order, at time.Time) (Applied, error) {
	if o.CancelledAt != nil {
		return AppliedAlready, nil
	}
	if err := s.Store.UpdateOrder(ctx, o.BrandID, o.ID, OrderPatch{CancelledAt: &at}); err != nil {
		return 0, err
	}
	o.CancelledAt = &at
	var lines []RefundLine
	for _, l := range o.Lines {
		if left := l.PaidFen - l.RefundedFen; left > 0 {
			lines = append(lines, RefundLine{LineID: l.LineID, RefundFen: left})
		}
	}
	return AppliedNow, s.refund(ctx, o, "cancel:"+o.ID, lines)
}

// afterSale moves one after-sale forward: open blocks the lines' commissions from becoming
// available; refunded reverses their share once; closed unblocks. A final state never changes.
func (s *Orders) afterSale(ctx context.Context, o *Order, u AfterSaleUpdate, strict bool) (Applied, error) {
	strict = strict && u.Source == SourceOpenAPI
	hash := ""
	if u.Source == SourceOpenAPI {
		hash = u.hash()
	}
	cur, err := s.Store.AfterSaleByKey(ctx, o.BrandID, o.ID, u.AfterSaleID)
	switch {
	case err == nil:
		if hash != "" && cur.BodyHash != "" && cur.BodyHash != hash {
			return 0, apperr.New(apperr.Conflict, "REFUND_CONFLICT", "a refund with this refund_id exists with other lines")
		}
		if cur.State != AfterSaleOpen || u.State == AfterSaleOpen {
			return AppliedAlready, nil
		}
		ok, err := s.Store.MoveAfterSale(ctx, o.BrandID, cur.ID, AfterSaleOpen, u.State, u.Lines, u.At)
		if err != nil || !ok {
			return AppliedAlready, err
		}
	case errors.Is(err, ErrNotFound):
		if strict {
			if err := checkRefund(*o, u.Lines); err != nil {
				return 0, err
			}
		}
		if cur, err = s.Store.CreateAfterSale(ctx, AfterSale{BrandID: o.BrandID, OrderID: o.ID, AfterSaleID: u.AfterSaleID,
			State: u.State, Lines: u.Lines, BodyHash: hash, At: u.At}); err != nil {
			return 0, err
		}
	default:
		return 0, err
	}
	if u.State != AfterSaleRefunded {
		return AppliedNow, nil
	}
	if strict {
		if err := checkRefund(*o, u.Lines); err != nil {
			return 0, err
		}
	}
	return AppliedNow, s.refund(ctx, o, "refund:"+cur.ID, u.Lines)
}

// checkRefund refuses a refund of an unknown line or of more than a line has left.
func checkRefund(o Order, lines []RefundLine) error {
	for _, rl := range lines {
		l, ok := o.Line(rl.LineID)
		if !ok {
			return apperr.New(apperr.Rule, "UNKNOWN_LINE", "the order has no line "+rl.LineID)
		}
		if rl.RefundFen > l.PaidFen-l.RefundedFen {
			return apperr.New(apperr.Rule, "REFUND_EXCEEDS_PAID",
				fmt.Sprintf("line %s has %d fen left to refund, not %d", rl.LineID, l.PaidFen-l.RefundedFen, rl.RefundFen))
		}
	}
	return nil
}

// refund returns money on lines and reverses each commission's share: floor(c × refund /
// paid), the last refund of a line exactly what is left (ReversalFen).
func (s *Orders) refund(ctx context.Context, o *Order, cause string, lines []RefundLine) error {
	cs, err := s.Book.OrderCommissions(ctx, o.BrandID, o.ID)
	if err != nil {
		return err
	}
	var reqs []payouts.ReverseRequest
	for _, rl := range lines {
		l, ok := o.Line(rl.LineID)
		if !ok {
			continue
		}
		r := min(rl.RefundFen, l.PaidFen-l.RefundedFen)
		if r <= 0 {
			continue
		}
		for _, c := range cs {
			if c.OrderLineID != l.ID || c.RemainingFen() <= 0 {
				continue
			}
			if amt := ReversalFen(c.AmountFen, c.ReversedFen, r, l.PaidFen, l.RefundedFen); amt > 0 {
				reqs = append(reqs, payouts.ReverseRequest{CommissionID: c.ID, Cause: cause, AmountFen: amt})
			}
		}
		ok, err := s.Store.AddLineRefund(ctx, o.BrandID, l.ID, r)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("referral: refund of %d fen exceeds line %s", r, l.ID)
		}
		for i := range o.Lines {
			if o.Lines[i].ID == l.ID {
				o.Lines[i].RefundedFen += r
			}
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	_, err = s.Book.Reverse(ctx, o.BrandID, reqs)
	return err
}

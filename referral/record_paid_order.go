package referral

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/payouts"
)

// Limits on what a door may send.
const (
	maxOrderLines   = 200
	maxLinePaidFen  = 1_000_000_000_000 // 10 billion yuan: far above any real line, far below overflow
	maxLineQuantity = 1_000_000
	maxTouchFold    = 500
	maxLoopDepth    = 16
	maxRetries      = 3
)

func validSource(s string) bool { return s == SourceChannels || s == SourceOpenAPI }

// validID checks a door's id: 1-max bytes of printable text.
func validID(s string, max int) bool {
	if s == "" || len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func invalid(msg string) error { return apperr.InvalidArgument(msg) }

// Validate checks a paid order as a door sends it.
func (o PaidOrder) Validate() error {
	switch {
	case !validSource(o.Source):
		return invalid("source must be channels or open_api")
	case !validID(o.ExternalID, 64):
		return invalid("external_id must be 1-64 printable bytes")
	case o.Buyer.IsZero():
		return invalid("buyer needs an openid or a unionid")
	case len(o.Buyer.OpenID) > 64 || len(o.Buyer.UnionID) > 64 || len(o.Sharer.OpenID) > 64 || len(o.Sharer.UnionID) > 64:
		return invalid("openid and unionid are at most 64 bytes")
	case len(o.Lines) == 0 || len(o.Lines) > maxOrderLines:
		return invalid(fmt.Sprintf("an order has 1 to %d lines", maxOrderLines))
	case len(o.ShipCity) > 64 || !utf8.ValidString(o.ShipCity):
		return invalid("ship_city is at most 64 bytes of UTF-8")
	case o.PaidAt.IsZero():
		return invalid("paid_at is required")
	case o.ShareCode != "" && !shareCodeRe.MatchString(o.ShareCode):
		return invalid("share_code is not a share code")
	case len(o.LiveID) > 36:
		return invalid("live_id is at most 36 bytes")
	}
	seen := map[string]bool{}
	for i, l := range o.Lines {
		at := fmt.Sprintf("lines[%d]", i)
		switch {
		case !validID(l.LineID, 64):
			return invalid(at + ".line_id must be 1-64 printable bytes")
		case seen[l.LineID]:
			return invalid(at + ".line_id repeats " + l.LineID)
		case len(l.ProductID) > 64 || len(l.SKUID) > 64:
			return invalid(at + ": product_id and sku_id are at most 64 bytes")
		case l.ProductType != "" && !ValidProductType(l.ProductType):
			return invalid(at + ".product_type must be flash_sale, classic, profit or exclusive")
		case l.Quantity < 1 || l.Quantity > maxLineQuantity:
			return invalid(fmt.Sprintf("%s.quantity must be 1 to %d", at, maxLineQuantity))
		case l.PaidFen < 0 || l.PaidFen > maxLinePaidFen:
			return invalid(fmt.Sprintf("%s.paid_fen must be 0 to %d", at, int64(maxLinePaidFen)))
		}
		seen[l.LineID] = true
	}
	return nil
}

// Hash fingerprints a paid order: the same order sent twice hashes the same whatever the order
// of its lines.
func (o PaidOrder) Hash() string {
	c := o
	c.Lines = append([]OrderLineInput(nil), o.Lines...)
	sort.Slice(c.Lines, func(i, j int) bool { return c.Lines[i].LineID < c.Lines[j].LineID })
	c.PaidAt = o.PaidAt.UTC()
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// NormalizeCity drops spaces and the administrative suffix, so "上海市" and "上海" compare
// equal (DESIGN §3.7).
func NormalizeCity(city string) string {
	c := strings.TrimSpace(city)
	for _, suffix := range []string{"市", "特别行政区"} {
		if t, ok := strings.CutSuffix(c, suffix); ok && t != "" {
			c = t
			break
		}
	}
	return c
}

// Paid records a paid order (OrderIntake). Idempotent: the same order again changes nothing;
// on the open API the same external id with another body is 409 ORDER_CONFLICT.
func (s *Orders) Paid(ctx context.Context, brandID string, o PaidOrder) error {
	_, _, err := s.RecordPaid(ctx, brandID, o)
	return err
}

// RecordPaid is Paid answering the order and whether this call created it.
func (s *Orders) RecordPaid(ctx context.Context, brandID string, o PaidOrder) (Order, bool, error) {
	if err := o.Validate(); err != nil {
		return Order{}, false, err
	}
	hash := o.Hash()
	var (
		out     Order
		created bool
	)
	err := s.retry(ctx, func(ctx context.Context) error {
		if err := s.Store.Lock(ctx, orderKey(brandID, o.ExternalID)); err != nil {
			return err
		}
		prev, err := s.Store.OrderByExternal(ctx, brandID, o.Source, o.ExternalID)
		switch {
		case err == nil:
			// The Channels order/get answer may change between fetches (a refund shows in it);
			// the first pay event wins there. The open API promises a conflict instead.
			if o.Source == SourceOpenAPI && prev.BodyHash != hash {
				return apperr.New(apperr.Conflict, "ORDER_CONFLICT", "an order with this external_id exists with another body")
			}
			out, created = prev, false
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if err := s.refuseOtherSource(ctx, brandID, o.Source, o.ExternalID); err != nil {
			return err
		}
		out, err = s.recordPaid(ctx, brandID, o, hash)
		created = err == nil
		return err
	})
	return out, created, err
}

// retry runs fn in a transaction, again when it lost a unique-index race (a concurrent
// transaction created the same row first; the next run sees it).
func (s *Orders) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for range maxRetries {
		err = s.Store.WithTx(ctx, fn)
		if !errors.Is(err, ErrDuplicate) && !errors.Is(err, payouts.ErrDuplicate) {
			return err
		}
	}
	return err
}

// orderKey is the lock of an external order id of a brand, whatever door it came through:
// both doors take it, so the check that the other door has not recorded the id and the insert
// are one step for concurrent arrivals.
func orderKey(brandID, externalID string) string {
	return "order\x1f" + brandID + "\x1f" + externalID
}

// refuseOtherSource answers 409 ORDER_EXISTS_FROM_OTHER_SOURCE when the other door already
// recorded this external id for the brand. The two doors are two ways into one brand's
// orders (API.md says nothing of separate namespaces), and orders are unique per source only:
// a brand that forwards its Channels orders through the open API as well would otherwise be
// accrued twice. The caller holds orderKey's lock.
func (s *Orders) refuseOtherSource(ctx context.Context, brandID, source, externalID string) error {
	other := SourceChannels
	if source == SourceChannels {
		other = SourceOpenAPI
	}
	_, err := s.Store.OrderByExternal(ctx, brandID, other, externalID)
	switch {
	case err == nil:
		return apperr.New(apperr.Conflict, CodeOrderFromOtherSource,
			fmt.Sprintf("order %s was already recorded from source %s; it is not recorded again from %s", externalID, other, source))
	case errors.Is(err, ErrNotFound):
		return nil
	}
	return err
}

func buyerKey(brandID, buyerID string) string { return "buyer\x1f" + brandID + "\x1f" + buyerID }

// recordPaid is the pay event's work inside the order's lock: store the order, fold the
// buyer's touches into their binding, attribute, accrue commissions, apply parked events.
func (s *Orders) recordPaid(ctx context.Context, brandID string, in PaidOrder, hash string) (Order, error) {
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return Order{}, err
	}
	loc := payouts.BrandLocation(b.Timezone)
	plan, err := s.planAt(ctx, brandID, in.PaidAt)
	if err != nil {
		return Order{}, err
	}
	rules, err := s.bindingRules(ctx, brandID)
	if err != nil {
		return Order{}, err
	}
	buyer, err := s.findMember(ctx, brandID, in.Buyer, in.Source == SourceOpenAPI)
	if err != nil {
		return Order{}, err
	}
	var link ShareLinkRef
	if in.ShareCode != "" {
		link, err = s.Store.ShareLinkByCode(ctx, in.ShareCode)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Order{}, err
		}
		if link.BrandID != brandID { // another brand's code is unknown here
			link = ShareLinkRef{}
		}
	}
	liveID, err := s.orderLive(ctx, brandID, in, link)
	if err != nil {
		return Order{}, err
	}

	o := Order{BrandID: brandID, Source: in.Source, ExternalID: in.ExternalID, BodyHash: hash, Buyer: in.Buyer,
		BuyerMemberID: buyer.ID, ShipCity: strings.TrimSpace(in.ShipCity), ShipCityNorm: NormalizeCity(in.ShipCity),
		LiveID: liveID, ShareCode: in.ShareCode, Sharer: in.Sharer, PaidAt: in.PaidAt,
		HoldEndsAt: payouts.HoldEndsAt(in.PaidAt, nil, b.Rules, loc), PlanVersion: plan.Version,
		Attribution: Attribution{Rule: RuleNone}, AttributionVersion: 1}
	for _, l := range in.Lines {
		o.TotalPaidFen += l.PaidFen
		o.Lines = append(o.Lines, OrderLine{LineID: l.LineID, ProductID: l.ProductID, SKUID: l.SKUID,
			ProductType: plan.TypeOf(l.ProductID, l.ProductType), Quantity: l.Quantity, PaidFen: l.PaidFen})
	}
	if o, err = s.Store.CreateOrder(ctx, o); err != nil {
		return Order{}, err
	}

	ai := AttributionInput{PlatformGiven: !in.Sharer.IsZero(), ShareCodeGiven: in.ShareCode != ""}
	if !in.Sharer.IsZero() {
		// Channels sharers are members only through the unionid (the shop's openid is not the
		// mini-program's).
		m, err := s.findMember(ctx, brandID, Identity{UnionID: in.Sharer.UnionID}, false)
		if err != nil {
			return Order{}, err
		}
		ai.Platform = candidate(m, "")
	}
	if link.MemberID != "" {
		m, err := s.member(ctx, brandID, link.MemberID)
		if err != nil {
			return Order{}, err
		}
		ai.ShareCode = candidate(m, "("+in.ShareCode+")")
	} else if in.ShareCode != "" {
		ai.ShareCode.Skip = "unknown share code " + in.ShareCode
	}
	var bind Binding
	if buyer.ID != "" {
		if err := s.Store.Lock(ctx, buyerKey(brandID, buyer.ID)); err != nil {
			return Order{}, err
		}
		if err := s.foldTouches(ctx, brandID, rules, buyer.ID, o.ID, in.PaidAt); err != nil {
			return Order{}, err
		}
		bind, err = s.Store.BindingAt(ctx, brandID, buyer.ID, in.PaidAt)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Order{}, err
		}
		if bind.ActiveAt(in.PaidAt) {
			m, err := s.member(ctx, brandID, bind.SharerID)
			if err != nil {
				return Order{}, err
			}
			ai.Binding = candidate(m, "to this sharer since "+formatTime(bind.BoundAt)+" ("+bind.Mode+")")
		}
		if liveID != "" {
			t, err := s.Store.LastTouch(ctx, brandID, buyer.ID, liveID, in.PaidAt)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return Order{}, err
			}
			if err == nil {
				m, err := s.member(ctx, brandID, t.InviterID)
				if err != nil {
					return Order{}, err
				}
				ai.LastTouch = candidate(m, "at "+formatTime(t.At))
			}
		}
	}
	att := Attribute(ai)
	if buyer.ID != "" && (att.Rule == RulePlatformSharer || att.Rule == RuleShareCode) {
		// (a) wins for this order; it binds the buyer only as the binding rules allow.
		if err := s.offerBinding(ctx, brandID, rules, buyer.ID, o.ID, att.MemberID, in.PaidAt); err != nil {
			return Order{}, err
		}
	}
	if err := s.setAttribution(ctx, &o, att, 1, "system", ""); err != nil {
		return Order{}, err
	}
	if err := s.accrue(ctx, o, plan, 1); err != nil {
		return Order{}, err
	}
	if err := s.applyParked(ctx, brandID, &o); err != nil {
		return Order{}, err
	}
	return s.Store.OrderByID(ctx, brandID, o.ID)
}

// candidate turns a looked-up member into an attribution candidate; banned members are passed
// over (a brand bans for abuse: no new commission).
func candidate(m Member, detail string) Candidate {
	c := Candidate{MemberID: m.ID, Detail: detail}
	if m.Status == StatusBanned {
		c.Skip = "the member is banned"
	}
	return c
}

func (s *Orders) member(ctx context.Context, brandID, id string) (Member, error) {
	m, err := s.Store.MemberByID(ctx, brandID, id)
	if errors.Is(err, ErrNotFound) {
		return Member{}, nil
	}
	return m, err
}

// findMember matches a door's identity to a member: the openid only when it is the
// mini-program's (open API), else the unionid. Zero Member when nobody matches.
func (s *Orders) findMember(ctx context.Context, brandID string, id Identity, openIDIsMiniProgram bool) (Member, error) {
	if openIDIsMiniProgram && id.OpenID != "" {
		m, err := s.Store.MemberByOpenID(ctx, brandID, id.OpenID)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return m, err
		}
	}
	if id.UnionID != "" {
		m, err := s.Store.MemberByUnionID(ctx, brandID, id.UnionID)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return m, err
		}
	}
	return Member{}, nil
}

// orderLive decides the order's live: the one the brand sent, else the share link's, else the
// live whose window holds the payment.
func (s *Orders) orderLive(ctx context.Context, brandID string, in PaidOrder, link ShareLinkRef) (string, error) {
	if in.LiveID != "" {
		ok, err := s.Store.LiveExists(ctx, brandID, in.LiveID)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", apperr.New(apperr.Rule, "LIVE_NOT_FOUND", "live_id names no live of this brand")
		}
		return in.LiveID, nil
	}
	if link.LiveID != "" {
		return link.LiveID, nil
	}
	id, err := s.Store.LiveAt(ctx, brandID, in.PaidAt, liveOrderGrace)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	return id, err
}

func (s *Orders) planAt(ctx context.Context, brandID string, t time.Time) (Plan, error) {
	p, err := s.Store.PlanAt(ctx, brandID, t)
	if errors.Is(err, ErrNotFound) {
		return DefaultPlan(), nil
	}
	return p, err
}

func (s *Orders) planByVersion(ctx context.Context, brandID string, v int) (Plan, error) {
	if v == 0 {
		return DefaultPlan(), nil
	}
	return s.Store.PlanByVersion(ctx, brandID, v)
}

func (s *Orders) bindingRules(ctx context.Context, brandID string) (BindingRules, error) {
	r, err := s.Store.BindingRules(ctx, brandID)
	if errors.Is(err, ErrNotFound) {
		return DefaultBindingRules(), nil
	}
	return r, err
}

// setAttribution stores an attribution version on the order and in its history, and emits
// order.attributed.
func (s *Orders) setAttribution(ctx context.Context, o *Order, a Attribution, version int, actorType, actorID string) error {
	if len(a.Reason) > 500 {
		a.Reason = a.Reason[:500]
	}
	if err := s.Store.UpdateOrder(ctx, o.BrandID, o.ID, OrderPatch{Attribution: &a, AttributionVersion: version}); err != nil {
		return err
	}
	if err := s.Store.AddOrderAttribution(ctx, AttributionRecord{BrandID: o.BrandID, OrderID: o.ID, Version: version,
		Attribution: a, ActorType: actorType, ActorID: actorID, CreatedAt: s.Clock.Now()}); err != nil {
		return err
	}
	o.Attribution, o.AttributionVersion = a, version
	var member any
	if a.MemberID != "" {
		member = a.MemberID
	}
	return s.Events.Emit(ctx, o.BrandID, events.OrderAttributed, map[string]any{
		"order_id": o.ID, "external_id": o.ExternalID, "source": o.Source, "member_id": member,
		"rule": a.Rule, "reason": a.Reason, "version": version, "live_id": o.LiveID, "total_paid_fen": o.TotalPaidFen,
	})
}

// accrue computes the commissions of an order's attribution version and hands them to the
// book. Lines refunded before (a reassignment) get their refunded share reversed at once, so
// later refunds keep the floor(c × refund / paid) rule.
func (s *Orders) accrue(ctx context.Context, o Order, plan Plan, version int) error {
	if o.Attribution.MemberID == "" {
		return nil
	}
	sharer, err := s.member(ctx, o.BrandID, o.Attribution.MemberID)
	if err != nil || sharer.ID == "" {
		return err
	}
	recruiter := ""
	if sharer.RecruiterID != "" {
		r, err := s.member(ctx, o.BrandID, sharer.RecruiterID)
		if err != nil {
			return err
		}
		if r.ID != "" && r.Status != StatusBanned {
			recruiter = r.ID
		}
	}
	who := CommissionParties{BuyerID: o.BuyerMemberID, Tier1ID: sharer.ID, RecruiterID: recruiter}
	var cs []payouts.NewCommission
	refundedBefore := map[string]int64{}
	for _, l := range o.Lines {
		if l.RefundedFen >= l.PaidFen {
			continue
		}
		sp := plan.Split(CommissionLine{ProductID: l.ProductID, SKUID: l.SKUID, ProductType: l.ProductType,
			Quantity: l.Quantity, PaidFen: l.PaidFen}, who)
		for _, t := range []struct {
			tier int
			id   string
			fen  int64
		}{{1, who.Tier1ID, sp.Tier1Fen}, {2, who.RecruiterID, sp.Tier2Fen}} {
			if t.fen <= 0 {
				continue
			}
			cs = append(cs, payouts.NewCommission{OrderID: o.ID, OrderLineID: l.ID, LiveID: o.LiveID, BeneficiaryID: t.id,
				Tier: t.tier, AttributionVersion: version, PlanVersion: plan.Version, ProductType: l.ProductType,
				AmountFen: t.fen, DueAt: o.HoldEndsAt})
		}
		refundedBefore[l.ID] = l.RefundedFen
	}
	rows, err := s.Book.Accrue(ctx, o.BrandID, o.ID, version, cs)
	if err != nil {
		return err
	}
	var reqs []payouts.ReverseRequest
	for _, c := range rows {
		l, ok := o.lineByRow(c.OrderLineID)
		if !ok || refundedBefore[c.OrderLineID] == 0 {
			continue
		}
		amt := ReversalFen(c.AmountFen, 0, l.RefundedFen, l.PaidFen, 0)
		reqs = append(reqs, payouts.ReverseRequest{CommissionID: c.ID, Cause: fmt.Sprintf("refunded-before:v%d", version), AmountFen: amt})
	}
	if len(reqs) > 0 {
		_, err = s.Book.Reverse(ctx, o.BrandID, reqs)
	}
	return err
}

func (o Order) lineByRow(rowID string) (OrderLine, bool) {
	for _, l := range o.Lines {
		if l.ID == rowID {
			return l, true
		}
	}
	return OrderLine{}, false
}

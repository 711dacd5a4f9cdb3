package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/binding"
	"github.com/sharecast/sharecast/ent/bindingchange"
	"github.com/sharecast/sharecast/ent/bindingruleset"
	"github.com/sharecast/sharecast/ent/commissionplan"
	"github.com/sharecast/sharecast/ent/live"
	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/ent/order"
	"github.com/sharecast/sharecast/ent/sharelink"
	"github.com/sharecast/sharecast/ent/touch"
	"github.com/sharecast/sharecast/referral"
)

// MemberByUnionID reads a brand's member by unionid (the oldest when several share one).
func (o *Orders) MemberByUnionID(ctx context.Context, brandID, unionID string) (referral.Member, error) {
	r, err := o.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.Unionid(unionID)).
		Order(ent.Asc(member.FieldID)).First(ctx)
	if err != nil {
		return referral.Member{}, referralErr(err)
	}
	return toMember(r), nil
}

// ShareLinkByCode reads what a share code names.
func (o *Orders) ShareLinkByCode(ctx context.Context, code string) (referral.ShareLinkRef, error) {
	r, err := o.ent(ctx).ShareLink.Query().Where(sharelink.Code(code)).Only(ctx)
	if err != nil {
		return referral.ShareLinkRef{}, referralErr(err)
	}
	return referral.ShareLinkRef{BrandID: r.BrandID, MemberID: r.MemberID, LiveID: r.LiveID}, nil
}

func toTouch(r *ent.Touch) referral.TouchRef {
	return referral.TouchRef{ID: r.ID, LiveID: r.LiveID, InviterID: r.InviterID, VisitorID: r.VisitorID, At: r.CreatedAt}
}

// TouchesAfter lists a visitor's touches in (after, through], oldest first.
func (o *Orders) TouchesAfter(ctx context.Context, brandID, visitorID string, after *time.Time, through time.Time, limit int) ([]referral.TouchRef, error) {
	q := o.ent(ctx).Touch.Query().Where(touch.BrandID(brandID), touch.VisitorID(visitorID), touch.CreatedAtLTE(utc(through)))
	if after != nil {
		q = q.Where(touch.CreatedAtGT(utc(*after)))
	}
	rows, err := q.Order(ent.Asc(touch.FieldCreatedAt), ent.Asc(touch.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]referral.TouchRef, len(rows))
	for i, r := range rows {
		out[i] = toTouch(r)
	}
	return out, nil
}

// LastTouch reads the visitor's newest touch on a live by someone else, at or before `before`.
func (o *Orders) LastTouch(ctx context.Context, brandID, visitorID, liveID string, before time.Time) (referral.TouchRef, error) {
	r, err := o.ent(ctx).Touch.Query().Where(touch.BrandID(brandID), touch.VisitorID(visitorID), touch.LiveID(liveID),
		touch.CreatedAtLTE(utc(before)), touch.InviterIDNEQ(visitorID)).
		Order(ent.Desc(touch.FieldCreatedAt), ent.Desc(touch.FieldID)).First(ctx)
	if err != nil {
		return referral.TouchRef{}, referralErr(err)
	}
	return toTouch(r), nil
}

// LiveExists reports whether a live belongs to the brand.
func (o *Orders) LiveExists(ctx context.Context, brandID, liveID string) (bool, error) {
	return o.ent(ctx).Live.Query().Where(live.BrandID(brandID), live.ID(liveID)).Exist(ctx)
}

// LiveAt finds the live running at t (ended lives count until end + grace), latest start first.
func (o *Orders) LiveAt(ctx context.Context, brandID string, t time.Time, grace time.Duration) (string, error) {
	r, err := o.ent(ctx).Live.Query().Where(live.BrandID(brandID), live.ActualStartAtLTE(utc(t)),
		live.Or(live.EndedAtIsNil(), live.EndedAtGTE(utc(t.Add(-grace))))).
		Order(ent.Desc(live.FieldActualStartAt)).First(ctx)
	if err != nil {
		return "", referralErr(err)
	}
	return r.ID, nil
}

func toBinding(r *ent.Binding) referral.Binding {
	b := referral.Binding{BuyerID: r.BuyerID, SharerID: r.SharerID, Mode: r.Mode, ExpiresAt: r.ExpiresAt,
		ProtectedUntil: r.ProtectedUntil, TouchesThrough: r.TouchesThrough}
	if r.BoundAt != nil {
		b.BoundAt = *r.BoundAt
	}
	return b
}

// BindingOf reads a buyer's current binding.
func (o *Orders) BindingOf(ctx context.Context, brandID, buyerID string) (referral.Binding, error) {
	r, err := o.ent(ctx).Binding.Query().Where(binding.BrandID(brandID), binding.BuyerID(buyerID)).Only(ctx)
	if err != nil {
		return referral.Binding{}, referralErr(err)
	}
	return toBinding(r), nil
}

// SaveBinding writes a buyer's current binding (the buyer's lock is held by the caller).
func (o *Orders) SaveBinding(ctx context.Context, brandID string, b referral.Binding) error {
	c := o.ent(ctx)
	var bound *time.Time
	if b.SharerID != "" {
		bound = utcp(&b.BoundAt)
	}
	b.ExpiresAt, b.ProtectedUntil, b.TouchesThrough = utcp(b.ExpiresAt), utcp(b.ProtectedUntil), utcp(b.TouchesThrough)
	n, err := c.Binding.Update().Where(binding.BrandID(brandID), binding.BuyerID(b.BuyerID)).SetSharerID(b.SharerID).
		SetMode(b.Mode).SetNillableBoundAt(bound).SetNillableExpiresAt(b.ExpiresAt).SetNillableProtectedUntil(b.ProtectedUntil).
		SetNillableTouchesThrough(b.TouchesThrough).Save(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, err = c.Binding.Create().SetBrandID(brandID).SetBuyerID(b.BuyerID).SetSharerID(b.SharerID).SetMode(b.Mode).
		SetNillableBoundAt(bound).SetNillableExpiresAt(b.ExpiresAt).SetNillableProtectedUntil(b.ProtectedUntil).
		SetNillableTouchesThrough(b.TouchesThrough).Save(ctx)
	return referralErr(err)
}

// AddBindingChange appends an audit row of a binding change.
func (o *Orders) AddBindingChange(ctx context.Context, brandID string, ch referral.BindingChange) error {
	_, err := o.ent(ctx).BindingChange.Create().SetBrandID(brandID).SetBuyerID(ch.BuyerID).SetFromSharerID(ch.FromSharerID).
		SetToSharerID(ch.ToSharerID).SetMode(ch.Mode).SetCause(bindingchange.Cause(ch.Cause)).SetRef(ch.Ref).
		SetReason(truncate(ch.Reason, 256)).SetAt(ch.At.UTC()).SetNillableExpiresAt(utcp(ch.ExpiresAt)).
		SetNillableProtectedUntil(utcp(ch.ProtectedUntil)).SetCreatedAt(time.Now().UTC()).Save(ctx)
	return referralErr(err)
}

// BindingAt rebuilds a buyer's binding at t from the newest change at or before t.
func (o *Orders) BindingAt(ctx context.Context, brandID, buyerID string, t time.Time) (referral.Binding, error) {
	r, err := o.ent(ctx).BindingChange.Query().Where(bindingchange.BrandID(brandID), bindingchange.BuyerID(buyerID),
		bindingchange.AtLTE(utc(t))).Order(ent.Desc(bindingchange.FieldAt), ent.Desc(bindingchange.FieldID)).First(ctx)
	if err != nil {
		return referral.Binding{}, referralErr(err)
	}
	if r.ToSharerID == "" {
		return referral.Binding{}, referral.ErrNotFound
	}
	return referral.Binding{BuyerID: buyerID, SharerID: r.ToSharerID, Mode: r.Mode, BoundAt: r.At, ExpiresAt: r.ExpiresAt,
		ProtectedUntil: r.ProtectedUntil}, nil
}

// FirstPaidAt is the buyer's earliest paid order but one.
func (o *Orders) FirstPaidAt(ctx context.Context, brandID, buyerID, excludeOrderID string) (*time.Time, error) {
	r, err := o.ent(ctx).Order.Query().Where(order.BrandID(brandID), order.BuyerMemberID(buyerID), order.IDNEQ(excludeOrderID)).
		Order(ent.Asc(order.FieldPaidAt)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t := r.PaidAt
	return &t, nil
}

// BindingRules reads the brand's binding rules (ErrNotFound: the defaults apply).
func (o *Orders) BindingRules(ctx context.Context, brandID string) (referral.BindingRules, error) {
	r, err := o.ent(ctx).BindingRuleSet.Query().Where(bindingruleset.BrandID(brandID)).Only(ctx)
	if err != nil {
		return referral.BindingRules{}, referralErr(err)
	}
	return referral.BindingRules{Mode: string(r.Mode), WindowDays: r.WindowDays, ProtectionDays: r.ProtectionDays,
		NewBuyersOnly: r.NewBuyersOnly}, nil
}

// SaveBindingRules writes the brand's binding rules.
func (o *Orders) SaveBindingRules(ctx context.Context, brandID string, r referral.BindingRules) error {
	c := o.ent(ctx)
	n, err := c.BindingRuleSet.Update().Where(bindingruleset.BrandID(brandID)).SetMode(bindingruleset.Mode(r.Mode)).
		SetWindowDays(r.WindowDays).SetProtectionDays(r.ProtectionDays).SetNewBuyersOnly(r.NewBuyersOnly).Save(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, err = c.BindingRuleSet.Create().SetBrandID(brandID).SetMode(bindingruleset.Mode(r.Mode)).SetWindowDays(r.WindowDays).
		SetProtectionDays(r.ProtectionDays).SetNewBuyersOnly(r.NewBuyersOnly).Save(ctx)
	return referralErr(err)
}

func toPlan(r *ent.CommissionPlan) (referral.Plan, error) {
	var p referral.Plan
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		return referral.Plan{}, fmt.Errorf("store: commission plan %s: %w", r.ID, err)
	}
	p = p.Normalize()
	p.Version, p.EffectiveFrom = r.Version, r.EffectiveFrom
	return p, nil
}

// PlanAt reads the plan in force at t.
func (o *Orders) PlanAt(ctx context.Context, brandID string, t time.Time) (referral.Plan, error) {
	r, err := o.ent(ctx).CommissionPlan.Query().Where(commissionplan.BrandID(brandID), commissionplan.EffectiveFromLTE(utc(t))).
		Order(ent.Desc(commissionplan.FieldEffectiveFrom), ent.Desc(commissionplan.FieldVersion)).First(ctx)
	if err != nil {
		return referral.Plan{}, referralErr(err)
	}
	return toPlan(r)
}

// PlanByVersion reads one plan version.
func (o *Orders) PlanByVersion(ctx context.Context, brandID string, version int) (referral.Plan, error) {
	r, err := o.ent(ctx).CommissionPlan.Query().Where(commissionplan.BrandID(brandID), commissionplan.Version(version)).Only(ctx)
	if err != nil {
		return referral.Plan{}, referralErr(err)
	}
	return toPlan(r)
}

// LatestPlan reads the newest plan version.
func (o *Orders) LatestPlan(ctx context.Context, brandID string) (referral.Plan, error) {
	r, err := o.ent(ctx).CommissionPlan.Query().Where(commissionplan.BrandID(brandID)).
		Order(ent.Desc(commissionplan.FieldVersion)).First(ctx)
	if err != nil {
		return referral.Plan{}, referralErr(err)
	}
	return toPlan(r)
}

// CreatePlan stores the next plan version (ErrDuplicate when a concurrent one took the number).
func (o *Orders) CreatePlan(ctx context.Context, brandID string, p referral.Plan, createdBy string) (referral.Plan, error) {
	c := o.ent(ctx)
	next := 1
	if last, err := c.CommissionPlan.Query().Where(commissionplan.BrandID(brandID)).Order(ent.Desc(commissionplan.FieldVersion)).First(ctx); err == nil {
		next = last.Version + 1
	} else if !ent.IsNotFound(err) {
		return referral.Plan{}, err
	}
	p.Version = next
	body, err := json.Marshal(p)
	if err != nil {
		return referral.Plan{}, err
	}
	r, err := c.CommissionPlan.Create().SetBrandID(brandID).SetVersion(next).SetBody(string(body)).
		SetEffectiveFrom(p.EffectiveFrom.UTC()).SetCreatedBy(createdBy).SetCreatedAt(time.Now().UTC()).Save(ctx)
	if err != nil {
		return referral.Plan{}, referralErr(err)
	}
	return toPlan(r)
}

// ListMembers pages a brand's members, newest first.
func (o *Orders) ListMembers(ctx context.Context, brandID, status string, p referral.Page) ([]referral.Member, string, error) {
	limit := clampLimit(p.Limit)
	q := o.ent(ctx).Member.Query().Where(member.BrandID(brandID))
	if status != "" {
		q = q.Where(member.StatusEQ(member.Status(status)))
	}
	if p.Cursor != "" {
		q = q.Where(member.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(member.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]referral.Member, len(rows))
	for i, r := range rows {
		out[i] = toMember(r)
	}
	return out, next, nil
}

// SetMemberStatus moves a member from → to, guarded.
func (o *Orders) SetMemberStatus(ctx context.Context, brandID, id, from, to string) (bool, error) {
	n, err := o.ent(ctx).Member.Update().Where(member.BrandID(brandID), member.ID(id), member.StatusEQ(member.Status(from))).
		SetStatus(member.Status(to)).Save(ctx)
	return n == 1, err
}

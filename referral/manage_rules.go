package referral

import (
	"context"
	"errors"

	"github.com/sharecast/sharecast/brands"
)

// CommissionPlan is the brand's plan in force (version 0, the default, before any).
func (s *Orders) CommissionPlan(ctx context.Context, brandID string) (Plan, error) {
	p, err := s.Store.LatestPlan(ctx, brandID)
	if errors.Is(err, ErrNotFound) {
		return DefaultPlan(), nil
	}
	return p, err
}

// SetCommissionPlan stores p as the next plan version, in force from now: orders paid before
// keep the version they were paid under. Audited.
func (s *Orders) SetCommissionPlan(ctx context.Context, actor brands.Actor, brandID string, p Plan) (Plan, error) {
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		return Plan{}, err
	}
	p.EffectiveFrom = s.Clock.Now()
	var out Plan
	err := s.retry(ctx, func(ctx context.Context) error {
		var err error
		if out, err = s.Store.CreatePlan(ctx, brandID, p, actor.ID); err != nil {
			return err
		}
		return s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: "commission_plan.update", TargetType: "commission_plan", TargetID: brandID, RequestID: actor.RequestID,
			CreatedAt: p.EffectiveFrom, Detail: map[string]any{"version": out.Version}})
	})
	return out, err
}

// BindingRules are the brand's binding rules (the defaults before it sets any).
func (s *Orders) BindingRules(ctx context.Context, brandID string) (BindingRules, error) {
	return s.bindingRules(ctx, brandID)
}

// SetBindingRules replaces the brand's binding rules; existing bindings keep their end and
// protection dates, new offers follow the new rules. Audited.
func (s *Orders) SetBindingRules(ctx context.Context, actor brands.Actor, brandID string, r BindingRules) (BindingRules, error) {
	if err := r.Validate(); err != nil {
		return BindingRules{}, err
	}
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.SaveBindingRules(ctx, brandID, r); err != nil {
			return err
		}
		return s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
			Action: "binding_rules.update", TargetType: "binding_rules", TargetID: brandID, RequestID: actor.RequestID,
			CreatedAt: s.Clock.Now(), Detail: map[string]any{"mode": r.Mode, "window_days": r.WindowDays,
				"protection_days": r.ProtectionDays, "new_buyers_only": r.NewBuyersOnly}})
	})
	return r, err
}

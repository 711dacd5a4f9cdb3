package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

type rateDTO struct {
	BPS             int64 `json:"bps"`
	FixedFenPerUnit int64 `json:"fixed_fen_per_unit"`
}

type skuOverrideDTO struct {
	Tier1 rateDTO  `json:"tier1"`
	Tier2 *rateDTO `json:"tier2"`
}

type planBody struct {
	Types              map[string]rateDTO        `json:"types"`
	SKUs               map[string]skuOverrideDTO `json:"skus"`
	Tier2              rateDTO                   `json:"tier2"`
	LineCapBPS         int64                     `json:"line_cap_bps"`
	SelfPurchase       bool                      `json:"self_purchase"`
	Products           map[string]string         `json:"products"`
	DefaultProductType string                    `json:"default_product_type"`
}

type planDTO struct {
	Version       int     `json:"version"`
	EffectiveFrom *string `json:"effective_from"`
	planBody
}

func toPlanDTO(p referral.Plan) planDTO {
	p = p.Normalize()
	d := planDTO{Version: p.Version, planBody: planBody{Types: map[string]rateDTO{}, SKUs: map[string]skuOverrideDTO{},
		Tier2: rateDTO(p.Tier2), LineCapBPS: p.LineCapBPS, SelfPurchase: p.SelfPurchase, Products: p.Products,
		DefaultProductType: p.DefaultProductType}}
	if !p.EffectiveFrom.IsZero() {
		d.EffectiveFrom = optTime(&p.EffectiveFrom)
	}
	for t, r := range p.Types {
		d.Types[t] = rateDTO(r)
	}
	for id, o := range p.SKUs {
		so := skuOverrideDTO{Tier1: rateDTO(o.Tier1)}
		if o.Tier2 != nil {
			r := rateDTO(*o.Tier2)
			so.Tier2 = &r
		}
		d.SKUs[id] = so
	}
	return d
}

func (b planBody) plan() referral.Plan {
	p := referral.Plan{Types: map[string]referral.Rate{}, SKUs: map[string]referral.SKUOverride{}, Tier2: referral.Rate(b.Tier2),
		LineCapBPS: b.LineCapBPS, SelfPurchase: b.SelfPurchase, Products: b.Products, DefaultProductType: b.DefaultProductType}
	for t, r := range b.Types {
		p.Types[t] = referral.Rate(r)
	}
	for id, o := range b.SKUs {
		so := referral.SKUOverride{Tier1: referral.Rate(o.Tier1)}
		if o.Tier2 != nil {
			r := referral.Rate(*o.Tier2)
			so.Tier2 = &r
		}
		p.SKUs[id] = so
	}
	return p
}

func (s *Server) getCommissionPlan(c *gin.Context) {
	p, err := s.d.Orders.CommissionPlan(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"plan": toPlanDTO(p)})
}

func (s *Server) putCommissionPlan(c *gin.Context) {
	var req planBody
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	p, err := s.d.Orders.SetCommissionPlan(c.Request.Context(), actor(c), principal(c).BrandID, req.plan())
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"plan": toPlanDTO(p)})
}

type bindingRulesDTO struct {
	Mode           string `json:"mode"`
	WindowDays     int    `json:"window_days"`
	ProtectionDays int    `json:"protection_days"`
	NewBuyersOnly  bool   `json:"new_buyers_only"`
}

func (s *Server) getBindingRules(c *gin.Context) {
	r, err := s.d.Orders.BindingRules(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"binding_rules": bindingRulesDTO(r)})
}

func (s *Server) putBindingRules(c *gin.Context) {
	var req bindingRulesDTO
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	r, err := s.d.Orders.SetBindingRules(c.Request.Context(), actor(c), principal(c).BrandID, referral.BindingRules(req))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"binding_rules": bindingRulesDTO(r)})
}

package referral

import (
	"fmt"
	"sort"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// Rate is one commission rate: basis points of what the buyer paid for the line, or a fixed
// number of fen per unit. At most one is set; the zero Rate pays nothing.
type Rate struct {
	BPS             int64 `json:"bps,omitempty"`
	FixedFenPerUnit int64 `json:"fixed_fen_per_unit,omitempty"`
}

// SKUOverride replaces the product type's rates for one SKU.
type SKUOverride struct {
	Tier1 Rate  `json:"tier1"`
	Tier2 *Rate `json:"tier2,omitempty"` // nil: the plan's tier-2 rate
}

// Plan is one version of a brand's commission plan (DESIGN §3.5).
type Plan struct {
	Version       int       `json:"version"`
	EffectiveFrom time.Time `json:"effective_from"`
	// Types holds the tier-1 rate per product type.
	Types map[string]Rate `json:"types"`
	// SKUs holds per-SKU overrides, by sku_id.
	SKUs map[string]SKUOverride `json:"skus"`
	// Tier2 is the rate for the sharer's recruiter. There is never a tier 3.
	Tier2 Rate `json:"tier2"`
	// LineCapBPS caps tier 1 + tier 2 of a line at this share of its paid_fen; tier 2 is trimmed first.
	LineCapBPS int64 `json:"line_cap_bps"`
	// SelfPurchase pays commission when the beneficiary is the buyer (off by default).
	SelfPurchase bool `json:"self_purchase"`
	// Products maps product ids to their type, for doors that do not send one (Channels).
	Products map[string]string `json:"products"`
	// DefaultProductType is the type of a product neither the door nor Products names.
	DefaultProductType string `json:"default_product_type"`
}

// ProductTypes lists every product type.
var ProductTypes = []string{ProductFlashSale, ProductClassic, ProductProfit, ProductExclusive}

// ValidProductType reports whether t is a product type.
func ValidProductType(t string) bool {
	for _, p := range ProductTypes {
		if p == t {
			return true
		}
	}
	return false
}

// Limits on a plan, so a typo cannot pay out more than a line is worth or store megabytes.
const (
	maxFixedFenPerUnit = 10_000_000
	maxPlanSKUs        = 2000
	maxPlanProducts    = 5000
	maxIDBytes         = 64
	defaultLineCapBPS  = 3000
)

// DefaultPlan is a brand's plan before it sets one (version 0): no commission, a 30% line cap,
// self-purchase off.
func DefaultPlan() Plan {
	return Plan{Types: map[string]Rate{}, SKUs: map[string]SKUOverride{}, LineCapBPS: defaultLineCapBPS,
		Products: map[string]string{}, DefaultProductType: ProductClassic}
}

func (r Rate) validate(what string) error {
	switch {
	case r.BPS != 0 && r.FixedFenPerUnit != 0:
		return fmt.Errorf("%s: set bps or fixed_fen_per_unit, not both", what)
	case r.BPS < 0 || r.BPS > 10_000:
		return fmt.Errorf("%s: bps must be 0 to 10000", what)
	case r.FixedFenPerUnit < 0 || r.FixedFenPerUnit > maxFixedFenPerUnit:
		return fmt.Errorf("%s: fixed_fen_per_unit must be 0 to %d", what, maxFixedFenPerUnit)
	}
	return nil
}

// Normalize fills empty maps and defaults.
func (p Plan) Normalize() Plan {
	if p.Types == nil {
		p.Types = map[string]Rate{}
	}
	if p.SKUs == nil {
		p.SKUs = map[string]SKUOverride{}
	}
	if p.Products == nil {
		p.Products = map[string]string{}
	}
	if p.DefaultProductType == "" {
		p.DefaultProductType = ProductClassic
	}
	return p
}

// Validate refuses a plan that breaks the rules.
func (p Plan) Validate() error {
	bad := func(err error) error { return apperr.New(apperr.Invalid, "INVALID_COMMISSION_PLAN", err.Error()) }
	for t, r := range p.Types {
		if !ValidProductType(t) {
			return bad(fmt.Errorf("types: %q is not a product type", t))
		}
		if err := r.validate("types." + t); err != nil {
			return bad(err)
		}
	}
	if len(p.SKUs) > maxPlanSKUs {
		return bad(fmt.Errorf("at most %d SKU overrides", maxPlanSKUs))
	}
	for id, o := range p.SKUs {
		if id == "" || len(id) > maxIDBytes {
			return bad(fmt.Errorf("sku ids must be 1-%d bytes", maxIDBytes))
		}
		if err := o.Tier1.validate("skus." + id + ".tier1"); err != nil {
			return bad(err)
		}
		if o.Tier2 != nil {
			if err := o.Tier2.validate("skus." + id + ".tier2"); err != nil {
				return bad(err)
			}
		}
	}
	if err := p.Tier2.validate("tier2"); err != nil {
		return bad(err)
	}
	if p.LineCapBPS < 1 || p.LineCapBPS > 10_000 {
		return bad(fmt.Errorf("line_cap_bps must be 1 to 10000"))
	}
	if len(p.Products) > maxPlanProducts {
		return bad(fmt.Errorf("at most %d products", maxPlanProducts))
	}
	for id, t := range p.Products {
		if id == "" || len(id) > maxIDBytes || !ValidProductType(t) {
			return bad(fmt.Errorf("products: %q → %q is not a product id and type", id, t))
		}
	}
	if !ValidProductType(p.DefaultProductType) {
		return bad(fmt.Errorf("default_product_type must be a product type"))
	}
	return nil
}

// TypeOf decides a line's product type: the door's, else the plan's product map, else the
// plan's default.
func (p Plan) TypeOf(productID, given string) string {
	if ValidProductType(given) {
		return given
	}
	if t, ok := p.Products[productID]; ok {
		return t
	}
	if ValidProductType(p.DefaultProductType) {
		return p.DefaultProductType
	}
	return ProductClassic
}

// SKUIDs lists the override keys in order (stable JSON and tests).
func (p Plan) SKUIDs() []string {
	ids := make([]string, 0, len(p.SKUs))
	for id := range p.SKUs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

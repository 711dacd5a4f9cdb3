package brands

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// Rules are a brand's rule settings. Decoded from JSON, a rule that is absent gets its
// default (a brand stored with {} gets the documented behaviour) and a rule that is present
// keeps its value, 0 included: auto_approve_below_fen 0 means "review every payout",
// second_approval_above_fen 0 "every payout needs two approvals", hold_days 0 "available at
// once". Changes go through RulesPatch, which merges into the stored rules.
type Rules struct {
	// Commission life (DESIGN §3.5).
	HoldDays        int `json:"hold_days"`
	AutoConfirmDays int `json:"auto_confirm_days"`
	// Payouts (DESIGN §3.6). Amounts in fen.
	PayoutMinFen           int64 `json:"payout_min_fen"`
	PayoutMaxFen           int64 `json:"payout_max_fen"`
	PayoutDailyMaxFen      int64 `json:"payout_daily_max_fen"`
	AutoApproveBelowFen    int64 `json:"auto_approve_below_fen"`
	SecondApprovalAboveFen int64 `json:"second_approval_above_fen"`
	// Reservation risk (DESIGN §3.2).
	RiskInviterBurstCount   int `json:"risk_inviter_burst_count"`
	RiskInviterBurstSeconds int `json:"risk_inviter_burst_seconds"`
	RiskNewMemberMinutes    int `json:"risk_new_member_minutes"`
	RiskIPViewers           int `json:"risk_ip_viewers"`
	RiskIPWindowMinutes     int `json:"risk_ip_window_minutes"`
	// Live operations (DESIGN §0): the shortfall second round runs this long before the start.
	ShortfallLeadMinutes int `json:"shortfall_lead_minutes"`
}

// MaxShortfallLeadMinutes bounds how early the shortfall round may run (4 h).
const MaxShortfallLeadMinutes = 240

// DefaultRules are what a new brand gets.
func DefaultRules() Rules {
	return Rules{
		HoldDays: 7, AutoConfirmDays: 15,
		PayoutMinFen: 100, PayoutMaxFen: 20_000, PayoutDailyMaxFen: 50_000,
		AutoApproveBelowFen: 5_000, SecondApprovalAboveFen: 20_000,
		RiskInviterBurstCount: 30, RiskInviterBurstSeconds: 60, RiskNewMemberMinutes: 10,
		RiskIPViewers: 20, RiskIPWindowMinutes: 10,
		ShortfallLeadMinutes: 30,
	}
}

// UnmarshalJSON decodes onto the defaults, so absent rules get their default and present
// ones (0 too) are kept.
func (r *Rules) UnmarshalJSON(b []byte) error {
	type plain Rules // without this method
	v := plain(DefaultRules())
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Rules(v)
	return nil
}

// Normalize fills zero fields that may not be zero (Validate refuses them) with defaults. It
// leaves hold_days, auto_approve_below_fen and second_approval_above_fen alone: their 0 is a
// setting, not a missing value.
func (r Rules) Normalize() Rules {
	d := DefaultRules()
	fillInt := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	fill64 := func(v *int64, def int64) {
		if *v == 0 {
			*v = def
		}
	}
	fillInt(&r.AutoConfirmDays, d.AutoConfirmDays)
	fill64(&r.PayoutMinFen, d.PayoutMinFen)
	fill64(&r.PayoutMaxFen, d.PayoutMaxFen)
	fill64(&r.PayoutDailyMaxFen, d.PayoutDailyMaxFen)
	fillInt(&r.RiskInviterBurstCount, d.RiskInviterBurstCount)
	fillInt(&r.RiskInviterBurstSeconds, d.RiskInviterBurstSeconds)
	fillInt(&r.RiskNewMemberMinutes, d.RiskNewMemberMinutes)
	fillInt(&r.RiskIPViewers, d.RiskIPViewers)
	fillInt(&r.RiskIPWindowMinutes, d.RiskIPWindowMinutes)
	fillInt(&r.ShortfallLeadMinutes, d.ShortfallLeadMinutes)
	return r
}

// Validate refuses rules that would break the money rules.
func (r Rules) Validate() error {
	bad := func(f string, a ...any) error {
		return apperr.New(apperr.Invalid, "INVALID_RULES", fmt.Sprintf(f, a...))
	}
	switch {
	case r.HoldDays < 0 || r.HoldDays > 90:
		return bad("hold_days must be 0 to 90")
	case r.AutoConfirmDays < 1 || r.AutoConfirmDays > 60:
		return bad("auto_confirm_days must be 1 to 60")
	case r.PayoutMinFen < 10:
		return bad("payout_min_fen must be at least 10 (WeChat's minimum transfer)")
	case r.PayoutMaxFen < r.PayoutMinFen:
		return bad("payout_max_fen must be at least payout_min_fen")
	case r.PayoutMaxFen >= 200_000:
		// Transfers of 2,000 yuan or more need the member's real name on every request; the
		// brand maximum stays below that and larger payouts are a per-member exception.
		return bad("payout_max_fen must be below 200000 (2,000 yuan)")
	case r.PayoutDailyMaxFen < r.PayoutMaxFen:
		return bad("payout_daily_max_fen must be at least payout_max_fen")
	case r.AutoApproveBelowFen < 0 || r.SecondApprovalAboveFen < r.AutoApproveBelowFen:
		return bad("auto_approve_below_fen must be ≥ 0 and ≤ second_approval_above_fen")
	case r.RiskInviterBurstCount < 1 || r.RiskInviterBurstSeconds < 1 || r.RiskNewMemberMinutes < 1 ||
		r.RiskIPViewers < 1 || r.RiskIPWindowMinutes < 1:
		return bad("risk thresholds must be positive")
	case r.ShortfallLeadMinutes < 5 || r.ShortfallLeadMinutes > MaxShortfallLeadMinutes:
		return bad("shortfall_lead_minutes must be 5 to %d", MaxShortfallLeadMinutes)
	}
	return nil
}

// RulesPatch is a change of rules (PATCH /admin/v1/settings `rules`): nil fields keep their
// stored value, set ones (0 included) replace it.
type RulesPatch struct {
	HoldDays                *int   `json:"hold_days"`
	AutoConfirmDays         *int   `json:"auto_confirm_days"`
	PayoutMinFen            *int64 `json:"payout_min_fen"`
	PayoutMaxFen            *int64 `json:"payout_max_fen"`
	PayoutDailyMaxFen       *int64 `json:"payout_daily_max_fen"`
	AutoApproveBelowFen     *int64 `json:"auto_approve_below_fen"`
	SecondApprovalAboveFen  *int64 `json:"second_approval_above_fen"`
	RiskInviterBurstCount   *int   `json:"risk_inviter_burst_count"`
	RiskInviterBurstSeconds *int   `json:"risk_inviter_burst_seconds"`
	RiskNewMemberMinutes    *int   `json:"risk_new_member_minutes"`
	RiskIPViewers           *int   `json:"risk_ip_viewers"`
	RiskIPWindowMinutes     *int   `json:"risk_ip_window_minutes"`
	ShortfallLeadMinutes    *int   `json:"shortfall_lead_minutes"`
}

// PatchOf is the patch that sets every rule to r's value.
func PatchOf(r Rules) RulesPatch {
	return RulesPatch{HoldDays: &r.HoldDays, AutoConfirmDays: &r.AutoConfirmDays, PayoutMinFen: &r.PayoutMinFen,
		PayoutMaxFen: &r.PayoutMaxFen, PayoutDailyMaxFen: &r.PayoutDailyMaxFen, AutoApproveBelowFen: &r.AutoApproveBelowFen,
		SecondApprovalAboveFen: &r.SecondApprovalAboveFen, RiskInviterBurstCount: &r.RiskInviterBurstCount,
		RiskInviterBurstSeconds: &r.RiskInviterBurstSeconds, RiskNewMemberMinutes: &r.RiskNewMemberMinutes,
		RiskIPViewers: &r.RiskIPViewers, RiskIPWindowMinutes: &r.RiskIPWindowMinutes, ShortfallLeadMinutes: &r.ShortfallLeadMinutes}
}

// setRule sets *dst to *v when the patch sets v.
func setRule[T int | int64](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// With answers r with the patch's set fields applied.
func (r Rules) With(p RulesPatch) Rules {
	setRule(&r.HoldDays, p.HoldDays)
	setRule(&r.AutoConfirmDays, p.AutoConfirmDays)
	setRule(&r.PayoutMinFen, p.PayoutMinFen)
	setRule(&r.PayoutMaxFen, p.PayoutMaxFen)
	setRule(&r.PayoutDailyMaxFen, p.PayoutDailyMaxFen)
	setRule(&r.AutoApproveBelowFen, p.AutoApproveBelowFen)
	setRule(&r.SecondApprovalAboveFen, p.SecondApprovalAboveFen)
	setRule(&r.RiskInviterBurstCount, p.RiskInviterBurstCount)
	setRule(&r.RiskInviterBurstSeconds, p.RiskInviterBurstSeconds)
	setRule(&r.RiskNewMemberMinutes, p.RiskNewMemberMinutes)
	setRule(&r.RiskIPViewers, p.RiskIPViewers)
	setRule(&r.RiskIPWindowMinutes, p.RiskIPWindowMinutes)
	setRule(&r.ShortfallLeadMinutes, p.ShortfallLeadMinutes)
	return r
}

// ValidTimezone reports whether tz loads.
func ValidTimezone(tz string) bool {
	if tz == "" {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

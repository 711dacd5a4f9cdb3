package brands

import (
	"encoding/json"
	"testing"

	"github.com/sharecast/sharecast/apperr"
)

func TestNormalizeFillsZeros(t *testing.T) {
	// Zeros that Validate refuses are filled; hold_days and the approval thresholds keep 0.
	want := DefaultRules()
	want.HoldDays, want.AutoApproveBelowFen, want.SecondApprovalAboveFen = 0, 0, 0
	if got := (Rules{}).Normalize(); got != want {
		t.Fatalf("Rules{}.Normalize() = %+v, want %+v", got, want)
	}
	custom := Rules{HoldDays: 3, PayoutMaxFen: 30_000, RiskIPViewers: 5, AutoApproveBelowFen: 100, SecondApprovalAboveFen: 200}
	got := custom.Normalize()
	want = DefaultRules()
	want.HoldDays, want.PayoutMaxFen, want.RiskIPViewers, want.AutoApproveBelowFen, want.SecondApprovalAboveFen = 3, 30_000, 5, 100, 200
	if got != want {
		t.Fatalf("Normalize kept/filled wrongly:\n got %+v\nwant %+v", got, want)
	}
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

// Rules as stored (JSON): an absent rule is its default, a present one is kept, 0 included.
func TestRulesJSONKeepsExplicitZero(t *testing.T) {
	d := DefaultRules()
	tests := []struct {
		name string
		in   string
		want func(*Rules)
	}{
		{"empty object", `{}`, func(*Rules) {}},
		{"review every payout", `{"auto_approve_below_fen": 0}`, func(r *Rules) { r.AutoApproveBelowFen = 0 }},
		{"two approvals for every payout", `{"auto_approve_below_fen": 0, "second_approval_above_fen": 0}`,
			func(r *Rules) { r.AutoApproveBelowFen, r.SecondApprovalAboveFen = 0, 0 }},
		{"hold_days 0", `{"hold_days": 0}`, func(r *Rules) { r.HoldDays = 0 }},
		{"other values", `{"hold_days": 3, "payout_max_fen": 30000}`, func(r *Rules) { r.HoldDays, r.PayoutMaxFen = 3, 30_000 }},
		{"a full row", string(mustJSON(t, d)), func(*Rules) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Rules
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			want := d
			tt.want(&want)
			if got != want || got.Normalize() != want {
				t.Fatalf("decoded %s:\n got %+v\nwant %+v (normalized %+v)", tt.in, got, want, got.Normalize())
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

// A patch changes the rules it names (0 included) and keeps the others.
func TestRulesWithPatch(t *testing.T) {
	zero, three := int64(0), 3
	base := DefaultRules()
	base.HoldDays, base.RiskIPViewers = 5, 7
	tests := []struct {
		name  string
		patch RulesPatch
		want  func(*Rules)
	}{
		{"nothing", RulesPatch{}, func(*Rules) {}},
		{"auto approve 0", RulesPatch{AutoApproveBelowFen: &zero}, func(r *Rules) { r.AutoApproveBelowFen = 0 }},
		{"both thresholds 0", RulesPatch{AutoApproveBelowFen: &zero, SecondApprovalAboveFen: &zero},
			func(r *Rules) { r.AutoApproveBelowFen, r.SecondApprovalAboveFen = 0, 0 }},
		{"hold days only", RulesPatch{HoldDays: &three}, func(r *Rules) { r.HoldDays = 3 }},
		{"every rule", PatchOf(DefaultRules()), func(r *Rules) { *r = DefaultRules() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := base
			tt.want(&want)
			if got := base.With(tt.patch); got != want {
				t.Fatalf("With:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	// JSON of a partial patch names only what it sets.
	var p RulesPatch
	if err := json.Unmarshal([]byte(`{"auto_approve_below_fen": 0}`), &p); err != nil {
		t.Fatal(err)
	}
	if got := base.With(p); got.AutoApproveBelowFen != 0 || got.HoldDays != 5 || got.RiskIPViewers != 7 || got.SecondApprovalAboveFen != base.SecondApprovalAboveFen {
		t.Fatalf("partial JSON patch: %+v", got)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Rules)
		ok   bool
	}{
		{"defaults", func(*Rules) {}, true},
		{"hold_days 0", func(r *Rules) { r.HoldDays = 0 }, true},
		{"hold_days -1", func(r *Rules) { r.HoldDays = -1 }, false},
		{"hold_days 90", func(r *Rules) { r.HoldDays = 90 }, true},
		{"hold_days 91", func(r *Rules) { r.HoldDays = 91 }, false},
		{"auto_confirm_days 0", func(r *Rules) { r.AutoConfirmDays = 0 }, false},
		{"auto_confirm_days 1", func(r *Rules) { r.AutoConfirmDays = 1 }, true},
		{"auto_confirm_days 60", func(r *Rules) { r.AutoConfirmDays = 60 }, true},
		{"auto_confirm_days 61", func(r *Rules) { r.AutoConfirmDays = 61 }, false},
		{"payout_min_fen 9", func(r *Rules) { r.PayoutMinFen = 9 }, false},
		{"payout_min_fen 10", func(r *Rules) { r.PayoutMinFen = 10 }, true},
		{"payout_max below min", func(r *Rules) { r.PayoutMinFen, r.PayoutMaxFen = 500, 499 }, false},
		{"payout_max equals min", func(r *Rules) { r.PayoutMinFen, r.PayoutMaxFen = 500, 500 }, true},
		{"payout_max_fen 199999", func(r *Rules) { r.PayoutMaxFen, r.PayoutDailyMaxFen = 199_999, 199_999 }, true},
		{"payout_max_fen 200000", func(r *Rules) { r.PayoutMaxFen, r.PayoutDailyMaxFen = 200_000, 500_000 }, false},
		{"daily below max", func(r *Rules) { r.PayoutMaxFen, r.PayoutDailyMaxFen = 20_000, 19_999 }, false},
		{"daily equals max", func(r *Rules) { r.PayoutMaxFen, r.PayoutDailyMaxFen = 20_000, 20_000 }, true},
		{"auto_approve negative", func(r *Rules) { r.AutoApproveBelowFen = -1 }, false},
		{"auto_approve 0", func(r *Rules) { r.AutoApproveBelowFen = 0 }, true},
		{"both thresholds 0", func(r *Rules) { r.AutoApproveBelowFen, r.SecondApprovalAboveFen = 0, 0 }, true},
		{"second approval 0 above auto", func(r *Rules) { r.AutoApproveBelowFen, r.SecondApprovalAboveFen = 100, 0 }, false},
		{"second approval below auto", func(r *Rules) { r.AutoApproveBelowFen, r.SecondApprovalAboveFen = 5_000, 4_999 }, false},
		{"second approval equals auto", func(r *Rules) { r.AutoApproveBelowFen, r.SecondApprovalAboveFen = 5_000, 5_000 }, true},
		{"burst count 0", func(r *Rules) { r.RiskInviterBurstCount = 0 }, false},
		{"burst seconds 0", func(r *Rules) { r.RiskInviterBurstSeconds = 0 }, false},
		{"new member minutes 0", func(r *Rules) { r.RiskNewMemberMinutes = 0 }, false},
		{"ip viewers 0", func(r *Rules) { r.RiskIPViewers = 0 }, false},
		{"ip window 0", func(r *Rules) { r.RiskIPWindowMinutes = 0 }, false},
		{"thresholds 1", func(r *Rules) {
			r.RiskInviterBurstCount, r.RiskInviterBurstSeconds, r.RiskNewMemberMinutes, r.RiskIPViewers, r.RiskIPWindowMinutes = 1, 1, 1, 1, 1
		}, true},
		{"negative threshold", func(r *Rules) { r.RiskIPViewers = -3 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DefaultRules()
			tt.edit(&r)
			err := r.Validate()
			if tt.ok {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if apperr.KindOf(err) != apperr.Invalid || apperr.CodeOf(err) != "INVALID_RULES" {
				t.Fatalf("want Invalid INVALID_RULES, got %v", err)
			}
		})
	}
}

func TestValidTimezone(t *testing.T) {
	for tz, want := range map[string]bool{
		"Asia/Shanghai": true, "UTC": true, "Europe/Berlin": true,
		"": false, "Mars/Olympus": false, "not a zone": false, "../etc/passwd": false,
	} {
		if got := ValidTimezone(tz); got != want {
			t.Errorf("ValidTimezone(%q) = %v, want %v", tz, got, want)
		}
	}
}

func TestValidRole(t *testing.T) {
	for r, want := range map[string]bool{RoleOwner: true, RoleOperator: true, RoleFinance: true, "": false, "admin": false, "Owner": false} {
		if ValidRole(r) != want {
			t.Errorf("ValidRole(%q) != %v", r, want)
		}
	}
}

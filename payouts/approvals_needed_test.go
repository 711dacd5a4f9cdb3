package payouts

import (
	"testing"

	"github.com/sharecast/sharecast/brands"
)

// The thresholds are taken as set: 0 is a setting (review everything, two approvals for
// everything), not a missing value to default.
func TestApprovalsNeeded(t *testing.T) {
	rules := func(auto, second int64) brands.Rules {
		r := brands.DefaultRules()
		r.AutoApproveBelowFen, r.SecondApprovalAboveFen = auto, second
		return r
	}
	tests := []struct {
		name     string
		rules    brands.Rules
		dayTotal int64
		want     int
	}{
		{"defaults, small", brands.DefaultRules(), 4_999, 0},
		{"defaults, at the auto threshold", brands.DefaultRules(), 5_000, 1},
		{"defaults, at the second threshold", brands.DefaultRules(), 20_000, 1},
		{"defaults, above the second threshold", brands.DefaultRules(), 20_001, 2},
		{"auto 0 reviews the smallest payout", rules(0, 20_000), 10, 1},
		{"auto 0, above the second threshold", rules(0, 20_000), 20_001, 2},
		{"both 0: two approvals for the smallest payout", rules(0, 0), 10, 2},
		{"auto = second: one approval at the threshold", rules(1_000, 1_000), 1_000, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ApprovalsNeeded(tt.dayTotal, tt.rules); got != tt.want {
				t.Fatalf("ApprovalsNeeded(%d, auto %d, second %d) = %d, want %d", tt.dayTotal,
					tt.rules.AutoApproveBelowFen, tt.rules.SecondApprovalAboveFen, got, tt.want)
			}
		})
	}
}

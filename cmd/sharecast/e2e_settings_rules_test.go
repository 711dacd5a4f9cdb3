package main

import (
	"testing"
)

// settingsRules reads settings.rules of an answer.
func settingsRules(t *testing.T, r resp) map[string]any {
	t.Helper()
	s, _ := r.body["settings"].(map[string]any)
	rules, ok := s["rules"].(map[string]any)
	if !ok {
		t.Fatalf("no settings.rules in %s", r.raw)
	}
	return rules
}

// PATCH /admin/v1/settings merges a partial `rules` object into the stored rules, keeps an
// explicit 0 (auto_approve_below_fen 0: review every payout; second_approval_above_fen 0: two
// approvals for every payout) and refuses a 0 where 0 is not allowed, instead of defaulting.
func TestSettingsRulesPatchMergesAndKeepsZero(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		w := newPayoutWorld(t, s, 30_000)
		want := func(r resp, rules map[string]int64) {
			t.Helper()
			got := settingsRules(t, r)
			for k, v := range rules {
				if fen(got[k]) != v {
					t.Fatalf("rules.%s = %v, want %d (rules %v)", k, got[k], v, got)
				}
			}
		}
		patch := func(rules map[string]any) resp {
			t.Helper()
			return s.do("PATCH", "/admin/v1/settings", w.owner, map[string]any{"rules": rules})
		}
		r := patch(map[string]any{"hold_days": 3, "payout_min_fen": 200})
		expect(t, r, 200, "")
		want(r, map[string]int64{"hold_days": 3, "payout_min_fen": 200, "auto_approve_below_fen": 5_000, "second_approval_above_fen": 20_000})

		r = patch(map[string]any{"auto_approve_below_fen": 0})
		expect(t, r, 200, "")
		kept := map[string]int64{"hold_days": 3, "payout_min_fen": 200, "auto_approve_below_fen": 0, "second_approval_above_fen": 20_000,
			"payout_max_fen": 20_000, "risk_ip_viewers": 20, "shortfall_lead_minutes": 30}
		want(r, kept)
		want(s.do("GET", "/admin/v1/settings", w.owner, nil), kept)

		// A zero that is not a valid setting is refused, not replaced by the default.
		expect(t, patch(map[string]any{"payout_min_fen": 0}), 400, "INVALID_RULES")
		want(s.do("GET", "/admin/v1/settings", w.owner, nil), kept)

		// auto 0: even the smallest payout waits for one approval.
		p := w.request(t, 200)
		if st := p.str("payout.status"); st != "requested" {
			t.Fatalf("payout with auto_approve_below_fen 0: %s", p.raw)
		}
		approve := func(token, id string) resp {
			t.Helper()
			r := s.do("POST", "/admin/v1/payouts/"+id+"/approve", token, nil)
			expect(t, r, 200, "")
			return r
		}
		if st := approve(w.finance, p.str("payout.id")).str("payout.status"); st != "approved" {
			t.Fatalf("one approval with second_approval_above_fen 20000: %s", st)
		}

		// second 0: every payout needs two different admins.
		r = patch(map[string]any{"second_approval_above_fen": 0})
		expect(t, r, 200, "")
		want(r, map[string]int64{"hold_days": 3, "auto_approve_below_fen": 0, "second_approval_above_fen": 0})
		q := w.request(t, 200)
		id := q.str("payout.id")
		if st := approve(w.finance, id).str("payout.status"); st != "requested" {
			t.Fatalf("first of two approvals: %s", st)
		}
		if st := approve(w.owner, id).str("payout.status"); st != "approved" {
			t.Fatalf("second approval: %s", st)
		}
	})
}

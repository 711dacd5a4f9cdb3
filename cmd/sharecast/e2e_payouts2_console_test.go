package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/server/console"
)

// The payout console pages at the HTTP level on both engines: roles (operator 403 on pages
// and forms), no session → login, CSRF, bad input, the same admin approving twice (409 on
// the queue with the reason), and another brand's session (404, sees none of these payouts).
func TestConsolePayoutPagesRolesAndTenancy(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		for _, a := range []map[string]any{{"username": "fin", "password": "finance-pass-1", "role": "finance"},
			{"username": "ops", "password": "operator-pass-1", "role": "operator"}} {
			expect(t, s.do("POST", "/admin/v1/admins", owner, a), 201, "")
		}
		ids := s.requestPayouts(owner, 30_000, 15_000, 10_000) // one approval, then two
		one, two := ids[0], ids[1]
		demoID := mustBrandID(t, s, "demo")
		status := func(id string) string {
			t.Helper()
			p, err := s.app.payouts.Get(context.Background(), demoID, id)
			if err != nil {
				t.Fatal(err)
			}
			return p.Status
		}

		s.expectLoginRedirect(http.MethodGet, "/admin/payouts")
		s.expectLoginRedirect(http.MethodPost, "/admin/payouts/"+one+"/approve")
		s.expectLoginRedirect(http.MethodGet, "/admin/reconciliation")

		ops := s.console()
		ops.login("demo", "ops", "operator-pass-1")
		expectPage(t, "operator lives", ops.get("/admin/lives"), 200)
		if p := ops.get("/admin/lives"); strings.Contains(p.body, "/admin/payouts") {
			t.Fatal("the operator's navigation links the payout queue")
		}
		expectPage(t, "operator queue", ops.get("/admin/payouts"), 403)
		expectPage(t, "operator reconciliation", ops.get("/admin/reconciliation"), 403)
		ops.get("/admin/lives") // a fresh CSRF token of the operator's own session
		expectPage(t, "operator approve", ops.post("/admin/payouts/"+one+"/approve", nil), 403)
		expectPage(t, "operator reject", ops.post("/admin/payouts/"+one+"/reject", nil), 403)
		if st := status(one); st != payouts.PayoutRequested {
			t.Fatalf("operator forms moved the payout to %s", st)
		}

		fin := s.console()
		fin.login("demo", "fin", "finance-pass-1")
		q := fin.get("/admin/payouts")
		expectPage(t, "finance queue", q, 200, `data-payout="`+one+`"`, `data-payout="`+two+`"`, "已批准 0 / 2")
		expectPage(t, "bad status", fin.get("/admin/payouts?status=bogus"), 400)
		fin.get("/admin/payouts")
		expectPage(t, "approve without CSRF", fin.post("/admin/payouts/"+one+"/approve", url.Values{console.CSRFField: {""}}), 403)
		expectPage(t, "unknown payout", fin.post("/admin/payouts/nope/approve", nil), 404)
		expectPage(t, "long reason", fin.post("/admin/payouts/"+one+"/reject", url.Values{"reason": {strings.Repeat("长", 201)}}), 400)
		p := fin.post("/admin/payouts/"+two+"/approve", nil)
		if p.status != http.StatusSeeOther || !strings.Contains(p.location(), "flash.payout_approval_recorded") {
			t.Fatalf("first approval: %d %s", p.status, p.location())
		}
		expectPage(t, "queue after one of two", fin.get("/admin/payouts"), 200, "已批准 1 / 2", "需另一位管理员批准")
		expectPage(t, "second approval by the same admin", fin.post("/admin/payouts/"+two+"/approve", nil), 409, "already reviewed")
		if st := status(two); st != payouts.PayoutRequested {
			t.Fatalf("one admin's approvals moved the two-approval payout to %s", st)
		}

		s.otherBrand("other", "other-owner-pass")
		other := s.console()
		other.login("other", "admin", "other-owner-pass")
		q = other.get("/admin/payouts?status=")
		expectPage(t, "other brand queue", q, 200)
		if strings.Contains(q.body, one) || strings.Contains(q.body, two) {
			t.Fatal("another brand's queue lists demo payouts")
		}
		expectPage(t, "other brand approve", other.post("/admin/payouts/"+one+"/approve", nil), 404)
		if st := status(one); st != payouts.PayoutRequested {
			t.Fatalf("another brand's approval moved the payout to %s", st)
		}

		// The owner approves: it moves on, out of the queue.
		own := s.console()
		own.login("demo", "admin", s.password)
		own.get("/admin/payouts")
		p = own.post("/admin/payouts/"+one+"/approve", nil)
		if p.status != http.StatusSeeOther || !strings.Contains(p.location(), "flash.payout_approved") {
			t.Fatalf("owner approval: %d %s", p.status, p.location())
		}
		if st := status(one); st != payouts.PayoutApproved && st != payouts.PayoutSubmitted {
			t.Fatalf("approved payout is %s", st)
		}
		expectPage(t, "reconciliation page", own.get("/admin/reconciliation"), 200, "暂无告警")
		expectPage(t, "reconciliation bad date", own.get("/admin/reconciliation?date=2026-99-01"), 400)
	})
}

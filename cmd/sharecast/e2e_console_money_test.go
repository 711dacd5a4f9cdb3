package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/demo"
)

var memberRowRe = regexp.MustCompile(`data-member="([^"]+)" data-status="active"`)

// The members, adjustments and API keys pages: each action through its form with the CSRF
// token, refused without it; roles as API.md's table (operators freeze but see no money
// actions; finance adjusts but cannot write debt off; API keys are the owner's); another
// brand's ids are 404.
func TestConsoleMembersAdjustmentsAPIKeys(t *testing.T) {
	enginesWith(t, withDemoLive, func(t *testing.T, s *svc) {
		ctx := context.Background()
		brandID := mustBrandID(t, s, "demo")
		token := s.adminLogin("admin", s.password)
		owner := s.console()
		owner.login("demo", "admin", s.password)

		// Members: the owner sees the list and the reassign form; freezes one member.
		p := owner.get("/admin/members")
		expectPage(t, "members", p, 200, `id="members"`, `id="reassign-form"`)
		ids := memberRowRe.FindAllStringSubmatch(p.body, -1)
		if len(ids) < 3 {
			t.Fatalf("members page lists %d active members", len(ids))
		}
		victim, other := ids[0][1], ids[1][1]
		expectPage(t, "freeze without CSRF", owner.post("/admin/members/"+victim+"/freeze", url.Values{"csrf_token": {""}}), 403)
		p = owner.post("/admin/members/"+victim+"/freeze", nil)
		if p.status != 303 || p.location() != "/admin/members?ok=flash.member_frozen" {
			t.Fatalf("freeze: %d %s", p.status, p.location())
		}
		frozen := s.do("GET", "/admin/v1/members?status=frozen", token, nil)
		if !strings.Contains(string(frozen.raw), victim) {
			t.Fatalf("member not frozen: %s", frozen.raw)
		}
		expectPage(t, "unfreeze", owner.post("/admin/members/"+victim+"/unfreeze", nil), 303)

		// Reassign an order of the demo live to another member.
		liveID := s.demoLiveID(token, demo.LiveTitle)
		orders, _ := s.csvExport(token, "/admin/v1/exports/orders.csv?live_id="+liveID)
		orderID := orders[1][col(t, orders, "id")]
		owner.get("/admin/members")
		p = owner.post("/admin/orders/reassign", url.Values{"order_id": {orderID}, "member_id": {other}, "reason": {"客服核实"}})
		if p.status != 303 {
			t.Fatalf("reassign: %d %s", p.status, p.body)
		}
		got := s.do("GET", "/admin/v1/orders/"+orderID, token, nil)
		if got.str("order.attribution.member_id") != other {
			t.Fatalf("order after reassign: %s", got.raw)
		}
		p = owner.post("/admin/orders/reassign", url.Values{"order_id": {orderID}, "member_id": {other}, "reason": {""}})
		expectPage(t, "reassign without a reason", p, 400, `id="problem"`)

		// Operators: members yes (no reassign form), money pages no.
		for _, a := range []struct{ user, role string }{{"olive", brands.RoleOperator}, {"fiona", brands.RoleFinance}} {
			if _, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, brandID, brands.NewAdminInput{Username: a.user,
				Password: a.user + "-pass-123", Role: a.role}); err != nil {
				t.Fatal(err)
			}
		}
		op := s.console()
		op.login("demo", "olive", "olive-pass-123")
		p = op.get("/admin/members")
		expectPage(t, "operator members", p, 200, `id="members"`)
		if strings.Contains(p.body, "reassign-form") || strings.Contains(p.body, `href="/admin/adjustments"`) {
			t.Fatal("operator sees money actions")
		}
		expectPage(t, "operator reassign", op.post("/admin/orders/reassign", url.Values{"order_id": {orderID}, "member_id": {victim}, "reason": {"x"}}), 403)
		expectPage(t, "operator adjustments", op.get("/admin/adjustments"), 403)
		expectPage(t, "operator api keys", op.get("/admin/api-keys"), 403)

		// Finance: a prize through the form, posted once even when the form is sent twice.
		fin := s.console()
		fin.login("demo", "fiona", "fiona-pass-123")
		p = fin.get("/admin/adjustments")
		expectPage(t, "finance adjustments", p, 200, `value="prize"`, `value="credit"`)
		if strings.Contains(p.body, `value="debt_write_off"`) {
			t.Fatal("finance is offered the debt write-off")
		}
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
		form := url.Values{"key": {key}, "member_id": {victim}, "kind": {"prize"}, "amount": {"1.50"}, "reason": {"排行榜第一"}}
		expectPage(t, "prize", fin.post("/admin/adjustments", form), 200, `id="done"`)
		expectPage(t, "prize again", fin.post("/admin/adjustments", form), 200, `id="done"`)
		bal, err := s.app.ledger.MemberBalances(ctx, brandID, victim)
		if err != nil {
			t.Fatal(err)
		}
		if bal.AvailableFen != 150 {
			t.Fatalf("after one prize sent twice: %+v", bal)
		}
		expectPage(t, "bad amount", fin.post("/admin/adjustments", url.Values{"member_id": {victim}, "kind": {"prize"}, "amount": {"1.234"}, "reason": {"x"}}),
			400, `id="problem"`)
		expectPage(t, "finance write-off", fin.post("/admin/adjustments", url.Values{"member_id": {victim}, "kind": {"debt_write_off"},
			"amount": {"1"}, "reason": {"x"}}), 403)
		expectPage(t, "finance api keys", fin.get("/admin/api-keys"), 403)

		// API keys: created (shown once), listed, revoked.
		owner.get("/admin/api-keys")
		p = owner.post("/admin/api-keys", url.Values{"name": {"erp"}})
		expectPage(t, "create key", p, 201, `id="new-key"`)
		keyID := regexp.MustCompile(`data-key="([^"]+)"`).FindStringSubmatch(p.body)[1]
		expectPage(t, "revoke key", owner.post("/admin/api-keys/"+keyID+"/revoke", nil), 303)
		p = owner.get("/admin/api-keys")
		expectPage(t, "keys", p, 200, "已吊销")
		if strings.Contains(p.body, `id="new-key"`) {
			t.Fatal("the key is shown again")
		}

		// Another brand: the demo brand's member, order and key are not there.
		s.otherBrand("rival", "rival-owner-pass")
		rival := s.console()
		rival.login("rival", "admin", "rival-owner-pass")
		rival.get("/admin/members")
		expectPage(t, "rival freeze", rival.post("/admin/members/"+other+"/freeze", nil), 404)
		expectPage(t, "rival reassign", rival.post("/admin/orders/reassign", url.Values{"order_id": {orderID}, "member_id": {other}, "reason": {"x"}}), 404)
		expectPage(t, "rival revoke", rival.post("/admin/api-keys/"+keyID+"/revoke", nil), 404)
		expectPage(t, "rival dashboard", rival.get("/admin/lives/"+liveID), 404)
	})
}

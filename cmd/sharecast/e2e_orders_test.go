package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// The "Done when", through the open API door: member A shares, buyer B opens A's link
// and pays three lines of different types, A's recruiter R gets tier 2; B refunds one line
// while its commission is pending and one after it became available (the clock moved through
// the simulator); balances, the ledger and `sharecast ledger verify` agree.
func TestOrdersThroughTheOpenAPIDoor(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		owner := s.adminLogin("admin", s.password)
		brandID := s.do("GET", "/admin/v1/settings", owner, nil).str("settings.id")

		key := s.do("POST", "/admin/v1/api-keys", owner, map[string]any{"name": "erp"})
		expect(t, key, 201, "")
		apiKey := key.str("api_key")
		expect(t, s.do("PUT", "/admin/v1/commission-plan", owner, map[string]any{
			"types": map[string]any{"flash_sale": map[string]any{"bps": 500}, "classic": map[string]any{"fixed_fen_per_unit": 300},
				"profit": map[string]any{"bps": 1500}, "exclusive": map[string]any{"bps": 1000}},
			"tier2": map[string]any{"bps": 300}, "line_cap_bps": 3000}), 200, "")
		expect(t, s.do("PUT", "/admin/v1/commission-plan", owner, map[string]any{"types": map[string]any{"classic": map[string]any{"bps": 20000}}}),
			400, "INVALID_COMMISSION_PLAN")
		rules := s.do("GET", "/admin/v1/binding-rules", owner, nil)
		if rules.str("binding_rules.mode") != "window" {
			t.Fatalf("default binding rules: %s", rules.raw)
		}

		// R, A and B are members of the demo brand; A was recruited by R (the invite code of
		// the links work sets this at A's first login; here it is seeded).
		type member struct{ id, openid, token string }
		login := func(openid string) member {
			code, openid := s.wxLogin("wx0000000000000001", openid)
			r := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": code})
			expect(t, r, 200, "")
			return member{id: r.str("member.id"), openid: openid, token: r.str("access_token")}
		}
		rMember, aMember, bMember := login(""), login(""), login("")
		storetest.SetRecruiter(t, s.app.store, brandID, aMember.id, rMember.id)
		now := s.app.clock.Now()
		started := now.Add(-30 * time.Minute)
		liveID, err := s.app.store.CreateLive(ctx, store.NewLive{BrandID: brandID, Title: "e2e live", PlannedStartAt: started,
			ActualStartAt: &started, Status: "live"})
		if err != nil {
			t.Fatal(err)
		}
		link := storetest.SeedShareLink(t, s.app.store, brandID, liveID, aMember.id, "e2eA")
		storetest.SeedTouch(t, s.app.store, brandID, liveID, link, aMember.id, bMember.id, now.Add(-10*time.Minute))

		balances := func(m member) map[string]int64 {
			t.Helper()
			r := s.do("GET", "/mp/v1/me", m.token, nil)
			expect(t, r, 200, "")
			b := r.body["balances"].(map[string]any)
			out := map[string]int64{}
			for k, v := range b {
				out[k] = int64(v.(float64))
			}
			return out
		}
		wantBalances := func(m member, name string, pending, available, debt int64) {
			t.Helper()
			b := balances(m)
			if b["pending_fen"] != pending || b["available_fen"] != available || b["debt_fen"] != debt {
				t.Fatalf("%s balances %v, want pending %d, available %d, debt %d", name, b, pending, available, debt)
			}
		}
		wantBalances(aMember, "A", 0, 0, 0)

		shanghai := time.FixedZone("CST", 8*3600)
		order := map[string]any{
			"external_id": "shop-1001", "buyer": map[string]any{"openid": bMember.openid}, "ship_city": "杭州市",
			"paid_at": now.Add(2 * time.Second).In(shanghai).Format(time.RFC3339), "live_id": liveID, // after the plan took effect
			"lines": []map[string]any{
				{"line_id": "1", "product_id": "p1", "sku_id": "s1", "product_type": "flash_sale", "quantity": 1, "paid_fen": 10000},
				{"line_id": "2", "product_id": "p2", "sku_id": "s2", "product_type": "classic", "quantity": 2, "paid_fen": 9900},
				{"line_id": "3", "product_id": "p3", "sku_id": "s3", "product_type": "profit", "quantity": 1, "paid_fen": 20000},
			},
		}
		expect(t, s.do("POST", "/open/v1/orders", "", order), 401, "UNAUTHENTICATED")
		expect(t, s.do("POST", "/open/v1/orders", "sck_nope.nope", order), 401, "UNAUTHENTICATED")
		paid := s.do("POST", "/open/v1/orders", apiKey, order)
		expect(t, paid, 200, "")
		orderID := paid.str("order.id")
		if paid.str("order.attribution.member_id") != aMember.id || paid.str("order.attribution.rule") != "binding" {
			t.Fatalf("attribution: %s", paid.raw)
		}
		replay := s.do("POST", "/open/v1/orders", apiKey, order)
		expect(t, replay, 200, "")
		if replay.header.Get("Idempotency-Replayed") != "true" || replay.str("order.id") != orderID {
			t.Fatalf("replay: %v %s", replay.header, replay.raw)
		}
		order["ship_city"] = "上海"
		expect(t, s.do("POST", "/open/v1/orders", apiKey, order), 409, "ORDER_CONFLICT")

		// A: 500 + 600 + 3000; R (tier 2, 3%): 300 + 297 + 600.
		wantBalances(aMember, "A", 4100, 0, 0)
		wantBalances(rMember, "R", 1197, 0, 0)
		wantBalances(bMember, "B", 0, 0, 0)
		mine := s.do("GET", "/mp/v1/me/commissions?status=pending", aMember.token, nil)
		expect(t, mine, 200, "")
		if n := len(mine.body["commissions"].([]any)); n != 3 {
			t.Fatalf("A has %d pending commissions: %s", n, mine.raw)
		}

		// Refund line 1 while its commissions are pending.
		refund := func(id, line string, fen int64) resp {
			return s.do("POST", "/open/v1/orders/shop-1001/refunds", apiKey, map[string]any{"refund_id": id,
				"lines": []map[string]any{{"line_id": line, "refund_fen": fen}}})
		}
		r1 := refund("rf-1", "1", 10000)
		expect(t, r1, 200, "")
		if r1.str("refund.status") != "applied" || refund("rf-1", "1", 10000).str("refund.status") != "already_applied" {
			t.Fatalf("refund: %s", r1.raw)
		}
		expect(t, refund("rf-1", "1", 5000), 409, "REFUND_CONFLICT")
		expect(t, refund("rf-x", "9", 1), 422, "UNKNOWN_LINE")
		expect(t, refund("rf-y", "2", 9901), 422, "REFUND_EXCEEDS_PAID")
		wantBalances(aMember, "A", 3600, 0, 0)
		wantBalances(rMember, "R", 897, 0, 0)

		// Receipt confirmed; the simulator moves the clock past the 7 holding days; the periodic
		// job (run now instead of waiting for its next tick) makes the commissions available.
		expect(t, s.do("POST", "/open/v1/orders/shop-1001/confirm", apiKey, nil), 200, "")
		s.advanceClock(8 * 24 * time.Hour)
		// Tokens expired with the jump: everyone logs in again.
		rMember, aMember, bMember = login(rMember.openid), login(aMember.openid), login(bMember.openid)
		owner = s.adminLogin("admin", s.password)
		// Awaited: nothing pending for A or R. The job releases one commission per transaction,
		// so "some available" can be seen halfway through it.
		if !s.releaseCommissions(func() bool {
			return balances(aMember)["pending_fen"] == 0 && balances(rMember)["pending_fen"] == 0
		}) {
			t.Fatalf("commissions still pending 30 s after the clock moved: A %v, R %v", balances(aMember), balances(rMember))
		}
		wantBalances(aMember, "A", 0, 3600, 0)
		wantBalances(rMember, "R", 0, 897, 0)

		// Refund half of line 3 after it became available: floor(3000 × 10000 / 20000) = 1500
		// off A's available, 300 off R's.
		expect(t, refund("rf-2", "3", 10000), 200, "")
		wantBalances(aMember, "A", 0, 2100, 0)
		wantBalances(rMember, "R", 0, 597, 0)

		view := s.do("GET", "/admin/v1/orders/"+orderID, owner, nil)
		expect(t, view, 200, "")
		statuses := map[string]int{}
		for _, c := range view.body["order"].(map[string]any)["commissions"].([]any) {
			statuses[c.(map[string]any)["status"].(string)]++
		}
		if statuses["reversed"] != 2 || statuses["available"] != 4 || !strings.Contains(view.str("order.attribution.reason"), "binding") {
			t.Fatalf("order view: %v %s", statuses, view.raw)
		}

		// A prize through the admin API, idempotent on its key.
		adj := map[string]any{"member_id": aMember.id, "kind": "prize", "amount_fen": 888, "reason": "top inviter"}
		first := s.do("POST", "/admin/v1/adjustments", owner, adj, "Idempotency-Key", "prize-1")
		expect(t, first, 201, "")
		again := s.do("POST", "/admin/v1/adjustments", owner, adj, "Idempotency-Key", "prize-1")
		if again.header.Get("Idempotency-Replayed") != "true" || again.str("adjustment.id") != first.str("adjustment.id") {
			t.Fatalf("replayed adjustment: %s", again.raw)
		}
		expect(t, s.do("POST", "/admin/v1/adjustments", owner, map[string]any{"member_id": aMember.id, "kind": "debt_write_off",
			"amount_fen": 1, "reason": "none"}), 422, "WRITE_OFF_EXCEEDS_DEBT")
		wantBalances(aMember, "A", 0, 2988, 0)

		// Another brand's key does not reach this order: its refund is parked in its own brand.
		other, err := s.app.brands.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "other-shop", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		_, otherKey, err := s.app.apiKeys.Create(ctx, brands.CLIActor, other.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		expect(t, s.do("POST", "/open/v1/orders/shop-1001/refunds", otherKey, map[string]any{"refund_id": "evil",
			"lines": []map[string]any{{"line_id": "2", "refund_fen": 9900}}}), 202, "")
		wantBalances(aMember, "A", 0, 2988, 0)

		// The CLI agrees.
		var out bytes.Buffer
		env := map[string]string{"SHARECAST_DATA_DIR": s.dataDir, "SHARECAST_DATABASE_URL": s.app.cfg.DatabaseURL,
			"SHARECAST_REDIS_URL": s.app.cfg.RedisURL, "SHARECAST_LOG_LEVEL": "warn"}
		code := run(ctx, []string{"ledger", "verify"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
		t.Logf("sharecast ledger verify (exit %d):\n%s", code, out.String())
		if code != 0 || !strings.Contains(out.String(), "0 problems") || !strings.Contains(out.String(), "brand demo") {
			t.Fatalf("ledger verify exited %d:\n%s", code, out.String())
		}

		// A broken ledger makes it exit non-zero and name the problem.
		if _, err := s.app.store.DB().ExecContext(ctx, `UPDATE ledger_accounts SET balance_fen = balance_fen + 1
			WHERE brand_id = $1 AND owner_id = $2 AND kind = 'available'`, brandID, aMember.id); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		code = run(ctx, []string{"ledger", "verify"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
		if code != 1 || !strings.Contains(out.String(), "cached balance 2989 fen, entries say 2988") {
			t.Fatalf("a broken ledger: exit %d\n%s", code, out.String())
		}
	})
}

// The admin routes of the orders area answer by role (API.md's table), and a revoked API key
// stops working at once.
func TestOrdersAdminRoles(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		for _, a := range []map[string]any{{"username": "fin", "password": "finance-pass-1", "role": "finance"},
			{"username": "ops", "password": "operator-pass-1", "role": "operator"}} {
			expect(t, s.do("POST", "/admin/v1/admins", owner, a), 201, "")
		}
		fin, ops := s.adminLogin("fin", "finance-pass-1"), s.adminLogin("ops", "operator-pass-1")
		m := s.login()
		memberID := m.str("member.id")

		expect(t, s.do("GET", "/admin/v1/commission-plan", fin, nil), 403, "FORBIDDEN")
		expect(t, s.do("PUT", "/admin/v1/binding-rules", ops, map[string]any{"mode": "last_touch"}), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/api-keys", fin, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/orders/nope", ops, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/orders/nope", fin, nil), 404, "NOT_FOUND")
		expect(t, s.do("POST", "/admin/v1/adjustments", ops, map[string]any{"member_id": memberID, "kind": "prize", "amount_fen": 1, "reason": "x"}), 403, "FORBIDDEN")
		expect(t, s.do("POST", "/admin/v1/adjustments", fin, map[string]any{"member_id": memberID, "kind": "debt_write_off", "amount_fen": 1, "reason": "x"}), 403, "FORBIDDEN")
		expect(t, s.do("POST", "/admin/v1/adjustments", fin, map[string]any{"member_id": memberID, "kind": "credit", "amount_fen": 50, "reason": "sorry"}), 201, "")
		expect(t, s.do("POST", "/admin/v1/adjustments", fin, map[string]any{"member_id": "nobody", "kind": "credit", "amount_fen": 50, "reason": "x"}), 404, "NOT_FOUND")
		expect(t, s.do("POST", "/admin/v1/adjustments", fin, map[string]any{"member_id": memberID, "kind": "gift", "amount_fen": 50, "reason": "x"}), 400, "INVALID_ARGUMENT")
		me := s.do("GET", "/mp/v1/me", m.str("access_token"), nil)
		if me.body["balances"].(map[string]any)["available_fen"].(float64) != 50 {
			t.Fatalf("credit not in the member's balance: %s", me.raw)
		}

		expect(t, s.do("PUT", "/admin/v1/binding-rules", owner, map[string]any{"mode": "window"}), 400, "INVALID_BINDING_RULES")
		br := s.do("PUT", "/admin/v1/binding-rules", owner, map[string]any{"mode": "last_touch", "protection_days": 3, "new_buyers_only": true})
		expect(t, br, 200, "")
		plan := s.do("GET", "/admin/v1/commission-plan", owner, nil)
		expect(t, plan, 200, "")
		if plan.body["plan"].(map[string]any)["version"].(float64) != 0 {
			t.Fatalf("default plan: %s", plan.raw)
		}

		list := s.do("GET", "/admin/v1/members?limit=1", ops, nil)
		expect(t, list, 200, "")
		if len(list.body["members"].([]any)) != 1 {
			t.Fatalf("members: %s", list.raw)
		}
		expect(t, s.do("GET", "/admin/v1/members?status=asleep", ops, nil), 400, "INVALID_ARGUMENT")
		fr := s.do("POST", "/admin/v1/members/"+memberID+"/freeze", ops, nil)
		expect(t, fr, 200, "")
		if fr.str("member.status") != "frozen" {
			t.Fatalf("freeze: %s", fr.raw)
		}
		expect(t, s.do("POST", "/admin/v1/members/"+memberID+"/unfreeze", fin, nil), 200, "")
		expect(t, s.do("POST", "/admin/v1/members/nobody/freeze", fin, nil), 404, "NOT_FOUND")

		key := s.do("POST", "/admin/v1/api-keys", owner, nil)
		expect(t, key, 201, "")
		keys := s.do("GET", "/admin/v1/api-keys", owner, nil)
		expect(t, keys, 200, "")
		if strings.Contains(string(keys.raw), key.str("api_key")) {
			t.Fatal("the key's secret is listed")
		}
		confirm := func() resp { return s.do("POST", "/open/v1/orders/none/confirm", key.str("api_key"), nil) }
		if r := confirm(); r.status != 202 || r.str("status") != "parked" {
			t.Fatalf("confirm of an unknown order: %d %s", r.status, r.raw)
		}
		expect(t, s.do("DELETE", "/admin/v1/api-keys/"+key.str("id"), owner, nil), 204, "")
		expect(t, confirm(), 401, "UNAUTHENTICATED")
		expect(t, s.do("DELETE", "/admin/v1/api-keys/nope", owner, nil), 404, "NOT_FOUND")
		expect(t, s.do("GET", "/mp/v1/me/commissions?status=lost", m.str("access_token"), nil), 400, "INVALID_ARGUMENT")
	})
}

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// A batch through HTTP on a live whose commissions became available: the sharer's 30,000 fen
// is capped at the 20,000 maximum, the recruiter (3%) gets 6,000; the admin who started the batch
// gets 403 BATCH_SELF_APPROVAL on the approve route, another finance admin's approval counts;
// the second POST replays the batch and holds nothing more.
func TestPayoutBatchThroughHTTP(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		owner := s.adminLogin("admin", s.password)
		brandID := s.do("GET", "/admin/v1/settings", owner, nil).str("settings.id")
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "fin", "password": "finance-pass-1", "role": "finance"}), 201, "")
		key := s.do("POST", "/admin/v1/api-keys", owner, map[string]any{"name": "erp"})
		expect(t, key, 201, "")
		apiKey := key.str("api_key")
		expect(t, s.do("PUT", "/admin/v1/commission-plan", owner, map[string]any{
			"types": map[string]any{"profit": map[string]any{"bps": 1500}}, "tier2": map[string]any{"bps": 300}, "line_cap_bps": 3000}), 200, "")

		type member struct{ id, openid, token string }
		login := func(openid string) member {
			code, openid := s.wxLogin("wx0000000000000001", openid)
			r := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": code})
			expect(t, r, 200, "")
			return member{id: r.str("member.id"), openid: openid, token: r.str("access_token")}
		}
		rm, am, bm := login(""), login(""), login("")
		storetest.SetRecruiter(t, s.app.store, brandID, am.id, rm.id)
		now := s.app.clock.Now()
		started := now.Add(-30 * time.Minute)
		liveID, err := s.app.store.CreateLive(ctx, store.NewLive{BrandID: brandID, Title: "batch live", PlannedStartAt: started,
			ActualStartAt: &started, Status: "live"})
		if err != nil {
			t.Fatal(err)
		}
		link := storetest.SeedShareLink(t, s.app.store, brandID, liveID, am.id, "e2eBatchA")
		storetest.SeedTouch(t, s.app.store, brandID, liveID, link, am.id, bm.id, now.Add(-10*time.Minute))
		expect(t, s.do("POST", "/open/v1/orders", apiKey, map[string]any{
			"external_id": "batch-1", "buyer": map[string]any{"openid": bm.openid}, "ship_city": "杭州市",
			"paid_at": now.Add(2 * time.Second).UTC().Format(time.RFC3339), "live_id": liveID,
			"lines": []map[string]any{{"line_id": "1", "product_id": "p1", "sku_id": "s1", "product_type": "profit", "quantity": 1, "paid_fen": 200_000}},
		}), 200, "")
		expect(t, s.do("POST", "/open/v1/orders/batch-1/confirm", apiKey, nil), 200, "")
		s.advanceClock(8 * 24 * time.Hour)
		am, rm = login(am.openid), login(rm.openid)
		owner = s.adminLogin("admin", s.password)
		fin := s.adminLogin("fin", "finance-pass-1")
		available := func(m member) float64 {
			r := s.do("GET", "/mp/v1/me", m.token, nil)
			expect(t, r, 200, "")
			return r.body["balances"].(map[string]any)["available_fen"].(float64)
		}
		// Awaited: both commissions available (15 % and 3 % of 200 000). The job releases one
		// commission per transaction, so "some available" can be seen halfway through it.
		if !s.releaseCommissions(func() bool { return available(am) == 30_000 && available(rm) == 6_000 }) {
			t.Fatalf("commissions not available 30 s after the clock moved: A %v, R %v", available(am), available(rm))
		}

		first := s.do("POST", "/admin/v1/payout-batches", owner, map[string]any{"live_id": liveID})
		expect(t, first, 201, "")
		byMember := map[string]map[string]any{}
		for _, p := range first.body["payouts"].([]any) {
			m := p.(map[string]any)
			byMember[m["member_id"].(string)] = m
		}
		if len(byMember) != 2 || byMember[am.id]["amount_fen"].(float64) != 20_000 || byMember[rm.id]["amount_fen"].(float64) != 6_000 {
			t.Fatalf("batch payouts %s", first.raw)
		}
		if available(am) != 10_000 {
			t.Fatalf("A's available after the batch: %v", available(am))
		}
		aPayout := byMember[am.id]["id"].(string)
		if byMember[am.id]["status"] != "requested" || byMember[am.id]["batch_id"] != first.str("batch.id") {
			t.Fatalf("A's payout %v", byMember[am.id])
		}
		expect(t, s.do("POST", "/admin/v1/payouts/"+aPayout+"/approve", owner, nil), 403, "BATCH_SELF_APPROVAL")
		ok := s.do("POST", "/admin/v1/payouts/"+aPayout+"/approve", fin, nil)
		expect(t, ok, 200, "")
		if ok.body["payout"].(map[string]any)["approvals"].(float64) != 1 {
			t.Fatalf("approval by another admin: %s", ok.raw)
		}
		again := s.do("POST", "/admin/v1/payout-batches", fin, map[string]any{"live_id": liveID})
		expect(t, again, 200, "")
		if again.header.Get("Idempotency-Replayed") != "true" || again.str("batch.id") != first.str("batch.id") || available(am) != 10_000 {
			t.Fatalf("replay %s", again.raw)
		}
		// The payouts export of the live holds the batch's payouts, streamed as CSV.
		rows, r := s.csvExport(fin, "/admin/v1/exports/payouts.csv?live_id="+liveID)
		if r.status != 200 || len(rows) != 3 || rows[0][0] != "id" {
			t.Fatalf("payouts export: %d, %d rows", r.status, len(rows))
		}
		exported := map[string]string{}
		for _, row := range rows[1:] {
			exported[row[1]] = row[3]
		}
		if exported[am.id] != "20000" || exported[rm.id] != "6000" {
			t.Fatalf("payouts export rows %v", rows)
		}
		t.Logf("batch %s: %s fen over %d payouts; starter's approval 403, another admin's counted; replay held nothing",
			first.str("batch.id"), fmt.Sprint(int64(first.body["batch"].(map[string]any)["total_fen"].(float64))), len(byMember))
	})
}

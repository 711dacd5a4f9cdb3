package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/referral"
)

// One external id through both order doors of the demo brand: the Channels shop's push and
// POST /open/v1/orders. Whichever comes second is refused (409 ORDER_EXISTS_FROM_OTHER_SOURCE
// on the open API; on the Channels door the event is kept unprocessed with the code, counted
// by the failing-events alert) and nothing is recorded or accrued twice.
func TestOrderExternalIDThroughBothDoors(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		demoBrand, err := s.app.store.BrandBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		brandID := demoBrand.ID
		owner := s.adminLogin("admin", s.password)
		if got := s.do("GET", "/admin/v1/settings", owner, nil).str("settings.id"); got != brandID {
			t.Fatalf("admin's brand %s is not the demo brand %s", got, brandID)
		}
		key := s.do("POST", "/admin/v1/api-keys", owner, map[string]any{"name": "erp"})
		expect(t, key, 201, "")
		apiKey := key.str("api_key")
		orders := s.app.store.Orders()
		recorded := func(source, id string) bool {
			_, err := orders.OrderByExternal(ctx, brandID, source, id)
			return err == nil
		}
		openOrder := func(id string) map[string]any {
			return map[string]any{"external_id": id, "buyer": map[string]any{"unionid": "two-doors-buyer"},
				"paid_at": s.app.clock.Now().Format(time.RFC3339),
				"lines":   []map[string]any{{"line_id": "9001", "product_id": "501", "sku_id": "9001", "quantity": 1, "paid_fen": 5000}}}
		}
		shopOrder := func(id string) {
			t.Helper()
			r := s.do("POST", "/_sim/control/channels/"+brandID+"/orders", "", map[string]any{"order_id": id,
				"buyer": map[string]any{"unionid": "two-doors-buyer"}, "city": "杭州",
				"lines": []any{map[string]any{"product_id": "501", "sku_id": "9001", "price_fen": 5000, "quantity": 1}}})
			if r.status != 200 {
				t.Fatalf("simulated shop order: %d %s", r.status, r.raw)
			}
		}

		// Channels first: the open API is refused, naming the source.
		shopOrder("37000000000000001")
		if !within(30*time.Second, func() bool { return recorded(referral.SourceChannels, "37000000000000001") }) {
			t.Fatal("the Channels push was not recorded")
		}
		r := s.do("POST", "/open/v1/orders", apiKey, openOrder("37000000000000001"))
		expect(t, r, 409, referral.CodeOrderFromOtherSource)
		if !strings.Contains(r.str("message"), "channels") {
			t.Fatalf("message does not name the source: %s", r.raw)
		}
		if recorded(referral.SourceOpenAPI, "37000000000000001") {
			t.Fatal("the open API recorded the Channels order again")
		}

		// Open API first: the Channels push is refused for good, visibly, and not retried.
		expect(t, s.do("POST", "/open/v1/orders", apiKey, openOrder("37000000000000002")), 200, "")
		shopOrder("37000000000000002")
		lastError := func() string {
			var msg string
			row := s.app.store.DB().QueryRowContext(ctx, `SELECT last_error FROM channels_events
				WHERE brand_id = $1 AND order_id = $2 AND processed_at IS NULL`, brandID, "37000000000000002")
			if err := row.Scan(&msg); err != nil {
				return ""
			}
			return msg
		}
		if !within(30*time.Second, func() bool { return strings.Contains(lastError(), referral.CodeOrderFromOtherSource) }) {
			t.Fatalf("the refused push's inbox row says %q", lastError())
		}
		if recorded(referral.SourceChannels, "37000000000000002") {
			t.Fatal("the Channels push recorded the open API's order again")
		}
	})
}

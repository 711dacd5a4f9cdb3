package miniprogramapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/server/middleware"
)

// The payout budget is one line on a route and is kept per member: one member at the limit
// gets 429 RATE_LIMITED with Retry-After, another member behind the same address does not.
func TestPayoutBudgetIsPerMember(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	store, err := kv.Open(context.Background(), "", "test:"+t.Name()+":", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	e := gin.New()
	asMember := func(c *gin.Context) { // what RequireMember leaves in the context
		c.Set(ctxBrandID, "brand-1")
		c.Set(ctxMemberID, c.GetHeader("X-Member"))
	}
	e.POST("/mp/v1/payouts", asMember, middleware.PayoutRequests.WithKey(MemberKey).Handler(store),
		func(c *gin.Context) { c.Status(http.StatusAccepted) })
	send := func(member string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/mp/v1/payouts", nil)
		req.RemoteAddr = "203.0.113.7:4000"
		req.Header.Set("X-Member", member)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w
	}
	for i := range middleware.PayoutRequests.Limit {
		if w := send("m1"); w.Code != http.StatusAccepted {
			t.Fatalf("request %d answered %d", i+1, w.Code)
		}
	}
	w := send("m1")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("over the budget: %d %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if w := send("m2"); w.Code != http.StatusAccepted {
		t.Fatalf("another member behind the same address answered %d", w.Code)
	}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	if MemberKey(c) != "" {
		t.Fatal("MemberKey without a member must be empty (RateLimit then keys by address)")
	}
}

package middleware

import (
	"time"

	"github.com/gin-gonic/gin"
)

// Budget is a named rate limit: the bucket family, how many requests per period, and what a
// bucket is keyed by. The service's budgets are declared once below, so a route takes one
// with one line (`g.POST("/x", middleware.PayoutRequests.Handler(lim), h.x)`) and every limit
// is listed in one place.
type Budget struct {
	Name   string
	Limit  int
	Period time.Duration
	// Key picks the bucket; nil → the client address (ClientIPKey).
	Key func(*gin.Context) string
}

// Handler is RateLimit with the budget's settings (fails open when the limiter is down; see
// RateLimit for why).
func (b Budget) Handler(l Limiter) gin.HandlerFunc {
	return RateLimit(l, b.Name, b.Limit, b.Period, b.Key)
}

// WithKey answers the budget keyed by key (e.g. the authenticated member), so a budget can be
// declared here and keyed where the identity is known.
func (b Budget) WithKey(key func(*gin.Context) string) Budget {
	b.Key = key
	return b
}

// The service's budgets. Login, touches and reservations also have per-identity limits in
// their domain code (brands' failed-login lockout; referral.Limits per viewer, visitor and
// inviter); these are the edge's first line.
var (
	// PerIP bounds every API call of one client address: generous enough for a venue's shared
	// NAT during a live.
	PerIP = Budget{Name: "ip", Limit: 1200, Period: time.Minute}
	// MPLogin bounds mini-program logins and refreshes per client address (each login calls
	// WeChat's code2Session).
	MPLogin = Budget{Name: "mp-login", Limit: 120, Period: time.Minute}
	// PayoutRequests bounds a member's payout requests (POST /mp/v1/payouts), keyed by member
	// (WithKey(miniprogramapi.MemberKey)): a person asks for a payout a few times a day, a
	// script hammering the ledger's locks is cut off at ten a minute. Idempotent replays count
	// too; they are cheap to retry after Retry-After.
	PayoutRequests = Budget{Name: "payout-request", Limit: 10, Period: time.Minute}
)

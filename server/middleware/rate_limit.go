package middleware

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

// Limiter is the token bucket RateLimit needs; *kv.Store implements it.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, period time.Duration) (allowed bool, retryAfter time.Duration, err error)
}

// limiterTimeout bounds how long a request waits on the limiter. A check slower than this is
// worse than no check: while Redis is unreachable every request would otherwise pay the
// client's dial and read timeouts (seconds) before failing open anyway.
const limiterTimeout = 250 * time.Millisecond

// limiterErrorLogEvery keeps a Redis outage from producing one log line per request.
const limiterErrorLogEvery = 10 * time.Second

// ClientIPKey keys a bucket by c.ClientIP() (see TrustedProxies for what that trusts).
func ClientIPKey(c *gin.Context) string { return "ip:" + c.ClientIP() }

// RateLimit allows limit requests per period for each key(c) in the bucket family name, and
// answers 429 RATE_LIMITED with Retry-After beyond that. An empty key (or a nil key func) falls
// back to ClientIPKey, so a missing identity is limited rather than unlimited.
//
// When the limiter itself fails (Redis down or slow), the request goes on: we fail OPEN.
// Why: the limiter protects capacity and slows guessing; it is not what keeps money or
// accounts safe. Payouts are guarded by Idempotency-Key, unique indexes, ledger balance checks
// and admin approval; logins by password hashing, the failed-login counter and WeChat's
// one-time codes. Failing closed would turn a Redis blip into an outage of login, touches and
// reservations in the middle of a live, when the traffic cannot be replayed later. The cost
// is a window without limits while Redis is down, which is logged (throttled) so it is seen.
// A route that must not run unlimited should check its own budget in its domain code.
func RateLimit(l Limiter, name string, limit int, period time.Duration, key func(*gin.Context) string) gin.HandlerFunc {
	if l == nil {
		panic("middleware.RateLimit: nil limiter")
	}
	if name == "" || limit <= 0 || period <= 0 {
		panic("middleware.RateLimit: name, limit and period are required")
	}
	if key == nil {
		key = ClientIPKey
	}
	var lastLog atomic.Int64 // unix nanos of the last limiter-error log line
	var skipped atomic.Int64 // errors not logged since then
	return func(c *gin.Context) {
		k := key(c)
		if k == "" {
			k = ClientIPKey(c)
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), limiterTimeout)
		allowed, retryAfter, err := l.Allow(ctx, name+":"+k, limit, period)
		cancel()
		if err != nil {
			now := time.Now().UnixNano()
			last := lastLog.Load()
			if now-last >= int64(limiterErrorLogEvery) && lastLog.CompareAndSwap(last, now) {
				httperr.Logger(c.Request.Context()).LogAttrs(c.Request.Context(), slog.LevelWarn,
					"rate limiter unavailable, failing open",
					slog.String("limiter", name),
					slog.String("request_id", httperr.RequestID(c)),
					slog.Int64("suppressed", skipped.Swap(0)),
					slog.String("error", err.Error()),
				)
			} else {
				skipped.Add(1)
			}
			c.Next()
			return
		}
		if !allowed {
			httperr.Abort(c, apperr.RateLimitedErr(retryAfter))
			return
		}
		c.Next()
	}
}

package middleware_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/server/middleware"
)

func openKV(t *testing.T) *kv.Store {
	t.Helper()
	store, err := kv.Open(context.Background(), "", "test:"+t.Name()+":", 0)
	if err != nil {
		t.Fatalf("kv.Open: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func TestRateLimitWithKV(t *testing.T) {
	store := openKV(t)
	const limit = 3
	e := gin.New()
	e.Use(middleware.RequestID())
	byMember := func(c *gin.Context) string { return c.GetHeader("X-Test-Member") }
	e.POST("/admin/v1/login", middleware.RateLimit(store, "login", limit, time.Minute, byMember), ok)

	send := func(member string) (int, map[string]any, string) {
		req := post("/admin/v1/login", `{}`)
		req.RemoteAddr = "203.0.113.9:5000"
		if member != "" {
			req.Header.Set("X-Test-Member", member)
		}
		w := do(e, req)
		var body map[string]any
		if w.Code != 200 {
			body = errorBody(t, w)
		}
		return w.Code, body, w.Header().Get("Retry-After")
	}

	for i := range limit {
		if code, _, _ := send("m1"); code != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, code)
		}
	}
	code, body, retry := send("m1")
	if code != 429 || body["code"] != "RATE_LIMITED" {
		t.Fatalf("request %d: status %d body %v, want 429 RATE_LIMITED", limit+1, code, body)
	}
	secs, err := strconv.Atoi(retry)
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After = %q, want whole seconds in [1, 60]", retry)
	}

	// Buckets are per key: another member still has its budget, and an empty key falls back
	// to the client IP (limited, not unlimited).
	if code, _, _ := send("m2"); code != 200 {
		t.Fatalf("other member: status %d, want 200", code)
	}
	for i := range limit {
		if code, _, _ := send(""); code != 200 {
			t.Fatalf("anonymous request %d: status %d, want 200", i+1, code)
		}
	}
	if code, _, _ := send(""); code != 429 {
		t.Fatalf("anonymous over budget: status %d, want 429", code)
	}
}

func TestRateLimitBucketFamiliesAreSeparate(t *testing.T) {
	store := openKV(t)
	e := gin.New()
	key := func(*gin.Context) string { return "same" }
	e.GET("/a", middleware.RateLimit(store, "a", 1, time.Minute, key), ok)
	e.GET("/b", middleware.RateLimit(store, "b", 1, time.Minute, key), ok)
	if do(e, get("/a")).Code != 200 || do(e, get("/b")).Code != 200 {
		t.Fatal("first call in each family must pass")
	}
	if do(e, get("/a")).Code != 429 {
		t.Fatal("second call in family a must be limited")
	}
}

type brokenLimiter struct{ calls int }

func (b *brokenLimiter) Allow(ctx context.Context, key string, limit int, period time.Duration) (bool, time.Duration, error) {
	b.calls++
	return false, 0, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}

func TestRateLimitFailsOpen(t *testing.T) {
	logger, buf := jsonLogger()
	lim := &brokenLimiter{}
	e := gin.New()
	e.Use(middleware.RequestID(), middleware.AccessLog(logger))
	e.GET("/", middleware.RateLimit(lim, "login", 1, time.Minute, nil), ok)
	for i := range 5 {
		if w := do(e, get("/")); w.Code != 200 {
			t.Fatalf("request %d: status %d, want 200 while the limiter is down", i+1, w.Code)
		}
	}
	var warnings int
	for _, l := range logLines(t, buf) {
		if l["msg"] == "rate limiter unavailable, failing open" {
			warnings++
			if l["limiter"] != "login" || l["level"] != "WARN" {
				t.Errorf("warning lacks context: %v", l)
			}
		}
	}
	if lim.calls != 5 || warnings != 1 {
		t.Fatalf("limiter calls %d (want 5), warnings %d (want 1: throttled)", lim.calls, warnings)
	}
}

type slowLimiter struct{}

func (slowLimiter) Allow(ctx context.Context, key string, limit int, period time.Duration) (bool, time.Duration, error) {
	<-ctx.Done() // a Redis that never answers
	return false, 0, ctx.Err()
}

func TestRateLimitBoundsLimiterLatency(t *testing.T) {
	e := gin.New()
	e.GET("/", middleware.RateLimit(slowLimiter{}, "x", 1, time.Minute, nil), ok)
	start := time.Now()
	w := do(e, get("/"))
	if w.Code != 200 {
		t.Fatalf("status %d, want 200 (fail open)", w.Code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("request waited %v on a hung limiter", d)
	}
}

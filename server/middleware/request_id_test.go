package middleware_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
)

func TestRequestID(t *testing.T) {
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"absent", "", false},
		{"sane", "edge-7f3a.01_B", true},
		{"exactly 64", strings.Repeat("a", 64), true},
		{"too long", strings.Repeat("a", 65), false},
		{"space", "abc def", false},
		{"log injection", `abc","level":"ERROR`, false},
		{"non-ascii", "请求", false},
		{"slash", "a/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gin.New()
			e.Use(middleware.RequestID())
			var inGin, inCtx string
			e.GET("/", func(c *gin.Context) {
				inGin, inCtx = httperr.RequestID(c), httperr.RequestIDFrom(c.Request.Context())
			})
			req := get("/")
			if tt.incoming != "" {
				req.Header.Set("X-Request-Id", tt.incoming)
			}
			w := do(e, req)
			echoed := w.Header().Get("X-Request-Id")
			if echoed != inGin || echoed != inCtx {
				t.Fatalf("header %q, gin %q, ctx %q: want one id everywhere", echoed, inGin, inCtx)
			}
			if tt.keep && echoed != tt.incoming {
				t.Fatalf("id = %q, want the incoming %q kept", echoed, tt.incoming)
			}
			if !tt.keep && !generated.MatchString(echoed) {
				t.Fatalf("id = %q, want a fresh 32-hex id", echoed)
			}
		})
	}
}

func TestRequestIDUniquePerRequest(t *testing.T) {
	e := gin.New()
	e.Use(middleware.RequestID())
	e.GET("/", ok)
	seen := map[string]bool{}
	for range 100 {
		id := do(e, get("/")).Header().Get("X-Request-Id")
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestRequestIDInErrorBody(t *testing.T) {
	e := gin.New()
	e.Use(middleware.RequestID())
	e.NoRoute(httperr.NoRoute)
	w := do(e, get("/missing", "X-Request-Id", "trace-42"))
	if w.Code != 404 || errorBody(t, w)["request_id"] != "trace-42" {
		t.Fatalf("status %d body %s: want 404 carrying the request id", w.Code, w.Body.String())
	}
}

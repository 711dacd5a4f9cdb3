package middleware_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
)

func TestAccessLog(t *testing.T) {
	logger, buf := jsonLogger()
	e := gin.New()
	e.Use(middleware.RequestID(), middleware.AccessLog(logger))
	e.NoRoute(httperr.NoRoute)
	e.GET("/mp/v1/lives/:live_id/links", ok)
	e.GET("/lb/:token", ok)
	e.GET("/files/*path", ok)
	e.POST("/mp/v1/payouts", func(c *gin.Context) {
		httperr.Write(c, apperr.New(apperr.Rule, "PAYOUT_LIMIT", "over the daily limit"))
	})

	tests := []struct {
		name      string
		req       *http.Request
		wantRoute string
		wantPath  string
		status    float64
		wantCode  string
	}{
		{"matched, query dropped", get("/mp/v1/lives/L1/links?sig=SECRETSIG", "Authorization", "Bearer SECRETTOKEN"), "/mp/v1/lives/:live_id/links", "/mp/v1/lives/L1/links", 200, ""},
		{"capability token redacted", get("/lb/SECRETSHARE"), "/lb/:token", "/lb/[redacted]", 200, ""},
		{"catch-all", get("/files/a/b.png"), "/files/*path", "/files/a/b.png", 200, ""},
		{"unmatched", get("/nope?code=SECRETCODE"), "unmatched", "/nope", 404, "NOT_FOUND"},
		{"error code", post("/mp/v1/payouts", `{"amount_fen":1,"real_name":"SECRETNAME"}`), "/mp/v1/payouts", "/mp/v1/payouts", 422, "PAYOUT_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			tt.req.RemoteAddr = "198.51.100.7:4242"
			w := do(e, tt.req)
			lines := logLines(t, buf)
			if len(lines) != 1 {
				t.Fatalf("want exactly one log line, got %d: %s", len(lines), buf.String())
			}
			l := lines[0]
			if strings.Contains(buf.String(), "SECRET") {
				t.Fatalf("log leaks a secret: %s", buf.String())
			}
			checks := map[string]any{
				"msg":        "http request",
				"method":     tt.req.Method,
				"route":      tt.wantRoute,
				"path":       tt.wantPath,
				"status":     tt.status,
				"request_id": w.Header().Get("X-Request-Id"),
				"client_ip":  "198.51.100.7",
				"bytes":      float64(w.Body.Len()),
			}
			for k, v := range checks {
				if l[k] != v {
					t.Errorf("%s = %#v, want %#v", k, l[k], v)
				}
			}
			if _, ok := l["duration_ms"].(float64); !ok {
				t.Errorf("duration_ms missing: %v", l)
			}
			if code, _ := l["code"].(string); code != tt.wantCode {
				t.Errorf("code = %q, want %q", code, tt.wantCode)
			}
		})
	}
}

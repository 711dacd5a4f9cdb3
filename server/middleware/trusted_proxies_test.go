package middleware_test

import (
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/middleware"
)

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		name    string
		cidrs   []string
		remote  string
		headers []string
		want    string
	}{
		{"default trusts none", nil, "192.0.2.10:1000", []string{"X-Forwarded-For", "198.51.100.1"}, "192.0.2.10"},
		{"blank entries ignored", []string{" ", ""}, "192.0.2.10:1000", []string{"X-Forwarded-For", "198.51.100.1"}, "192.0.2.10"},
		{"behind trusted proxy", []string{"192.0.2.0/24"}, "192.0.2.10:1000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"single IP", []string{" 192.0.2.10 "}, "192.0.2.10:1000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"spoofed chain: rightmost untrusted wins", []string{"192.0.2.0/24"}, "192.0.2.10:1000", []string{"X-Forwarded-For", "6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"untrusted peer sends XFF", []string{"192.0.2.0/24"}, "203.0.113.5:1000", []string{"X-Forwarded-For", "198.51.100.1"}, "203.0.113.5"},
		{"X-Real-IP not read", []string{"192.0.2.0/24"}, "192.0.2.10:1000", []string{"X-Real-IP", "198.51.100.1"}, "192.0.2.10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gin.New()
			if err := middleware.TrustedProxies(e, tt.cidrs); err != nil {
				t.Fatalf("TrustedProxies: %v", err)
			}
			var got string
			e.GET("/", func(c *gin.Context) { got = c.ClientIP() })
			req := get("/", tt.headers...)
			req.RemoteAddr = tt.remote
			do(e, req)
			if got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrustedProxiesRejectsGarbage(t *testing.T) {
	if err := middleware.TrustedProxies(gin.New(), []string{"10.0.0.0/33"}); err == nil {
		t.Fatal("want an error for an invalid CIDR")
	}
}

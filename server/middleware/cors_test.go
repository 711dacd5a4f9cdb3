package middleware_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/middleware"
)

func TestCORS(t *testing.T) {
	tests := []struct {
		name        string
		allowed     []string
		method      string
		origin      string
		preflight   bool
		wantStatus  int
		wantOrigin  string
		wantMethods bool
	}{
		{"off by default", nil, http.MethodGet, "https://brand.example", false, 200, "", false},
		{"off preflight falls through", nil, http.MethodOptions, "https://brand.example", true, 404, "", false},
		{"allowed origin", []string{"https://brand.example"}, http.MethodGet, "https://brand.example", false, 200, "https://brand.example", false},
		{"config normalised", []string{" HTTPS://Brand.Example/ "}, http.MethodGet, "https://brand.example", false, 200, "https://brand.example", false},
		{"other origin", []string{"https://brand.example"}, http.MethodGet, "https://evil.example", false, 200, "", false},
		{"no origin header", []string{"https://brand.example"}, http.MethodGet, "", false, 200, "", false},
		{"preflight allowed", []string{"https://brand.example"}, http.MethodOptions, "https://brand.example", true, 204, "https://brand.example", true},
		{"preflight other origin", []string{"https://brand.example"}, http.MethodOptions, "https://evil.example", true, 404, "", false},
		{"wildcard", []string{"*"}, http.MethodGet, "https://any.example", false, 200, "*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gin.New()
			e.Use(middleware.CORS(tt.allowed))
			e.GET("/open/v1/ping", ok)
			req := httptestRequest(tt.method, "/open/v1/ping")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			}
			w := do(e, req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Fatalf("Allow-Origin = %q, want %q", got, tt.wantOrigin)
			}
			if got := w.Header().Get("Access-Control-Allow-Methods") != ""; got != tt.wantMethods {
				t.Fatalf("Allow-Methods present = %v, want %v", got, tt.wantMethods)
			}
			if w.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Fatal("credentials must never be allowed cross-origin")
			}
			if tt.allowed == nil && len(w.Header().Values("Vary")) != 0 {
				t.Fatal("disabled CORS must not touch headers")
			}
		})
	}
}

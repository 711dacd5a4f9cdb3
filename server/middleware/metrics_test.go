package middleware_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
)

func TestMetricsRecordsRouteTemplates(t *testing.T) {
	reg := prometheus.NewRegistry()
	mw, expose := middleware.Metrics(reg)
	e := gin.New()
	e.Use(mw)
	e.NoRoute(httperr.NoRoute)
	e.GET("/mp/v1/payouts/:id", ok)

	do(e, get("/mp/v1/payouts/p-1"))
	do(e, get("/mp/v1/payouts/p-2"))
	do(e, get("/wp-admin/secret-probe-123"))
	do(e, httptestRequest("PROPFIND", "/mp/v1/payouts/p-3"))

	w := do(expose, get("/metrics"))
	text := w.Body.String()
	for _, want := range []string{
		`http_requests_total{method="GET",route="/mp/v1/payouts/:id",status="200"} 2`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_requests_total{method="OTHER",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_count{method="GET",route="/mp/v1/payouts/:id"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s\n%s", want, text)
		}
	}
	if contains(text, "p-1", "secret-probe", "PROPFIND") {
		t.Fatalf("raw paths or methods leaked into labels:\n%s", text)
	}
}

func TestMetricsHandlerToken(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		auth       string
		wantStatus int
	}{
		{"no token configured", "", "", 200},
		{"token required, none sent", "s3cret", "", 401},
		{"wrong token", "s3cret", "Bearer nope", 401},
		{"prefix of token", "s3cret", "Bearer s3cre", 401},
		{"token as basic", "s3cret", "Basic s3cret", 401},
		{"bare token", "s3cret", "s3cret", 401},
		{"right token", "s3cret", "Bearer s3cret", 200},
		{"scheme is case-insensitive", "s3cret", "bearer s3cret", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			mw, _ := middleware.Metrics(reg)
			e := gin.New()
			e.Use(middleware.RequestID(), mw)
			e.GET("/metrics", middleware.MetricsHandler(reg, tt.token))
			do(e, get("/metrics")) // so there is a series to expose

			w := do(e, get("/metrics", "Authorization", tt.auth))
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if tt.wantStatus == 401 {
				if body := errorBody(t, w); body["code"] != "UNAUTHENTICATED" {
					t.Fatalf("body = %v", body)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Fatalf("Content-Type = %q", ct)
			}
			if !strings.Contains(w.Body.String(), "http_requests_total") {
				t.Fatalf("exposition lacks http_requests_total:\n%s", w.Body.String())
			}
		})
	}
}

func TestMetricsRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	middleware.Metrics(reg)
	defer func() {
		if recover() == nil {
			t.Fatal("second Metrics on one registry must panic, not double count")
		}
	}()
	middleware.Metrics(reg)
}

func httptestRequest(method, path string) *http.Request {
	req := get(path)
	req.Method = method
	return req
}

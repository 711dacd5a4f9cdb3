package middleware_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecast/sharecast/server/middleware"
)

func TestRecovery(t *testing.T) {
	tests := []struct {
		name    string
		handler gin.HandlerFunc
		want    string // the panic text that must be logged, not shown
	}{
		{"string panic", func(c *gin.Context) { panic("ledger invariant broken: member m1") }, "ledger invariant broken"},
		{"nil map", func(c *gin.Context) {
			var m map[string]int
			m["member m1"]++
		}, "assignment to entry in nil map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, buf := jsonLogger()
			e := gin.New()
			e.Use(middleware.RequestID(), middleware.AccessLog(logger), middleware.Recovery(logger))
			e.GET("/boom", tt.handler)
			w := do(e, get("/boom", "X-Request-Id", "panic-1"))

			if w.Code != 500 {
				t.Fatalf("status = %d, want 500", w.Code)
			}
			if w.Body.String() != `{"code":"INTERNAL","message":"internal error","request_id":"panic-1"}` {
				t.Fatalf("body = %s", w.Body.String())
			}
			var panics, internals int
			for _, l := range logLines(t, buf) {
				switch l["msg"] {
				case "panic recovered":
					panics++
					if !strings.Contains(l["panic"].(string), tt.want) || l["request_id"] != "panic-1" {
						t.Errorf("panic line lacks the cause or request id: %v", l)
					}
					if !strings.Contains(l["stack"].(string), "recovery_test.go") {
						t.Errorf("stack does not point at the panicking handler: %v", l["stack"])
					}
				case "internal error":
					internals++
				}
			}
			if panics != 1 || internals != 0 {
				t.Fatalf("want the panic logged once (got %d panic lines, %d internal-error lines)", panics, internals)
			}
		})
	}
}

// Whichever side of Recovery the access log and metrics sit on, a panic is logged once with
// its original stack, answered 500, and counted and access-logged as a 500.
func TestRecoveryOrderIndependent(t *testing.T) {
	orders := []struct {
		name  string
		build func(logger *slog.Logger, metrics gin.HandlerFunc) []gin.HandlerFunc
	}{
		{"recovery innermost", func(l *slog.Logger, m gin.HandlerFunc) []gin.HandlerFunc {
			return []gin.HandlerFunc{middleware.RequestID(), middleware.AccessLog(l), m, middleware.Recovery(l)}
		}},
		{"recovery outermost", func(l *slog.Logger, m gin.HandlerFunc) []gin.HandlerFunc {
			return []gin.HandlerFunc{middleware.RequestID(), middleware.Recovery(l), middleware.AccessLog(l), m}
		}},
	}
	for _, tt := range orders {
		t.Run(tt.name, func(t *testing.T) {
			logger, buf := jsonLogger()
			reg := prometheus.NewRegistry()
			m, expose := middleware.Metrics(reg)
			e := gin.New()
			e.Use(tt.build(logger, m)...)
			e.GET("/boom", panickingHandler)

			if w := do(e, get("/boom")); w.Code != 500 {
				t.Fatalf("status = %d, want 500", w.Code)
			}
			var access, panics int
			for _, l := range logLines(t, buf) {
				switch l["msg"] {
				case "http request":
					access++
					if l["status"] != float64(500) {
						t.Errorf("access line status = %v, want 500", l["status"])
					}
				case "panic recovered":
					panics++
					if !strings.Contains(l["stack"].(string), "middleware_test.panickingHandler") {
						t.Errorf("stack lost the panicking frame:\n%s", l["stack"])
					}
				}
			}
			if access != 1 || panics != 1 {
				t.Fatalf("access lines %d, panic lines %d; want 1 each", access, panics)
			}
			want := `http_requests_total{method="GET",route="/boom",status="500"} 1`
			if text := do(expose, get("/metrics")).Body.String(); !strings.Contains(text, want) {
				t.Fatalf("metrics lack %s:\n%s", want, text)
			}
		})
	}
}

func panickingHandler(*gin.Context) { panic("boom") }

func TestRecoveryLetsAbortHandlerThrough(t *testing.T) {
	logger, _ := jsonLogger()
	e := gin.New()
	e.Use(middleware.Recovery(logger))
	e.GET("/abort", func(c *gin.Context) { panic(http.ErrAbortHandler) })
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler to reach net/http", v)
		}
	}()
	do(e, get("/abort"))
}

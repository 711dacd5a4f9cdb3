package httperr_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

func init() { gin.SetMode(gin.TestMode) }

// serve runs handler behind a route with a fixed request id and a logger writing to logs.
func serve(t *testing.T, logs *bytes.Buffer, handler gin.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	e := gin.New()
	e.Use(func(c *gin.Context) {
		httperr.SetRequestID(c, "req-1")
		if logs != nil {
			l := slog.New(slog.NewJSONHandler(logs, nil))
			c.Request = c.Request.WithContext(httperr.WithLogger(c.Request.Context(), l))
		}
	})
	e.GET("/x/:id", handler)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x/1", nil))
	return w
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return body
}

func TestWriteMapsKindToStatusAndBody(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"invalid", apperr.InvalidArgument("limit must be positive"), 400, "INVALID_ARGUMENT", "limit must be positive"},
		{"unauthenticated", apperr.UnauthenticatedErr("token expired"), 401, "UNAUTHENTICATED", "token expired"},
		{"forbidden", apperr.ForbiddenErr("role lacks the right"), 403, "FORBIDDEN", "role lacks the right"},
		{"not found", apperr.NotFoundf("live %s", "l1"), 404, "NOT_FOUND", "live l1"},
		{"conflict", apperr.New(apperr.Conflict, "ORDER_CONFLICT", "same id, other body"), 409, "ORDER_CONFLICT", "same id, other body"},
		{"too large", apperr.New(apperr.TooLarge, "BODY_TOO_LARGE", "too big"), 413, "BODY_TOO_LARGE", "too big"},
		{"rule", apperr.New(apperr.Rule, "LIVE_ENDED", "the live has ended"), 422, "LIVE_ENDED", "the live has ended"},
		{"rate limited", apperr.RateLimitedErr(2 * time.Second), 429, "RATE_LIMITED", "too many requests, slow down"},
		{"unavailable", apperr.New(apperr.Unavailable, "FONT_MISSING", "poster font missing"), 503, "FONT_MISSING", "poster font missing"},
		{"wrapped classified", fmt.Errorf("handler: %w", apperr.New(apperr.Rule, "NOTICE_MISMATCH", "notice differs")), 422, "NOTICE_MISMATCH", "notice differs"},
		{"internal kind", apperr.New(apperr.Internal, "DB_DOWN", "pq: connection refused to 10.0.0.5"), 500, "INTERNAL", "internal error"},
		{"unclassified", errors.New("pq: relation members does not exist"), 500, "INTERNAL", "internal error"},
		{"unknown kind", apperr.New(apperr.Kind(99), "WHAT", "secret detail"), 500, "INTERNAL", "internal error"},
		{"nil error", nil, 500, "INTERNAL", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, &bytes.Buffer{}, func(c *gin.Context) { httperr.Write(c, tt.err) })
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			body := decode(t, w)
			want := map[string]any{"code": tt.wantCode, "message": tt.wantMsg, "request_id": "req-1"}
			if len(body) != len(want) {
				t.Fatalf("body = %v, want exactly %v", body, want)
			}
			for k, v := range want {
				if body[k] != v {
					t.Errorf("body[%q] = %v, want %v", k, body[k], v)
				}
			}
		})
	}
}

func TestWriteRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // "" = no header
	}{
		{"zero rounds up to 1", apperr.RateLimitedErr(0), "1"},
		{"sub-second rounds up", apperr.RateLimitedErr(10 * time.Millisecond), "1"},
		{"exact seconds", apperr.RateLimitedErr(3 * time.Second), "3"},
		{"fraction rounds up", apperr.RateLimitedErr(3*time.Second + time.Nanosecond), "4"},
		{"negative clamps to 1", apperr.RateLimitedErr(-time.Second), "1"},
		{"unavailable with hint", &apperr.Error{Kind: apperr.Unavailable, Code: "FONT_MISSING", RetryAfter: 1500 * time.Millisecond}, "2"},
		{"unavailable without hint", apperr.New(apperr.Unavailable, "FONT_MISSING", "x"), ""},
		{"conflict never", apperr.New(apperr.Conflict, "IDEMPOTENCY_KEY_IN_USE", "x"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, nil, func(c *gin.Context) { httperr.Write(c, tt.err) })
			if got := w.Header().Get("Retry-After"); got != tt.want {
				t.Fatalf("Retry-After = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriteMergesDetailsWithoutOverridingFixedFields(t *testing.T) {
	err := apperr.New(apperr.Conflict, "RISK_ACK_REQUIRED", "acknowledge the risks").WithDetails(map[string]any{
		"risks":      []string{"REMINDER_WINDOW"},
		"code":       "HIJACK",
		"request_id": "forged",
	})
	w := serve(t, nil, func(c *gin.Context) { httperr.Write(c, err) })
	body := decode(t, w)
	if w.Code != 409 || body["code"] != "RISK_ACK_REQUIRED" || body["request_id"] != "req-1" {
		t.Fatalf("status %d body %v: fixed fields must win over details", w.Code, body)
	}
	risks, ok := body["risks"].([]any)
	if !ok || len(risks) != 1 || risks[0] != "REMINDER_WINDOW" {
		t.Fatalf("risks = %#v, want [REMINDER_WINDOW]", body["risks"])
	}
}

func TestWriteInternalHidesAndLogs(t *testing.T) {
	secret := "dial tcp 10.0.0.5:5432: password authentication failed for user sharecast"
	tests := []struct {
		name    string
		err     error
		wantLog bool
	}{
		{"unclassified", errors.New(secret), true},
		{"internal wrap", apperr.Wrap(errors.New(secret), apperr.Internal, "STORE", secret), true},
		{"internal with details", apperr.New(apperr.Internal, "X", secret).WithDetails(map[string]any{"dsn": secret}), true},
		{"already logged", httperr.Logged(errors.New(secret)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := serve(t, &logs, func(c *gin.Context) { httperr.Write(c, tt.err) })
			if w.Code != 500 {
				t.Fatalf("status = %d, want 500", w.Code)
			}
			if strings.Contains(w.Body.String(), "10.0.0.5") || strings.Contains(w.Body.String(), "dsn") {
				t.Fatalf("500 body leaks internals: %s", w.Body.String())
			}
			if w.Body.String() != `{"code":"INTERNAL","message":"internal error","request_id":"req-1"}` {
				t.Fatalf("body = %s", w.Body.String())
			}
			logged := strings.Contains(logs.String(), "10.0.0.5")
			if logged != tt.wantLog {
				t.Fatalf("logged = %v, want %v; logs: %s", logged, tt.wantLog, logs.String())
			}
			if tt.wantLog {
				var line map[string]any
				if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
					t.Fatalf("want one JSON log line: %v\n%s", err, logs.String())
				}
				if line["request_id"] != "req-1" || line["route"] != "/x/:id" || line["level"] != "ERROR" {
					t.Fatalf("log line lacks request context: %v", line)
				}
			}
		})
	}
}

func TestWriteAfterBodyStartedDoesNotCorrupt(t *testing.T) {
	w := serve(t, &bytes.Buffer{}, func(c *gin.Context) {
		c.String(200, "id,amount_fen\n")
		httperr.Write(c, errors.New("export cursor broke"))
	})
	if w.Code != 200 || w.Body.String() != "id,amount_fen\n" {
		t.Fatalf("got %d %q: a started stream must not get a JSON error appended", w.Code, w.Body.String())
	}
}

func TestAbortStopsChain(t *testing.T) {
	e := gin.New()
	ran := false
	e.GET("/", func(c *gin.Context) { httperr.Abort(c, apperr.ForbiddenErr("no")) }, func(c *gin.Context) { ran = true })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != 403 || ran {
		t.Fatalf("status %d, next handler ran = %v", w.Code, ran)
	}
}

func TestNoRouteNoMethod(t *testing.T) {
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.NoRoute(httperr.NoRoute)
	e.NoMethod(httperr.NoMethod)
	e.GET("/healthz", func(c *gin.Context) { c.Status(200) })

	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
	}{
		{http.MethodGet, "/nope", 404, "NOT_FOUND"},
		{http.MethodPost, "/healthz", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if body := decode(t, w); body["code"] != tt.wantCode {
				t.Fatalf("code = %v, want %s", body["code"], tt.wantCode)
			}
		})
	}
}

func TestErrorCodeRecorded(t *testing.T) {
	e := gin.New()
	var got string
	e.Use(func(c *gin.Context) { c.Next(); got = httperr.ErrorCode(c) })
	e.GET("/", func(c *gin.Context) { httperr.Write(c, apperr.New(apperr.Rule, "LIVE_ENDED", "ended")) })
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if got != "LIVE_ENDED" {
		t.Fatalf("ErrorCode = %q", got)
	}
}

func TestRequestIDReachesContext(t *testing.T) {
	e := gin.New()
	var fromGin, fromCtx string
	e.GET("/", func(c *gin.Context) {
		httperr.SetRequestID(c, "abc")
		fromGin, fromCtx = httperr.RequestID(c), httperr.RequestIDFrom(c.Request.Context())
	})
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if fromGin != "abc" || fromCtx != "abc" {
		t.Fatalf("gin %q ctx %q, want abc in both", fromGin, fromCtx)
	}
}

package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
)

// chunked hides the length, as a chunked upload does: only reading finds the size.
type chunked struct{ io.Reader }

func TestBodyLimit(t *testing.T) {
	const limit = 64
	small := `{"amount_fen": 100}`
	big := `{"note": "` + strings.Repeat("x", 200) + `"}`

	tests := []struct {
		name        string
		body        string
		hideLength  bool
		wantStatus  int
		wantCode    string
		wantHandler bool
	}{
		{"small with length", small, false, 200, "", true},
		{"small chunked", small, true, 200, "", true},
		{"big with length refused up front", big, false, 413, "BODY_TOO_LARGE", false},
		{"big chunked cut on read", big, true, 413, "BODY_TOO_LARGE", true},
		{"exactly the limit", `{"n":"` + strings.Repeat("x", limit-8) + `"}`, true, 200, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gin.New()
			e.Use(middleware.RequestID(), middleware.BodyLimit(limit))
			ran := false
			e.POST("/bind", func(c *gin.Context) {
				ran = true
				var v map[string]any
				if err := httperr.BindJSON(c, &v); err != nil {
					httperr.Write(c, err)
					return
				}
				c.JSON(200, v)
			})
			var r io.Reader = strings.NewReader(tt.body)
			if tt.hideLength {
				r = chunked{r}
			}
			req := httptest.NewRequest(http.MethodPost, "/bind", r)
			if tt.hideLength && req.ContentLength > 0 {
				t.Fatalf("test setup: ContentLength = %d, want unknown", req.ContentLength)
			}
			w := do(e, req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.wantStatus, w.Body.String())
			}
			if tt.wantCode != "" {
				body := errorBody(t, w)
				if body["code"] != tt.wantCode || !strings.Contains(body["message"].(string), "64 bytes") {
					t.Fatalf("body = %v", body)
				}
			}
			if ran != tt.wantHandler {
				t.Fatalf("handler ran = %v, want %v", ran, tt.wantHandler)
			}
		})
	}
}

func TestBodyLimitWithoutBody(t *testing.T) {
	e := gin.New()
	e.Use(middleware.BodyLimit(1))
	e.GET("/", ok)
	if w := do(e, get("/")); w.Code != 200 {
		t.Fatalf("status = %d", w.Code)
	}
}

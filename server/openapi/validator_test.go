package openapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sharecast/sharecast/server/openapi"
)

func TestValidateResponse(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := openapi.NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	textCT := http.Header{"Content-Type": {"text/plain; version=0.0.4; charset=utf-8; escaping=underscores"}}
	errBody := `{"code":"UNAUTHENTICATED","message":"a valid metrics token is required","request_id":"r1"}`

	tests := []struct {
		name    string
		method  string
		target  string
		status  int
		header  http.Header
		body    string
		wantErr bool
	}{
		{"healthz ok", "GET", "http://127.0.0.1:41234/healthz", 200, jsonCT, `{"status":"ok"}`, false},
		{"readyz ok", "GET", "/readyz", 200, jsonCT, `{"status":"ok","checks":{"database":"ok","redis":"ok"}}`, false},
		{"readyz down is 503 with checks", "GET", "/readyz", 503, jsonCT, `{"status":"unavailable","checks":{"database":"ok","redis":"unreachable"}}`, false},
		{"metrics text", "GET", "/metrics", 200, textCT, "# HELP x y\nx 1\n", false},
		{"metrics 401 error body", "GET", "/metrics", 401, jsonCT, errBody, false},
		{"error body may carry details", "GET", "/metrics", 401, jsonCT, `{"code":"UNAUTHENTICATED","message":"m","request_id":"r","hint":"x"}`, false},
		{"query string ignored for routing", "GET", "/healthz?verbose=1", 200, jsonCT, `{"status":"ok"}`, false},

		{"wrong enum value", "GET", "/healthz", 200, jsonCT, `{"status":"fine"}`, true},
		{"undocumented field", "GET", "/healthz", 200, jsonCT, `{"status":"ok","uptime":3}`, true},
		{"missing required field", "GET", "/readyz", 200, jsonCT, `{"status":"ok"}`, true},
		{"wrong check state", "GET", "/readyz", 503, jsonCT, `{"status":"unavailable","checks":{"database":"dial tcp 10.0.0.5","redis":"ok"}}`, true},
		{"undeclared status", "GET", "/healthz", 418, jsonCT, `{"status":"ok"}`, true},
		{"error body without request_id", "GET", "/metrics", 401, jsonCT, `{"code":"UNAUTHENTICATED","message":"m"}`, true},
		{"wrong content type", "GET", "/healthz", 200, http.Header{"Content-Type": {"text/html"}}, `<p>ok</p>`, true},
		{"not JSON", "GET", "/healthz", 200, jsonCT, `ok`, true},
		{"unknown path", "GET", "/nope", 404, jsonCT, `{}`, true},
		{"unknown method", "POST", "/healthz", 405, jsonCT, `{}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			err := v.ValidateResponse(req, tt.status, tt.header, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("ValidateResponse err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewValidatorNilDoc(t *testing.T) {
	if _, err := openapi.NewValidator(nil); err == nil {
		t.Fatal("want an error for a nil document")
	}
}

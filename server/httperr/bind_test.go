package httperr_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

type payoutRequest struct {
	AmountFen int64    `json:"amount_fen"`
	Note      string   `json:"note"`
	Tags      []string `json:"tags"`
}

// failingReader breaks mid-body, like a client that goes away.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

func TestBindJSON(t *testing.T) {
	tests := []struct {
		name        string
		body        io.Reader // nil = no body at all
		limit       int64     // > 0 wraps the body in http.MaxBytesReader
		wantKind    apperr.Kind
		wantCode    string
		wantMessage string // substring
		want        payoutRequest
	}{
		{name: "ok", body: strings.NewReader(`{"amount_fen": 100, "note": "hi"}`), want: payoutRequest{AmountFen: 100, Note: "hi"}},
		{name: "unknown fields allowed", body: strings.NewReader(`{"amount_fen": 5, "client_build": "3.2.1"}`), want: payoutRequest{AmountFen: 5}},
		{name: "trailing whitespace ok", body: strings.NewReader("{\"amount_fen\": 7}\n\n"), want: payoutRequest{AmountFen: 7}},
		{name: "no body", body: nil, wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "empty"},
		{name: "empty body", body: strings.NewReader(""), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "empty"},
		{name: "whitespace body", body: strings.NewReader("  \n"), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "empty"},
		{name: "truncated", body: strings.NewReader(`{"amount_fen": 1`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "ends before"},
		{name: "syntax", body: strings.NewReader(`{"amount_fen": 1,}`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "malformed JSON at byte"},
		{name: "wrong type", body: strings.NewReader(`{"amount_fen": "100"}`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: `field "amount_fen" must be an integer`},
		{name: "fraction for integer", body: strings.NewReader(`{"amount_fen": 1.5}`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: `"amount_fen" must be an integer`},
		{name: "wrong element type", body: strings.NewReader(`{"tags": [1]}`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "must be a string"},
		{name: "array instead of object", body: strings.NewReader(`[1,2]`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "must be an object"},
		{name: "two values", body: strings.NewReader(`{"amount_fen":1}{"amount_fen":2}`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "single JSON value"},
		{name: "trailing garbage", body: strings.NewReader(`{"amount_fen":1} x`), wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "malformed JSON"},
		{name: "read error", body: failingReader{}, wantKind: apperr.Invalid, wantCode: "INVALID_ARGUMENT", wantMessage: "could not read"},
		{name: "over the limit", body: strings.NewReader(`{"note": "` + strings.Repeat("a", 100) + `"}`), limit: 32, wantKind: apperr.TooLarge, wantCode: "BODY_TOO_LARGE", wantMessage: "32 bytes"},
		{name: "under the limit", body: strings.NewReader(`{"amount_fen": 9}`), limit: 32, want: payoutRequest{AmountFen: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/", tt.body)
			if tt.body == nil {
				c.Request.Body = nil
			}
			if tt.limit > 0 {
				c.Request.Body = http.MaxBytesReader(w, c.Request.Body, tt.limit)
			}
			var got payoutRequest
			err := httperr.BindJSON(c, &got)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("BindJSON: %v", err)
				}
				if got.AmountFen != tt.want.AmountFen || got.Note != tt.want.Note {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			ae, ok := apperr.As(err)
			if !ok {
				t.Fatalf("err = %v, want an *apperr.Error", err)
			}
			if ae.Kind != tt.wantKind || ae.Code != tt.wantCode || !strings.Contains(ae.Message, tt.wantMessage) {
				t.Fatalf("got %v/%s %q, want %v/%s containing %q", ae.Kind, ae.Code, ae.Message, tt.wantKind, tt.wantCode, tt.wantMessage)
			}
		})
	}
}

func TestBindJSONNonPointerIsOurBug(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	err := httperr.BindJSON(c, payoutRequest{})
	if err == nil || apperr.KindOf(err) != apperr.Internal {
		t.Fatalf("err = %v, want an unclassified (500) error", err)
	}
}

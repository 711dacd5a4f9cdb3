package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

// FuzzOpenOrderIntake drives the open API's order intake as the handler does (bounded body →
// one JSON value → times → referral.PaidOrder → Validate) with arbitrary bodies. It must never
// panic; every refusal is a 400/413 kind with a stable code (never a 500); and an accepted
// order is sane: 1-200 lines with distinct ids, quantities ≥ 1, paid_fen ≥ 0, a total that
// cannot overflow int64, and a hash that ignores the order of its lines (the idempotency
// fingerprint). The seed corpus (testdata/fuzz/FuzzOpenOrderIntake and the f.Add calls) runs
// in every `go test`; explore with `go test -fuzz FuzzOpenOrderIntake ./server`.
func FuzzOpenOrderIntake(f *testing.F) {
	f.Add([]byte(`{"external_id":"shop-1001","buyer":{"openid":"o1"},"ship_city":"杭州市","paid_at":"2026-06-01T20:00:00+08:00",` +
		`"lines":[{"line_id":"1","product_id":"p1","sku_id":"s1","product_type":"flash_sale","quantity":1,"paid_fen":10000},` +
		`{"line_id":"2","product_type":"classic","quantity":2,"paid_fen":9900}]}`))
	f.Add([]byte(`{"external_id":"x","buyer":{"unionid":"u"},"paid_at":"2026-06-01T12:00:00Z","share_code":"AbCdEfGhIjKlMn","lines":[{"line_id":"1","quantity":1,"paid_fen":0}]}`))
	f.Add([]byte(`{"external_id":"x","buyer":{"openid":"o"},"paid_at":"2026-06-01","lines":[{"line_id":"1","quantity":1,"paid_fen":1}]}`))
	f.Add([]byte(`{"external_id":"x","buyer":{"openid":"o"},"paid_at":"2026-06-01T12:00:00Z","lines":[{"line_id":"1","quantity":1,"paid_fen":-1}]}`))
	f.Add([]byte(`{"external_id":"x","buyer":{"openid":"o"},"paid_at":"2026-06-01T12:00:00Z","lines":[{"line_id":"1","quantity":1,"paid_fen":9223372036854775807}]}`))
	f.Add([]byte(`{"lines":[{"line_id":"1"},{"line_id":"1"}]}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`{"paid_fen":1.5}`))
	f.Add([]byte(`[`))
	f.Add([]byte(``))
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, "/open/v1/orders", bytes.NewReader(body))
		c.Request.Body = http.MaxBytesReader(w, c.Request.Body, 64<<10)
		refused := func(err error) {
			t.Helper()
			k := apperr.KindOf(err)
			if k != apperr.Invalid && k != apperr.TooLarge || apperr.CodeOf(err) == "" {
				t.Fatalf("refusal of kind %v code %q: %v", k, apperr.CodeOf(err), err)
			}
		}
		var req openOrderRequest
		if err := httperr.BindJSON(c, &req); err != nil {
			refused(err)
			return
		}
		in, err := req.paidOrder()
		if err != nil {
			refused(err)
			return
		}
		if err := in.Validate(); err != nil {
			refused(err)
			return
		}
		if len(in.Lines) < 1 || len(in.Lines) > 200 {
			t.Fatalf("accepted %d lines", len(in.Lines))
		}
		var total int64
		ids := map[string]bool{}
		for _, l := range in.Lines {
			if l.Quantity < 1 || l.PaidFen < 0 || ids[l.LineID] {
				t.Fatalf("accepted line %+v", l)
			}
			ids[l.LineID] = true
			if total+l.PaidFen < total {
				t.Fatalf("line totals overflow")
			}
			total += l.PaidFen
		}
		rev := in
		rev.Lines = slices.Clone(in.Lines)
		slices.Reverse(rev.Lines)
		if rev.Hash() != in.Hash() {
			t.Fatal("the hash depends on the order of the lines")
		}
		// The body re-encoded reads back as the same order.
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		var req2 openOrderRequest
		if err := json.Unmarshal(again, &req2); err != nil {
			t.Fatal(err)
		}
		in2, err := req2.paidOrder()
		if err != nil || in2.Hash() != in.Hash() {
			t.Fatalf("round trip changed the order: %v", err)
		}
	})
}

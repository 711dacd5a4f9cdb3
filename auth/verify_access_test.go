package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/clock"
)

func validClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": "sharecast", "aud": "mp", "sub": "member-1", "bid": "brand-1",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "x"}
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for kk, vv := range c {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// tamper replaces the payload of a signed token, keeping header and signature.
func tamper(t *testing.T, token string, change func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	raw, _ = json.Marshal(m)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func TestVerifyAccess(t *testing.T) {
	cur := randomKey(t)
	prev := randomKey(t)
	other := randomKey(t)
	clk := clock.NewFixed(testNow)
	iss := auth.NewIssuer(cur, clk, nil, prev)
	c := validClaims(testNow)
	valid := sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, c)

	tests := []struct {
		name    string
		token   string
		advance time.Duration
		ok      bool
	}{
		{"valid", valid, 0, true},
		{"valid just before expiry", valid, time.Hour - time.Second, true},
		{"expired", valid, time.Hour + time.Second, false},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "iat", testNow.Add(time.Minute).Unix())), 0, false},
		{"not valid before a future nbf", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "nbf", testNow.Add(time.Minute).Unix())), 0, false},
		{"valid once nbf has passed", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "nbf", testNow.Add(time.Minute).Unix())), time.Minute, true},
		{"nbf not a number", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "nbf", "soon")), 0, false},
		{"iat not a number", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "iat", "now")), 0, false},
		{"previous key still verifies", sign(t, jwt.SigningMethodHS256, prev.ID, prev.Secret, c), 0, true},
		{"previous kid but current secret", sign(t, jwt.SigningMethodHS256, prev.ID, cur.Secret, c), 0, false},
		{"unknown kid", sign(t, jwt.SigningMethodHS256, other.ID, other.Secret, c), 0, false},
		{"unknown kid with current secret", sign(t, jwt.SigningMethodHS256, "deadbeef", cur.Secret, c), 0, false},
		{"no kid", sign(t, jwt.SigningMethodHS256, "", cur.Secret, c), 0, false},
		{"HS384 with the same key", sign(t, jwt.SigningMethodHS384, cur.ID, cur.Secret, c), 0, false},
		{"HS512 with the same key", sign(t, jwt.SigningMethodHS512, cur.ID, cur.Secret, c), 0, false},
		{"alg none", sign(t, jwt.SigningMethodNone, cur.ID, jwt.UnsafeAllowNoneSignatureType, c), 0, false},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "aud", "console")), 0, false},
		{"no audience", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "aud", nil)), 0, false},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "iss", "evil")), 0, false},
		{"no exp", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "exp", nil)), 0, false},
		{"no sub", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "sub", nil)), 0, false},
		{"no bid", sign(t, jwt.SigningMethodHS256, cur.ID, cur.Secret, with(c, "bid", nil)), 0, false},
		{"tampered payload", tamper(t, valid, func(m map[string]any) { m["bid"] = "brand-2" }), 0, false},
		{"tampered expiry", tamper(t, valid, func(m map[string]any) { m["exp"] = testNow.Add(48 * time.Hour).Unix() }), 0, false},
		{"truncated signature", valid[:len(valid)-4], 0, false},
		{"garbage", "not.a.jwt", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFixed(testNow.Add(tt.advance))
			iss := *iss
			iss.Clock = clk
			got, err := iss.VerifyAccess(tt.token)
			if !tt.ok {
				wantUnauthenticated(t, err)
				if got != (auth.Claims{}) {
					t.Fatalf("claims returned with an error: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyAccess: %v", err)
			}
			want := auth.Claims{BrandID: "brand-1", MemberID: "member-1", ExpiresAt: time.Unix(testNow.Add(time.Hour).Unix(), 0)}
			if got.BrandID != want.BrandID || got.MemberID != want.MemberID || !got.ExpiresAt.Equal(want.ExpiresAt) {
				t.Fatalf("claims = %+v, want %+v", got, want)
			}
		})
	}
	_ = clk
}

func TestVerifyAccessAfterRotation(t *testing.T) {
	old := randomKey(t)
	next := randomKey(t)
	clk := clock.NewFixed(testNow)
	tok := sign(t, jwt.SigningMethodHS256, old.ID, old.Secret, validClaims(testNow))
	if _, err := auth.NewIssuer(next, clk, nil, old).VerifyAccess(tok); err != nil {
		t.Fatalf("token of a rotated-out key must verify while it is Previous: %v", err)
	}
	_, err := auth.NewIssuer(next, clk, nil).VerifyAccess(tok)
	wantUnauthenticated(t, err)
}

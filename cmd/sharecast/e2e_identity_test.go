package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The member journey of API.md: wx.login through the simulator, session, refresh (with the
// grace window), me, profile changes.
func TestMemberLoginRefreshAndProfile(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		code, openid := s.wxLogin("wx0000000000000001", "")
		r := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": code})
		expect(t, r, 200, "")
		access, refresh := r.str("access_token"), r.str("refresh_token")
		memberID := r.str("member.id")
		if access == "" || refresh == "" || memberID == "" {
			t.Fatalf("incomplete session: %s", r.raw)
		}

		me := s.do("GET", "/mp/v1/me", access, nil)
		expect(t, me, 200, "")
		if me.str("member.id") != memberID {
			t.Fatalf("me is another member: %s", me.raw)
		}

		p := s.do("PATCH", "/mp/v1/me", access, map[string]any{"nickname": "小红", "leaderboard_visible": false, "real_name": "张三"})
		expect(t, p, 200, "")
		if p.str("member.nickname") != "小红" || p.body["member"].(map[string]any)["leaderboard_visible"] != false {
			t.Fatalf("profile not changed: %s", p.raw)
		}
		if strings.Contains(string(p.raw), "张三") {
			t.Fatal("the real name is write-only but came back")
		}

		// The same member logs in again: same id.
		again := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": s.wxCode("wx0000000000000001", openid)})
		expect(t, again, 200, "")
		if again.str("member.id") != memberID || again.str("member.nickname") != "小红" {
			t.Fatalf("a second login of the same openid must find the same member: %s", again.raw)
		}

		// Refresh, then the same refresh again inside the grace window: the same pair.
		r1 := s.do("POST", "/mp/v1/session/refresh", "", map[string]any{"refresh_token": refresh})
		expect(t, r1, 200, "")
		r2 := s.do("POST", "/mp/v1/session/refresh", "", map[string]any{"refresh_token": refresh})
		expect(t, r2, 200, "")
		if r1.str("refresh_token") != r2.str("refresh_token") || r1.str("access_token") != r2.str("access_token") {
			t.Fatal("a repeat inside the grace window must answer the same pair")
		}
		if r1.str("refresh_token") == refresh {
			t.Fatal("refresh did not rotate")
		}
		expect(t, s.do("GET", "/mp/v1/me", r1.str("access_token"), nil), 200, "")

		// After the grace window a reuse of the old token revokes the whole family.
		s.advanceClock(time.Minute)
		expect(t, s.do("POST", "/mp/v1/session/refresh", "", map[string]any{"refresh_token": refresh}), 401, "UNAUTHENTICATED")
		expect(t, s.do("POST", "/mp/v1/session/refresh", "", map[string]any{"refresh_token": r1.str("refresh_token")}), 401, "UNAUTHENTICATED")

		// Access tokens expire by the service clock.
		fresh := s.login()
		s.advanceClock(2 * time.Hour)
		expect(t, s.do("GET", "/mp/v1/me", fresh.str("access_token"), nil), 401, "UNAUTHENTICATED")
	})
}

func TestMemberBadInput(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		// Unknown appid.
		expect(t, s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx00000000000000ff", "code": "x"}), 404, "BRAND_NOT_FOUND")
		// A reused code, and a code that expired (5 minutes by the service clock).
		code := s.wxCode("wx0000000000000001", "")
		expect(t, s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": code}), 200, "")
		expect(t, s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": code}), 401, "WECHAT_CODE_INVALID")
		old := s.wxCode("wx0000000000000001", "")
		s.advanceClock(6 * time.Minute)
		expect(t, s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": old}), 401, "WECHAT_CODE_INVALID")
		// Malformed JSON, a wrong type, a missing field.
		expect(t, s.do("POST", "/mp/v1/session", "", `{"appid":`), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/mp/v1/session", "", `{"appid": 5, "code": "x"}`), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/mp/v1/session", "", `{"appid": "wx0000000000000001"}`), 400, "INVALID_ARGUMENT")
		// A body over the limit.
		big := `{"appid":"wx0000000000000001","code":"` + strings.Repeat("a", 2<<20) + `"}`
		expect(t, s.do("POST", "/mp/v1/session", "", big), 413, "BODY_TOO_LARGE")

		// Tokens: none, garbage, tampered, unsigned (alg none), another key.
		access := s.login().str("access_token")
		parts := strings.Split(access, ".")
		tampered := parts[0] + "." + parts[1] + "x." + parts[2]
		unsigned := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
		for name, tok := range map[string]string{"none": "", "garbage": "abc", "tampered": tampered, "unsigned": unsigned} {
			t.Run(name, func(t *testing.T) {
				expect(t, s.do("GET", "/mp/v1/me", tok, nil), 401, "UNAUTHENTICATED")
			})
		}
		expect(t, s.do("POST", "/mp/v1/session/refresh", "", map[string]any{"refresh_token": "nope.nope"}), 401, "UNAUTHENTICATED")
		expect(t, s.do("PATCH", "/mp/v1/me", access, map[string]any{"avatar_url": "javascript:alert(1)"}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("PATCH", "/mp/v1/me", access, map[string]any{"nickname": strings.Repeat("长", 33)}), 400, "INVALID_ARGUMENT")
		// Unknown routes and methods answer JSON errors too.
		r := s.unchecked("GET", "/mp/v1/nope", access, nil)
		if r.status != http.StatusNotFound || r.str("code") != "NOT_FOUND" {
			t.Fatalf("unknown route: %d %s", r.status, r.raw)
		}
	})
}

package main

import (
	"context"
	"testing"
)

// A member created through a share code's invite_code gets the code's owner as recruiter
// (the tier-2 link); an unknown or another brand's code creates the member without one, and
// a returning member's recruiter never changes.
func TestInviteCodeSetsRecruiterOnce(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		admin := s.adminLogin("admin", demoPassword)
		liveID := s.newLive(admin, "Invite live", "notice-invite")
		a := s.member("招募人A")
		code := s.links(a, liveID, map[string]any{"channels": []string{"moments"}})["moments"]

		session := func(openid, invite string) resp {
			t.Helper()
			wx, _ := s.wxLogin(demoAppID, openid)
			body := map[string]any{"appid": demoAppID, "code": wx}
			if invite != "" {
				body["invite_code"] = invite
			}
			r := s.do("POST", "/mp/v1/session", "", body)
			expect(t, r, 200, "")
			return r
		}
		recruiterOf := func(id string) string {
			t.Helper()
			m, err := s.app.store.MemberByID(ctx, demoBrandID(t, s), id)
			if err != nil {
				t.Fatal(err)
			}
			return m.RecruiterID
		}

		b := session("o-invited-b", code)
		if got := recruiterOf(b.str("member.id")); got != a.id {
			t.Fatalf("recruiter %q, want A %q", got, a.id)
		}
		// Logging in again through someone else's code changes nothing.
		c := s.member("")
		otherCode := s.links(c, liveID, map[string]any{"channels": []string{"group"}, "group": "g"})["group"]
		if again := session("o-invited-b", otherCode); recruiterOf(again.str("member.id")) != a.id {
			t.Fatal("a returning member's recruiter changed")
		}
		// Unknown and foreign codes: logged in, no recruiter.
		if d := session("o-invited-d", "NoSuchCode123"); recruiterOf(d.str("member.id")) != "" {
			t.Fatal("an unknown code set a recruiter")
		}
		if e := session("o-invited-e", s.otherBrandCode(t)); recruiterOf(e.str("member.id")) != "" {
			t.Fatal("another brand's code set a recruiter")
		}
		// A malformed code is refused before anything happens.
		wx, _ := s.wxLogin(demoAppID, "o-invited-f")
		expect(t, s.do("POST", "/mp/v1/session", "", map[string]any{"appid": demoAppID, "code": wx, "invite_code": "not a code!"}), 400, "INVALID_ARGUMENT")
	})
}

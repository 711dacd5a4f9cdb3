package main

import (
	"context"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server"
	"github.com/sharecast/sharecast/server/openapi"
)

func TestAdminSessionsRolesSettingsAndAudit(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)

		// Owner creates an operator and a finance admin.
		op := s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "olive", "password": "operator-pass-1", "role": "operator"})
		expect(t, op, 201, "")
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "olive", "password": "operator-pass-1", "role": "operator"}), 409, "ADMIN_EXISTS")
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "weak", "password": "short", "role": "finance"}), 400, "WEAK_PASSWORD")
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "x", "password": "long-enough-pass", "role": "king"}), 400, "INVALID_ARGUMENT")
		fin := s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "fiona", "password": "finance-pass-1", "role": "finance"})
		expect(t, fin, 201, "")

		// An operator calling owner routes: 403; the audit log is owner/finance only.
		opTok := s.adminLogin("olive", "operator-pass-1")
		expect(t, s.do("GET", "/admin/v1/settings", opTok, nil), 403, "FORBIDDEN")
		expect(t, s.do("PATCH", "/admin/v1/settings", opTok, map[string]any{"city": "北京"}), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/admins", opTok, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/audit", opTok, nil), 403, "FORBIDDEN")
		finTok := s.adminLogin("fiona", "finance-pass-1")
		expect(t, s.do("GET", "/admin/v1/audit", finTok, nil), 200, "")

		// Settings: credentials are write-only, rules are validated, every change is audited.
		set := s.do("PATCH", "/admin/v1/settings", owner, map[string]any{
			"city": "杭州", "credentials": map[string]any{"pay_apiv3_key": "0123456789abcdef0123456789abcdef"},
			"rules": map[string]any{"hold_days": 10}})
		expect(t, set, 200, "")
		if set.str("settings.city") != "杭州" || strings.Contains(string(set.raw), "0123456789abcdef") {
			t.Fatalf("settings answer: %s", set.raw)
		}
		rules := set.body["settings"].(map[string]any)["rules"].(map[string]any)
		if rules["hold_days"] != float64(10) || rules["auto_confirm_days"] != float64(15) {
			t.Fatalf("rules not applied with defaults: %v", rules)
		}
		creds := set.body["settings"].(map[string]any)["credentials"].(map[string]any)
		if creds["pay_apiv3_key"] != true || creds["mp_app_secret"] != true {
			t.Fatalf("credential flags: %v", creds)
		}
		expect(t, s.do("PATCH", "/admin/v1/settings", owner, map[string]any{"rules": map[string]any{"payout_max_fen": 300000}}), 400, "INVALID_RULES")
		expect(t, s.do("PATCH", "/admin/v1/settings", owner, map[string]any{"timezone": "Mars/Olympus"}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("PATCH", "/admin/v1/settings", owner, map[string]any{"credentials": map[string]any{"root_password": "x"}}), 400, "INVALID_ARGUMENT")
		// The sealed secret opens to what was written (the service needs it), and the database
		// never holds it in the clear.
		b, err := s.app.brands.Brand(context.Background(), set.str("settings.id"))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := s.app.brands.Credential(b, brands.CredPayAPIv3Key); err != nil || v != "0123456789abcdef0123456789abcdef" {
			t.Fatalf("sealed credential does not open: %q %v", v, err)
		}
		if strings.Contains(string(b.Sealed[brands.CredPayAPIv3Key]), "0123456789abcdef") {
			t.Fatal("credential stored in the clear")
		}

		audit := s.do("GET", "/admin/v1/audit?limit=2", owner, nil)
		expect(t, audit, 200, "")
		entries := audit.body["entries"].([]any)
		if len(entries) != 2 || audit.body["next_cursor"] == nil {
			t.Fatalf("audit page: %s", audit.raw)
		}
		if got := entries[0].(map[string]any)["action"]; got != "settings.update" {
			t.Fatalf("newest audit entry is %v, want settings.update", got)
		}
		if strings.Contains(string(audit.raw), "0123456789abcdef") {
			t.Fatal("audit log holds a secret")
		}
		next := s.do("GET", "/admin/v1/audit?limit=200&cursor="+audit.body["next_cursor"].(string), owner, nil)
		expect(t, next, 200, "")
		if len(next.body["entries"].([]any)) == 0 {
			t.Fatal("second audit page empty")
		}

		// The last owner cannot demote or disable themself.
		me := s.do("GET", "/admin/v1/admins", owner, nil)
		var ownerID string
		for _, a := range me.body["admins"].([]any) {
			if a.(map[string]any)["username"] == "admin" {
				ownerID = a.(map[string]any)["id"].(string)
			}
		}
		expect(t, s.do("PATCH", "/admin/v1/admins/"+ownerID, owner, map[string]any{"role": "operator"}), 422, "LAST_OWNER")

		// Disabling an admin ends their sessions at once.
		expect(t, s.do("PATCH", "/admin/v1/admins/"+op.str("admin.id"), owner, map[string]any{"disabled": true}), 200, "")
		expect(t, s.do("POST", "/admin/v1/logout", opTok, nil), 401, "UNAUTHENTICATED")

		// Password change ends every session of that admin; the new password works.
		expect(t, s.do("POST", "/admin/v1/password", finTok, map[string]any{"current_password": "wrong-password", "new_password": "finance-pass-2"}), 401, "UNAUTHENTICATED")
		expect(t, s.do("POST", "/admin/v1/password", finTok, map[string]any{"current_password": "finance-pass-1", "new_password": "finance-pass-2"}), 204, "")
		expect(t, s.do("GET", "/admin/v1/audit", finTok, nil), 401, "UNAUTHENTICATED")
		s.adminLogin("fiona", "finance-pass-2")

		// Logout revokes the token.
		expect(t, s.do("POST", "/admin/v1/logout", owner, nil), 204, "")
		expect(t, s.do("GET", "/admin/v1/settings", owner, nil), 401, "UNAUTHENTICATED")
	})
}

func TestAdminLoginFailuresLookAlikeAndLockOut(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		wrongPw := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": "wrong-password"})
		unknown := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "nobody", "password": "wrong-password"})
		noBrand := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "nope", "username": "admin", "password": "wrong-password"})
		for _, r := range []resp{wrongPw, unknown, noBrand} {
			expect(t, r, 401, "UNAUTHENTICATED")
			if r.str("message") != wrongPw.str("message") {
				t.Fatalf("failures must look alike: %s vs %s", r.raw, wrongPw.raw)
			}
		}
		// Five failures for one username lock it for the window, even with the right password.
		for i := 0; i < 4; i++ {
			expect(t, s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": "wrong-password"}), 401, "")
		}
		locked := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": s.password})
		expect(t, locked, 429, "RATE_LIMITED")
		if locked.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		expect(t, s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo"}), 400, "INVALID_ARGUMENT")
	})
}

// Another brand's ids answer 404, and its data never shows.
func TestTenantIsolation(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		other, err := s.app.brands.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, other.ID, brands.NewAdminInput{Username: "admin", Password: "other-owner-pass", Role: "owner"})
		if err != nil {
			t.Fatal(err)
		}
		owner := s.adminLogin("admin", s.password)
		expect(t, s.do("PATCH", "/admin/v1/admins/"+stranger.ID, owner, map[string]any{"disabled": true}), 404, "NOT_FOUND")
		list := s.do("GET", "/admin/v1/admins", owner, nil)
		if strings.Contains(string(list.raw), stranger.ID) {
			t.Fatal("another brand's admin is listed")
		}
		otherTok := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "other", "username": "admin", "password": "other-owner-pass"})
		expect(t, otherTok, 200, "")
		if strings.Contains(string(s.do("GET", "/admin/v1/audit?limit=200", otherTok.str("token"), nil).raw), "settings.update") {
			t.Fatal("another brand's audit entries are visible")
		}
		if got := s.do("GET", "/admin/v1/settings", otherTok.str("token"), nil).str("settings.slug"); got != "other" {
			t.Fatalf("settings of the wrong brand: %q", got)
		}
	})
}

// Every route outside the public allow-list refuses a request without a token, and every
// registered route has its OpenAPI entry (and every entry a route).
func TestRoutesAreAuthenticatedAndDocumented(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		routes := s.app.server.Routes()
		if err := openapi.CheckRoutes(routes, func(_, path string) bool { return server.IsSimulatorRoute(path) }); err != nil {
			t.Fatal(err)
		}
		public := func(path string) bool {
			for _, p := range server.PublicPrefixes {
				if path == p || strings.HasPrefix(path, p+"/") {
					return true
				}
			}
			return server.IsSimulatorRoute(path)
		}
		checked := 0
		for _, r := range routes {
			if public(r.Path) {
				continue
			}
			path := strings.NewReplacer(":id", "x", ":live_id", "x", ":code", "x").Replace(r.Path)
			if server.IsConsolePage(r.Path) {
				// Console pages are not public either: without a session they send the
				// browser to the login form instead of answering 401 JSON.
				s.expectLoginRedirect(r.Method, path)
				checked++
				continue
			}
			res := s.do(r.Method, path, "", `{}`)
			if res.status != 401 || res.str("code") != "UNAUTHENTICATED" {
				t.Errorf("%s %s without a token answered %d %s", r.Method, r.Path, res.status, res.raw)
			}
			checked++
		}
		if checked < 8 {
			t.Fatalf("walked only %d routes", checked)
		}
	})
}

package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/console"
)

func expectSecurityHeaders(t *testing.T, what string, p page) {
	t.Helper()
	h := p.header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows inline code: %q", what, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("%s: security headers missing: %v", what, h)
	}
}

func cookieNamed(p page, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// The console's session, CSRF, headers and roles at the HTTP level, on both engines.
func TestConsoleSessionCSRFRolesAndAudit(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		anon := s.console()
		// Pages without a session go to the login form, remembering where they were going.
		p := anon.get("/admin/settings")
		expectPage(t, "settings without a session", p, 303)
		if p.location() != "/admin/login?next=%2Fadmin%2Fsettings" {
			t.Fatalf("redirect to %q", p.location())
		}
		expectSecurityHeaders(t, "redirect", p)

		cc := s.console()
		form := cc.get("/admin/login")
		expectPage(t, "login form", form, 200, `name="csrf_token"`, "登录管理后台")
		expectSecurityHeaders(t, "login form", form)
		if c := cookieNamed(form, "sharecast_login"); c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Fatalf("login nonce cookie: %+v", c)
		}
		// The login form needs its CSRF token too.
		expectPage(t, "login without CSRF", cc.post("/admin/login", url.Values{console.CSRFField: {""}, "brand": {"demo"},
			"username": {"admin"}, "password": {s.password}}), 403)
		expectPage(t, "wrong password", cc.post("/admin/login", url.Values{"brand": {"demo"}, "username": {"admin"},
			"password": {"wrong-password"}}), 401, "品牌、用户名或密码错误")
		// next= only ever leads inside the console.
		in := cc.post("/admin/login", url.Values{"brand": {"demo"}, "username": {"admin"}, "password": {s.password},
			"next": {"https://evil.example/admin"}})
		expectPage(t, "login", in, 303)
		if in.location() != "/admin" {
			t.Fatalf("login led to %q", in.location())
		}
		sc := cookieNamed(in, console.SessionCookie)
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure || sc.Path != "/admin" {
			t.Fatalf("session cookie: %+v", sc)
		}

		// Home sends the owner to the first page of the navigation.
		home := cc.get("/admin")
		expectPage(t, "home", home, 303)
		// The lives list shows the demo's lives with their counted reservations.
		lives := cc.get(home.location())
		expectPage(t, "lives", lives, 200, "Demo upcoming live 新品首发直播")

		// Settings: the owner sees them; credentials only as set / not set.
		set := cc.get("/admin/settings")
		expectPage(t, "settings", set, 200, `value="上海"`, "已设置")
		expectSecurityHeaders(t, "settings", set)
		if set.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("settings page may be cached: %q", set.header.Get("Cache-Control"))
		}
		b, err := s.app.store.BrandBySlug(context.Background(), "demo")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range brands.CredentialFields {
			if !b.HasCredential(f) {
				continue
			}
			v, err := s.app.brands.Credential(b, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(v) >= 8 && strings.Contains(set.body, v) {
				t.Fatalf("settings page shows credential %s", f)
			}
		}

		// A form without the CSRF token, or with another's, is refused (403) and changes nothing.
		expectPage(t, "settings POST without CSRF", cc.post("/admin/settings", url.Values{console.CSRFField: {""}, "city": {"北京"}}), 403, "表单已失效")
		expectPage(t, "settings POST with a forged token", cc.post("/admin/settings", url.Values{console.CSRFField: {"forged"}, "city": {"北京"}}), 403)
		// Bad input shows the form again with the problem.
		expectPage(t, "yuan with three decimals", cc.post("/admin/settings", url.Values{"rule_payout_max_fen": {"1.005"}}), 400, `id="problem"`)
		expectPage(t, "unknown timezone", cc.post("/admin/settings", url.Values{"timezone": {"Mars/Olympus"}}), 400, `id="problem"`)
		cc.get("/admin/settings")
		saved := cc.post("/admin/settings", url.Values{"city": {"杭州"}, "rule_payout_max_fen": {"150.00"}})
		expectPage(t, "save settings", saved, 303)
		expectPage(t, "after save", cc.get(saved.location()), 200, `value="杭州"`, `id="flash"`, `value="150.00"`)
		nb, err := s.app.brands.Brand(context.Background(), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if nb.City != "杭州" || nb.Rules.PayoutMaxFen != 15000 || nb.Name != b.Name {
			t.Fatalf("saved brand: city %q max %d name %q", nb.City, nb.Rules.PayoutMaxFen, nb.Name)
		}
		// Only what changed reaches the audit log.
		audit := cc.get("/admin/audit")
		expectPage(t, "audit", audit, 200, `data-action="settings.update"`, `{&#34;changed&#34;:[&#34;city&#34;,&#34;rules&#34;]}`)

		// Admins: create an operator and a finance admin through the form.
		expectPage(t, "admins", cc.get("/admin/admins"), 200, `data-admin="admin"`)
		expectPage(t, "weak password", cc.post("/admin/admins", url.Values{"username": {"olive"}, "password": {"short"}, "role": {"operator"}}), 400, `id="problem"`)
		cc.get("/admin/admins")
		expectPage(t, "create operator", cc.post("/admin/admins", url.Values{"username": {"olive"}, "password": {"operator-pass-1"}, "role": {"operator"}}), 303)
		cc.get("/admin/admins")
		expectPage(t, "create finance", cc.post("/admin/admins", url.Values{"username": {"fiona"}, "password": {"finance-pass-1"}, "role": {"finance"}}), 303)
		ownerID := s.adminID("admin")
		cc.get("/admin/admins/" + ownerID)
		expectPage(t, "demote the last owner", cc.post("/admin/admins/"+ownerID, url.Values{"role": {"operator"}}), 422, `id="problem"`)

		// Operator: lives only; owner pages and actions are refused server-side.
		op := s.console()
		op.login("demo", "olive", "operator-pass-1")
		for _, path := range []string{"/admin/settings", "/admin/admins", "/admin/admins/" + ownerID, "/admin/audit"} {
			expectPage(t, "operator GET "+path, op.get(path), 403, "你的角色无权访问此页面")
		}
		opLives := op.get("/admin/lives")
		expectPage(t, "operator lives", opLives, 200, `href="/admin/lives"`)
		for _, hidden := range []string{`href="/admin/settings"`, `href="/admin/admins"`, `href="/admin/audit"`, `href="/admin/payouts`} {
			if strings.Contains(opLives.body, hidden) {
				t.Fatalf("operator navigation shows %s", hidden)
			}
		}
		expectPage(t, "operator POST settings", op.post("/admin/settings", url.Values{"city": {"北京"}}), 403)
		expectPage(t, "operator POST admins", op.post("/admin/admins", url.Values{"username": {"mallory"}, "password": {"mallory-pass-1"}, "role": {"owner"}}), 403)

		// Finance: audit yes, admins no.
		fin := s.console()
		fin.login("demo", "fiona", "finance-pass-1")
		expectPage(t, "finance audit", fin.get("/admin/audit"), 200, `href="/admin/audit"`)
		expectPage(t, "finance admins", fin.get("/admin/admins"), 403)

		// The JSON API takes the console cookie too, with the CSRF token as a header for changes.
		json := func(method, path, body string, hdr ...string) page {
			req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			return cc.send(req)
		}
		expectPage(t, "API GET with the cookie", json("GET", "/admin/v1/settings", ""), 200, `"city":"杭州"`)
		expectPage(t, "API PATCH with the cookie, no CSRF", json("PATCH", "/admin/v1/settings", `{"city":"北京"}`), 403, "CSRF_INVALID")
		cc.get("/admin/settings")
		expectPage(t, "API PATCH with the cookie and CSRF", json("PATCH", "/admin/v1/settings", `{"city":"南京"}`, console.CSRFHeader, cc.csrf), 200, `"city":"南京"`)

		// Disabling an admin ends their console session at once.
		oliveID := s.adminID("olive")
		cc.get("/admin/admins/" + oliveID)
		expectPage(t, "disable operator", cc.post("/admin/admins/"+oliveID, url.Values{"disabled": {"1"}}), 303)
		expectPage(t, "disabled operator", op.get("/admin/lives"), 303)

		// English on request; Chinese by default.
		en := cc.get("/admin/lang/en?next=%2Fadmin%2Fsettings")
		expectPage(t, "switch to English", en, 303)
		if en.location() != "/admin/settings" {
			t.Fatalf("language switch led to %q", en.location())
		}
		expectPage(t, "English settings", cc.get("/admin/settings"), 200, "Brand settings", `lang="en"`)
		if l := cc.get("/admin/lang/en?next=https%3A%2F%2Fevil.example"); l.location() != "/admin" {
			t.Fatalf("language switch led off-site: %q", l.location())
		}

		// Logout ends the session.
		cc.get("/admin/settings")
		expectPage(t, "logout", cc.post("/admin/logout", nil), 303)
		expectPage(t, "after logout", cc.get("/admin/settings"), 303)
		expectPage(t, "static css", cc.get("/admin/static/console.css"), 200)
		expectPage(t, "static missing", cc.get("/admin/static/nope.css"), 404)
	})
}

// Another brand's session sees none of this brand's resources: their ids answer 404.
func TestConsoleTenantIsolation(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		_, stranger := s.otherBrand("other", "other-owner-pass")
		demoOwner := s.adminID("admin")

		other := s.console()
		other.login("other", "admin", "other-owner-pass")
		expectPage(t, "other brand's admin page", other.get("/admin/admins/"+demoOwner), 404)
		other.get("/admin/admins")
		expectPage(t, "other brand disables our owner", other.post("/admin/admins/"+demoOwner, url.Values{"disabled": {"1"}}), 404)
		set := other.get("/admin/settings")
		expectPage(t, "other brand's settings", set, 200, `value="北京"`)
		if strings.Contains(set.body, "上海") || strings.Contains(set.body, "Demo Brand") {
			t.Fatal("another brand's settings page shows the demo brand")
		}
		list := other.get("/admin/admins")
		if strings.Contains(list.body, demoOwner) {
			t.Fatal("another brand's admins list shows ours")
		}

		demo := s.console()
		demo.login("demo", "admin", s.password)
		expectPage(t, "our owner opens the stranger", demo.get("/admin/admins/"+stranger.ID), 404)
		audit := demo.get("/admin/audit")
		if strings.Contains(audit.body, stranger.ID) {
			t.Fatal("audit log shows another brand's entries")
		}
		// Our owner is untouched.
		list2, err := s.app.brands.Admins(context.Background(), mustBrandID(t, s, "demo"))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list2 {
			if a.ID == demoOwner && a.Disabled {
				t.Fatal("another brand disabled our owner")
			}
		}
	})
}

func mustBrandID(t *testing.T, s *svc, slug string) string {
	t.Helper()
	b, err := s.app.store.BrandBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

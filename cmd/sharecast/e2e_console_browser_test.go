package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/console/browsertest"
	"github.com/sharecast/sharecast/store/storetest"
)

// consoleBrowser starts the service (SQLite + the first Redis engine: what the browser
// checks is the pages, which the HTTP-level console tests already cover on both engines) and
// a headless chromium pointed at it.
func consoleBrowser(t *testing.T) (*svc, *browsertest.Browser) {
	t.Helper()
	s := start(t, storetest.Engines(t)[0], storetest.RedisEngines(t)[0])
	return s, browsertest.New(t, s.base)
}

// The demo owner logs in, changes the city in the settings and finds the change in the audit
// log; the language switch turns the labels English.
func TestConsoleBrowserOwnerChangesCity(t *testing.T) {
	s, b := consoleBrowser(t)
	b.Login("demo", "admin", s.password)
	b.Screenshot("owner-home")
	if got := b.Text("#who"); got != "admin · 所有者" {
		t.Fatalf("signed in as %q", got)
	}
	// The owner's navigation holds every page the role table gives an owner.
	if nav := b.Attrs("nav.nav a", "href"); !slices.Equal(nav, []string{"/admin/lives", "/admin/wecom-robots", "/admin/members", "/admin/adjustments", "/admin/payouts", "/admin/reconciliation", "/admin/audit",
		"/admin/settings", "/admin/admins", "/admin/api-keys", "/admin/webhooks"}) {
		t.Fatalf("owner navigation %v", nav)
	}

	if st := b.Open("/admin/settings"); st != 200 {
		t.Fatalf("settings answered %d", st)
	}
	if got := b.Text("#brand-name"); !strings.Contains(got, "Demo Brand") {
		t.Fatalf("brand name %q", got)
	}
	b.Fill("#f-city", "杭州")
	if st := b.Submit("#settings-save"); st != 200 {
		t.Fatalf("saving settings answered %d", st)
	}
	if got := b.Text("#flash"); got != "已保存。" {
		t.Fatalf("flash %q", got)
	}
	b.Screenshot("settings-saved")
	if v := b.Attrs("#f-city", "value"); len(v) != 1 || v[0] != "杭州" {
		t.Fatalf("city field after save: %v", v)
	}

	if st := b.Open("/admin/audit"); st != 200 {
		t.Fatalf("audit answered %d", st)
	}
	actions := b.Attrs("#audit tbody tr", "data-action")
	if len(actions) == 0 || actions[0] != "settings.update" {
		t.Fatalf("newest audit entries %v", actions)
	}
	row := b.Texts("#audit tbody tr:first-child td")
	if len(row) != 6 || row[1] != "admin" || row[4] != `{"changed":["city"]}` {
		t.Fatalf("audit row %q", row)
	}
	b.Screenshot("audit-city-change")

	if st := b.Submit("#lang-en"); st != 200 {
		t.Fatalf("language switch answered %d", st)
	}
	if got := b.Text("h1"); got != "Audit log" {
		t.Fatalf("English heading %q", got)
	}
	b.Screenshot("audit-english")
}

// An operator's navigation holds only what the role may open, and owner pages answer 403.
func TestConsoleBrowserOperatorRole(t *testing.T) {
	s, b := consoleBrowser(t)
	ctx := context.Background()
	demoID := mustBrandID(t, s, "demo")
	if _, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, demoID, brands.NewAdminInput{Username: "olive",
		Password: "operator-pass-1", Role: brands.RoleOperator}); err != nil {
		t.Fatal(err)
	}
	b.Login("demo", "olive", "operator-pass-1")
	if got := b.Text("#who"); got != "olive · 运营" {
		t.Fatalf("signed in as %q", got)
	}
	nav := b.Attrs("nav.nav a", "href")
	if !slices.Equal(nav, []string{"/admin/lives", "/admin/wecom-robots", "/admin/members"}) {
		t.Fatalf("operator navigation %v", nav)
	}
	for _, hidden := range []string{"payout", "admins", "settings", "audit"} {
		if n := b.Count(`a[href*="` + hidden + `"]`); n != 0 {
			t.Fatalf("operator sees %d links to %s", n, hidden)
		}
	}
	b.Screenshot("operator-navigation")

	if st := b.Open("/admin/admins"); st != 403 {
		t.Fatalf("operator opened the admins page: %d", st)
	}
	if got := b.Text("#error h1"); got != "你的角色无权访问此页面" {
		t.Fatalf("error heading %q", got)
	}
	if n := b.Count("#admins"); n != 0 {
		t.Fatal("the 403 page shows the admins table")
	}
	b.Screenshot("operator-admins-403")
}

// A form whose CSRF token was removed is refused with 403 and changes nothing.
func TestConsoleBrowserFormWithoutCSRF(t *testing.T) {
	s, b := consoleBrowser(t)
	b.Login("demo", "admin", s.password)
	if st := b.Open("/admin/settings"); st != 200 {
		t.Fatalf("settings answered %d", st)
	}
	b.Fill("#f-city", "北京")
	b.Eval(`document.querySelector('#settings-form input[name="csrf_token"]').remove()`)
	if st := b.Submit("#settings-save"); st != 403 {
		t.Fatalf("form without CSRF answered %d", st)
	}
	if got := b.Text("#error h1"); got != "表单已失效，请刷新页面后重试" {
		t.Fatalf("error heading %q", got)
	}
	b.Screenshot("settings-without-csrf-403")
	brand, err := s.app.brands.Brand(context.Background(), mustBrandID(t, s, "demo"))
	if err != nil {
		t.Fatal(err)
	}
	if brand.City != "上海" {
		t.Fatalf("city changed to %q without a CSRF token", brand.City)
	}
}

// A session of another brand opens none of this brand's resources: 404, and its pages show
// its own brand only.
func TestConsoleBrowserOtherBrandSession(t *testing.T) {
	s, b := consoleBrowser(t)
	s.otherBrand("other", "other-owner-pass")
	demoOwner := s.adminID("admin")
	b.Login("other", "admin", "other-owner-pass")
	if st := b.Open("/admin/admins/" + demoOwner); st != 404 {
		t.Fatalf("another brand's admin answered %d", st)
	}
	if got := b.Text("#error h1"); got != "未找到" {
		t.Fatalf("error heading %q", got)
	}
	b.Screenshot("other-brand-admin-404")
	if st := b.Open("/admin/admins"); st != 200 {
		t.Fatalf("own admins answered %d", st)
	}
	if users := b.Attrs("#admins tbody tr", "data-admin"); !slices.Equal(users, []string{"admin"}) {
		t.Fatalf("admins listed %v", users)
	}
	if got := b.Text("#brand-name"); got != "Other other" {
		t.Fatalf("brand name %q", got)
	}
	for _, c := range b.Cookies() {
		if c.Name == "sharecast_session" && (!c.HTTPOnly || c.SameSite != "Strict") {
			t.Fatalf("session cookie in the browser: %+v", c)
		}
	}
}

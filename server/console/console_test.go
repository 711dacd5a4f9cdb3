package console

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store/storetest"
)

func init() { gin.SetMode(gin.TestMode) }

// fixture is the console on a test server over a real brands service (SQLite + miniredis).
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	brands *brands.Service
	brand  brands.Brand
}

func newFixture(t *testing.T, lives Lives) *fixture {
	t.Helper()
	st := storetest.Open(t, storetest.Engines(t)[0])
	box, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	svc := &brands.Service{Store: st, Sealer: box, Passwords: auth.Passwords{Cost: 4}, Attempts: storetest.Redis(t, ""),
		Clock: clock.System{}}
	ctx := context.Background()
	b, err := svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "acme", Name: "ACME", City: "上海", Timezone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []brands.NewAdminInput{{Username: "owner", Password: "owner-pass-123", Role: brands.RoleOwner},
		{Username: "op", Password: "operator-pass-1", Role: brands.RoleOperator},
		{Username: "fin", Password: "finance-pass-1", Role: brands.RoleFinance}} {
		if _, err := svc.CreateAdmin(ctx, brands.CLIActor, b.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	con, err := New(Deps{Brands: svc, Key: box.Derive("console"), Lives: lives})
	if err != nil {
		t.Fatal(err)
	}
	e := gin.New()
	con.Register(e.Group(Prefix))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, brands: svc, brand: b}
}

type client struct {
	f    *fixture
	http *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) (int, http.Header, string) {
	c.f.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res.StatusCode, res.Header, string(b)
}

func (c *client) get(path string) (int, string) {
	c.f.t.Helper()
	req, _ := http.NewRequest("GET", c.f.srv.URL+path, nil)
	st, _, body := c.do(req)
	return st, body
}

func (c *client) post(path string, form url.Values, hdr ...string) (int, http.Header, string) {
	c.f.t.Helper()
	if form.Get(CSRFField) == "" {
		form.Set(CSRFField, c.csrf)
	}
	req, _ := http.NewRequest("POST", c.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

func (c *client) login(user, password string, hdr ...string) http.Header {
	c.f.t.Helper()
	c.get("/admin/login")
	st, h, body := c.post("/admin/login", url.Values{"brand": {"acme"}, "username": {user}, "password": {password}}, hdr...)
	if st != http.StatusSeeOther {
		c.f.t.Fatalf("login %s: %d %s", user, st, body)
	}
	return h
}

// fakeLives answers fixed rows and remembers what it was asked.
type fakeLives struct {
	gotBrand string
	gotQuery LiveQuery
	page     LivePage
	err      error
}

func (f *fakeLives) ListLives(_ context.Context, brandID string, q LiveQuery) (LivePage, error) {
	f.gotBrand, f.gotQuery = brandID, q
	return f.page, f.err
}

func (f *fakeLives) Live(_ context.Context, brandID, id string) (LiveRow, error) {
	for _, l := range f.page.Lives {
		if l.ID == id && brandID == f.gotBrand {
			return l, nil
		}
	}
	return LiveRow{}, apperr.NotFoundf("no such live")
}

func TestLivesPageReadsTheDeclaredInterface(t *testing.T) {
	start := time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC) // 20:00 in Shanghai
	fake := &fakeLives{page: LivePage{NextCursor: "c2", Lives: []LiveRow{
		{ID: "l1", Title: "圣诞专场 <直播>", Status: "reservable", NoticeID: "notice-1", PlannedStartAt: start,
			TargetReservations: 500, CountedReservations: 410},
		{ID: "l2", Title: "Demo live", Status: "ended", PlannedStartAt: start.Add(-72 * time.Hour),
			ActualStartAt: ptr(start.Add(-72 * time.Hour)), EndedAt: ptr(start.Add(-68 * time.Hour))},
	}}}
	f := newFixture(t, fake)
	for _, role := range []struct{ user, pass string }{{"owner", "owner-pass-123"}, {"op", "operator-pass-1"}, {"fin", "finance-pass-1"}} {
		c := f.client()
		c.login(role.user, role.pass)
		st, body := c.get("/admin/lives?status=reservable")
		if st != 200 {
			t.Fatalf("%s: lives answered %d\n%s", role.user, st, body)
		}
		for _, want := range []string{"圣诞专场 &lt;直播&gt;", "notice-1", "可预约", "2026-12-24 20:00", "410", "500", "(82%)",
			`href="/admin/lives?cursor=c2&amp;status=reservable"`, `data-live="l2"`, "已结束"} {
			if !strings.Contains(body, want) {
				t.Fatalf("%s: lives page lacks %q\n%s", role.user, want, body)
			}
		}
		if fake.gotBrand != f.brand.ID || fake.gotQuery != (LiveQuery{Status: "reservable", Limit: livesPageSize}) {
			t.Fatalf("asked %q %+v", fake.gotBrand, fake.gotQuery)
		}
	}
	c := f.client()
	c.login("op", "operator-pass-1")
	if st, _ := c.get("/admin/lives?status=bogus"); st != 400 {
		t.Fatalf("unknown status answered %d", st)
	}
	fake.err = apperr.InvalidArgument("cursor is not valid")
	if st, body := c.get("/admin/lives?cursor=zzz"); st != 400 || !strings.Contains(body, "cursor is not valid") {
		t.Fatalf("bad cursor answered %d", st)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSessionCookieSecureBehindTLS(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client()
	h := c.login("owner", "owner-pass-123", "X-Forwarded-Proto", "https")
	var found bool
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == SessionCookie {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Fatalf("session cookie behind TLS: %+v", ck)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
}

func TestLoginLockoutIsShownOnTheForm(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client()
	c.get("/admin/login")
	for i := 0; i < 5; i++ {
		if st, _, _ := c.post("/admin/login", url.Values{"brand": {"acme"}, "username": {"owner"}, "password": {"wrong-password"}}); st != 401 {
			t.Fatalf("failure %d answered %d", i, st)
		}
	}
	st, h, body := c.post("/admin/login", url.Values{"brand": {"acme"}, "username": {"owner"}, "password": {"owner-pass-123"}})
	if st != 429 || h.Get("Retry-After") == "" || !strings.Contains(body, "失败次数过多") {
		t.Fatalf("locked login answered %d %v", st, h)
	}
}

func TestNavigationFollowsTheRoleTable(t *testing.T) {
	con := &Console{pages: registered()}
	hrefs := func(role string) []string {
		var out []string
		for _, n := range con.nav(role, "") {
			out = append(out, n.Href)
		}
		return out
	}
	if got := hrefs(brands.RoleOwner); !slices.Equal(got, []string{"/admin/lives", "/admin/wecom-robots", "/admin/members", "/admin/adjustments", "/admin/payouts", "/admin/reconciliation", "/admin/audit",
		"/admin/settings", "/admin/admins", "/admin/api-keys", "/admin/webhooks"}) {
		t.Fatalf("owner nav %v", got)
	}
	if got := hrefs(brands.RoleFinance); !slices.Equal(got, []string{"/admin/lives", "/admin/members", "/admin/adjustments", "/admin/payouts", "/admin/reconciliation", "/admin/audit"}) {
		t.Fatalf("finance nav %v", got)
	}
	if got := hrefs(brands.RoleOperator); !slices.Equal(got, []string{"/admin/lives", "/admin/wecom-robots", "/admin/members"}) {
		t.Fatalf("operator nav %v", got)
	}
	// Whatever later pages add: a nav entry shows exactly for the roles its permission allows.
	for _, p := range registered() {
		for _, role := range []string{brands.RoleOwner, brands.RoleFinance, brands.RoleOperator} {
			if p.Nav != nil && slices.Contains(hrefs(role), p.navPath()) != p.Perm.Allows(role) {
				t.Errorf("page %s: nav for %s disagrees with %s", p.Name, role, p.Perm)
			}
		}
	}
}

func TestPageCheckRefusesMalformedPages(t *testing.T) {
	h := func(*Ctx) error { return nil }
	good := Route{Method: "GET", Path: "/x", Handle: h}
	tests := map[string]Page{
		"no name":        {Perm: brands.PermRead, Routes: []Route{good}},
		"bad perm":       {Name: "x", Perm: "root", Routes: []Route{good}},
		"no routes":      {Name: "x", Perm: brands.PermRead},
		"PUT":            {Name: "x", Perm: brands.PermRead, Routes: []Route{{Method: "PUT", Path: "/x", Handle: h}}},
		"JSON API path":  {Name: "x", Perm: brands.PermRead, Routes: []Route{{Method: "GET", Path: "/v1/x", Handle: h}}},
		"login path":     {Name: "x", Perm: brands.PermRead, Routes: []Route{{Method: "GET", Path: "/login", Handle: h}}},
		"no handler":     {Name: "x", Perm: brands.PermRead, Routes: []Route{{Method: "GET", Path: "/x"}}},
		"nav, no target": {Name: "x", Perm: brands.PermRead, Nav: &NavEntry{Label: "nav.lives"}, Routes: []Route{{Method: "GET", Path: "/x/:id", Handle: h}}},
	}
	for name, p := range tests {
		if p.check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := (Page{Name: "x", Perm: brands.PermRead, Nav: &NavEntry{Label: "nav.lives"}, Routes: []Route{good}}).check(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a second page on a taken route must panic")
		}
	}()
	registry.mu.Lock()
	saved := slices.Clone(registry.pages)
	registry.mu.Unlock()
	defer func() { registry.mu.Lock(); registry.pages = saved; registry.mu.Unlock() }()
	register(Page{Name: "dup", Perm: brands.PermRead, Routes: []Route{{Method: "GET", Path: "/settings", Handle: h}}})
}

// Every key a template or a page asks for is in the catalogue, in both languages.
func TestCatalogueIsComplete(t *testing.T) {
	for k, m := range catalogue {
		if strings.TrimSpace(m.zh) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("%s lacks a language", k)
		}
		if strings.Count(m.zh, "%") != strings.Count(m.en, "%") {
			t.Errorf("%s: the languages take different arguments", k)
		}
	}
	keyRe := regexp.MustCompile(`\.T "([^"]+)"`)
	err := fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFiles, path)
		if err != nil {
			return err
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalogue[m[1]]; !ok {
				t.Errorf("%s uses %q, not in the catalogue", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built in code.
	var keys []string
	for _, p := range registered() {
		if p.Nav != nil {
			keys = append(keys, p.Nav.Label)
		}
	}
	for _, r := range []string{brands.RoleOwner, brands.RoleFinance, brands.RoleOperator} {
		keys = append(keys, "role."+r)
	}
	for _, s := range LiveStatuses {
		keys = append(keys, "live_status."+s)
	}
	d := settingsView(brands.Brand{Rules: brands.DefaultRules()}, nil)
	for _, f := range d.Fields {
		keys = append(keys, f.Label)
	}
	for _, f := range d.Rules {
		keys = append(keys, f.Label)
	}
	for _, f := range d.Credentials {
		keys = append(keys, f.Label)
	}
	keys = append(keys, "error.forbidden", "error.csrf", "error.not_found", "error.unauthenticated", "error.rate_limited",
		"error.unavailable", "error.refused", "error.internal", "login.missing", "login.failed", "login.locked",
		"flash.saved", "flash.admin_created", "flash.admin_updated", "form.whole_number", "form.yuan", "form.cursor", "lives.bad_status")
	for _, k := range keys {
		if _, ok := catalogue[k]; !ok {
			t.Errorf("code uses %q, not in the catalogue", k)
		}
	}
	if EN.T("nav.settings") != "Brand settings" || ZH.T("nav.settings") != "品牌设置" || ZH.T("no.such.key") != "no.such.key" {
		t.Fatal("T")
	}
}

func TestLocalPaths(t *testing.T) {
	tests := map[string]bool{
		"/admin": true, "/admin/settings": true, "/admin/lives?status=live": true, "/admin?x=1": true,
		"": false, "/": false, "https://evil.example/admin": false, "//evil.example/admin": false, "/admin//evil": false,
		"/admins": false, "/admin/login": false, "/admin/login?next=/admin": false, "/admin/v1/settings": false,
		"/admin/../x": false, "/admin/\\evil": false, "/admin/x\r\nSet-Cookie: a=b": false,
	}
	for p, want := range tests {
		if got := localPath(p); got != want {
			t.Errorf("localPath(%q) = %v, want %v", p, got, want)
		}
	}
	if !consolePath("/admin/login?next=%2Fadmin") {
		t.Fatal("the language switch may go back to the login form")
	}
}

func TestCSRFTokensAreBoundToTheSession(t *testing.T) {
	s := csrfSigner{key: bytes.Repeat([]byte{1}, 32)}
	tok := s.token("session", "sess-a")
	if !s.valid("session", "sess-a", tok) || !ValidCSRF(s.key, "sess-a", tok) {
		t.Fatal("own token refused")
	}
	for name, ok := range map[string]bool{
		"other session": s.valid("session", "sess-b", tok),
		"login purpose": s.valid("login", "sess-a", tok),
		"other key":     csrfSigner{key: bytes.Repeat([]byte{2}, 32)}.valid("session", "sess-a", tok),
		"empty token":   s.valid("session", "sess-a", ""),
		"empty session": s.valid("session", "", s.token("session", "")),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

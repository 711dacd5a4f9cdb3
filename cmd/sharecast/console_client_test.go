package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/console"
)

// consoleClient is a browser without a browser: a cookie jar, no redirect following, and the
// CSRF token of the last page it saw, so console tests at the HTTP level stay fast. Every
// answer is checked against the OpenAPI document like the JSON API's.
type consoleClient struct {
	s    *svc
	http *http.Client
	csrf string
}

// page is one console answer.
type page struct {
	status int
	header http.Header
	body   string
}

func (p page) location() string { return p.header.Get("Location") }

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (s *svc) console() *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{s: s, http: &http.Client{Jar: jar, Timeout: s.http.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (cc *consoleClient) send(req *http.Request) page {
	cc.s.t.Helper()
	res, err := cc.http.Do(req)
	if err != nil {
		cc.s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		cc.s.t.Fatal(err)
	}
	vreq, _ := http.NewRequest(req.Method, req.URL.String(), nil)
	if err := cc.s.valid.ValidateResponse(vreq, res.StatusCode, res.Header, raw); err != nil {
		cc.s.t.Errorf("%s %s answered %d, not as the OpenAPI document says: %v", req.Method, req.URL.Path, res.StatusCode, err)
	}
	p := page{status: res.StatusCode, header: res.Header, body: string(raw)}
	if m := csrfRe.FindStringSubmatch(p.body); m != nil {
		cc.csrf = m[1]
	}
	return p
}

func (cc *consoleClient) get(path string) page {
	cc.s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, cc.s.base+path, nil)
	if err != nil {
		cc.s.t.Fatal(err)
	}
	return cc.send(req)
}

// post sends a form with the CSRF token of the last page seen, unless form sets csrf_token
// itself (an empty value sends none).
func (cc *consoleClient) post(path string, form url.Values) page {
	cc.s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form[console.CSRFField]; !set {
		form.Set(console.CSRFField, cc.csrf)
	} else if form.Get(console.CSRFField) == "" {
		form.Del(console.CSRFField)
	}
	req, err := http.NewRequest(http.MethodPost, cc.s.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		cc.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cc.send(req)
}

// login signs in through the login form and fails the test unless it worked.
func (cc *consoleClient) login(brand, username, password string) {
	cc.s.t.Helper()
	cc.get("/admin/login")
	p := cc.post("/admin/login", url.Values{"brand": {brand}, "username": {username}, "password": {password}})
	if p.status != http.StatusSeeOther || cc.session() == "" {
		cc.s.t.Fatalf("console login %s/%s: %d %s", brand, username, p.status, p.location())
	}
}

// session is the session cookie's value ("" without one).
func (cc *consoleClient) session() string {
	u, _ := url.Parse(cc.s.base + "/admin/")
	for _, c := range cc.http.Jar.Cookies(u) {
		if c.Name == console.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// expectPage fails unless p has status and its body holds every want.
func expectPage(t *testing.T, what string, p page, status int, want ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d (Location %q)\n%s", what, p.status, status, p.location(), p.body)
	}
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Fatalf("%s: page lacks %q\n%s", what, w, p.body)
		}
	}
}

// expectLoginRedirect fails unless a request without a session is sent to the login form.
func (s *svc) expectLoginRedirect(method, path string) {
	s.t.Helper()
	cc := s.console()
	var p page
	if method == http.MethodGet {
		p = cc.get(path)
	} else {
		p = cc.post(path, url.Values{console.CSRFField: {""}})
	}
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/admin/login") {
		s.t.Errorf("%s %s without a session answered %d (Location %q), want 303 to /admin/login", method, path, p.status, p.location())
	}
}

// otherBrand creates a second brand with an owner, for tenancy tests.
func (s *svc) otherBrand(slug, password string) (brands.Brand, brands.Admin) {
	s.t.Helper()
	ctx := context.Background()
	b, err := s.app.brands.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: slug, Name: "Other " + slug, City: "北京"})
	if err != nil {
		s.t.Fatal(err)
	}
	a, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, b.ID, brands.NewAdminInput{Username: "admin", Password: password, Role: brands.RoleOwner})
	if err != nil {
		s.t.Fatal(err)
	}
	return b, a
}

// adminID finds an admin of the demo brand by username.
func (s *svc) adminID(username string) string {
	s.t.Helper()
	b, err := s.app.store.BrandBySlug(context.Background(), "demo")
	if err != nil {
		s.t.Fatal(err)
	}
	list, err := s.app.brands.Admins(context.Background(), b.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, a := range list {
		if a.Username == username {
			return a.ID
		}
	}
	s.t.Fatalf("no admin %q", username)
	return ""
}

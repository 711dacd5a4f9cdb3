package console

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/httperr"
)

//go:embed templates
var templateFiles embed.FS

// Built-in templates that are not pages.
const (
	tplLogin = "login"
	tplError = "error"
)

var templateFuncs = template.FuncMap{
	"yuan": FormatYuan,
}

// parseTemplates builds one template set per page: the layout plus the page's file, which
// defines "title" and "content".
func parseTemplates(pages []Page) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console: layout: %w", err)
	}
	names := []string{tplLogin, tplError}
	for _, p := range pages {
		names = append(names, p.Name)
		names = append(names, p.Templates...)
	}
	out := map[string]*template.Template{}
	for _, name := range names {
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: template of page %q: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// view is what the layout and every page template see. Page data is in .Data.
type view struct {
	Lang      Lang
	Title     string // catalogue key
	Admin     brands.Principal
	BrandName string
	Nav       []navItem
	CSRF      string
	Flash     string // catalogue key of a success notice (?ok=)
	Path      string // this page's URL, for the language switch
	Data      any
	loc       *time.Location
}

// T translates a catalogue key in the page's language.
func (v view) T(key string, args ...any) string { return v.Lang.T(key, args...) }

// Time shows t in the brand's timezone.
func (v view) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	loc := v.loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// TimeP is Time for an optional time ("—" when absent).
func (v view) TimeP(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return v.Time(*t)
}

// RoleLabel translates a role.
func (v view) RoleLabel(role string) string { return v.Lang.T("role." + role) }

// LangLinks are the language switch's links back to this page.
func (v view) LangHref(l Lang) string {
	return Prefix + "/lang/" + string(l) + "?next=" + template.URLQueryEscaper(v.Path)
}

// render executes a template set into a buffer first, so a template error becomes a clean
// 500 instead of half a page.
func (con *Console) render(c *gin.Context, status int, tpl string, v view) {
	t, ok := con.templates[tpl]
	if !ok {
		con.writeError(c, fmt.Errorf("console: no template %q", tpl))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		if tpl == tplError {
			// The error page itself failed: say so in plain text rather than loop.
			httperr.Logger(c.Request.Context()).ErrorContext(c.Request.Context(), "console error page failed", "err", err)
			c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error\n"))
			return
		}
		con.writeError(c, fmt.Errorf("console: render %s: %w", tpl, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (con *Console) baseView(c *gin.Context, title string) view {
	p := principal(c)
	v := view{Lang: langOf(c), Title: title, Admin: p, Path: c.Request.URL.RequestURI()}
	if p.SessionID != "" {
		v.CSRF = con.csrf.token("session", p.SessionID)
		v.Nav = con.nav(p.Role, "")
	}
	return v
}

func (con *Console) renderLogin(c *gin.Context, status int, nonce, next, brand, problem string) {
	v := con.baseView(c, "login.title")
	v.CSRF = con.csrf.token("login", nonce)
	if !localPath(next) {
		next = ""
	}
	v.Data = struct{ Next, Brand, Problem string }{next, brand, problem}
	con.render(c, status, tplLogin, v)
}

// errorData is what the error page shows.
type errorData struct {
	Status  int
	Heading string // catalogue key
	Message string // the error's own message (safe to show), or ""
	Request string
}

func (con *Console) renderError(c *gin.Context, status int, heading, message string) {
	v := con.baseView(c, heading)
	v.Data = errorData{Status: status, Heading: heading, Message: message, Request: httperr.RequestID(c)}
	con.render(c, status, tplError, v)
}

// writeError shows err as an error page with the status its kind maps to (server/httperr
// decides statuses). An unclassified error is logged and shown as a bare 500.
func (con *Console) writeError(c *gin.Context, err error) {
	ae, ok := apperr.As(err)
	if !ok || ae.Kind == apperr.Internal {
		httperr.Logger(c.Request.Context()).ErrorContext(c.Request.Context(), "console: internal error",
			"err", err.Error(), "request_id", httperr.RequestID(c), "path", c.FullPath())
		con.renderError(c, http.StatusInternalServerError, "error.internal", "")
		return
	}
	if ae.Kind == apperr.RateLimited {
		c.Header("Retry-After", retryAfter(ae))
	}
	heading := map[apperr.Kind]string{apperr.NotFound: "error.not_found", apperr.Forbidden: "error.forbidden",
		apperr.Unauthenticated: "error.unauthenticated", apperr.RateLimited: "error.rate_limited",
		apperr.Unavailable: "error.unavailable"}[ae.Kind]
	if heading == "" {
		heading = "error.refused"
	}
	con.renderError(c, httperr.Status(ae.Kind), heading, ae.Message)
}

func retryAfter(ae *apperr.Error) string { return httperr.RetryAfterSeconds(ae.RetryAfter) }

func requestID(c *gin.Context) string { return httperr.RequestID(c) }

// Ctx is what a page handler gets: the request, the signed-in admin, the language, the deps.
type Ctx struct {
	G     *gin.Context
	Admin brands.Principal
	Lang  Lang
	Deps  *Deps
	con   *Console
	page  Page
	brand *brands.Brand
}

func (con *Console) newCtx(c *gin.Context, p Page) *Ctx {
	return &Ctx{G: c, Admin: principal(c), Lang: langOf(c), Deps: &con.d, con: con, page: p}
}

// Context is the request's context.
func (c *Ctx) Context() context.Context { return c.G.Request.Context() }

// Actor is who the audit log names for this request.
func (c *Ctx) Actor() brands.Actor {
	return brands.Actor{Type: "admin", ID: c.Admin.AdminID, RequestID: requestID(c.G)}
}

// Brand is the signed-in admin's brand (loaded once per request).
func (c *Ctx) Brand() (brands.Brand, error) {
	if c.brand == nil {
		b, err := c.Deps.Brands.Brand(c.Context(), c.Admin.BrandID)
		if err != nil {
			return brands.Brand{}, err
		}
		c.brand = &b
	}
	return *c.brand, nil
}

// Render shows the page's template with data under the layout. title is a catalogue key.
func (c *Ctx) Render(status int, title string, data any) error {
	return c.RenderTemplate(status, c.page.Name, title, data)
}

// RenderTemplate shows another of the page's templates (one of Page.Templates).
func (c *Ctx) RenderTemplate(status int, tpl, title string, data any) error {
	b, err := c.Brand()
	if err != nil {
		return err
	}
	v := c.con.baseView(c.G, title)
	v.Nav = c.con.nav(c.Admin.Role, c.page.Name)
	v.BrandName = b.Name
	v.Data = data
	if loc, err := time.LoadLocation(b.Timezone); err == nil {
		v.loc = loc
	}
	if ok := c.G.Query("ok"); ok != "" {
		if _, known := catalogue[ok]; known && len(ok) > 6 && ok[:6] == "flash." {
			v.Flash = ok
		}
	}
	c.con.render(c.G, status, tpl, v)
	return nil
}

// Redirect answers a successful form with 303 to path, showing the catalogue's flash message
// (a key starting with "flash.") there.
func (c *Ctx) Redirect(path, flash string) error {
	if flash != "" {
		sep := "?"
		if bytes.ContainsRune([]byte(path), '?') {
			sep = "&"
		}
		path += sep + "ok=" + flash
	}
	c.G.Redirect(http.StatusSeeOther, path)
	return nil
}

// invalid is a 400 error with a translated message.
func (c *Ctx) invalid(key string, args ...any) error {
	return apperr.InvalidArgument(c.Lang.T(key, args...))
}

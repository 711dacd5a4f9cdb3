// Package console serves the brand admins' web console under /admin: server-rendered pages
// (html/template, embedded CSS and a little hand-written JS, nothing fetched from elsewhere),
// a session cookie over the brands service's admin sessions, CSRF tokens on every form,
// security headers, zh-CN and English labels, and the role table of API.md enforced on every
// page and action.
//
// Pages register themselves (register in a file of their own, see registry.go): a later area
// adds a page by adding a Go file, a template and its catalogue entries. The console never
// touches storage: pages read and change data only through the domain services and the
// narrow interfaces declared in Deps, so what a page shows is what the JSON API would answer.
package console

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

// Prefix is where the console lives. /admin/v1 below it is the JSON API, not the console.
const Prefix = "/admin"

// Deps are what the pages use. Later areas add their services below their comment.
type Deps struct {
	Logger *slog.Logger
	Brands *brands.Service
	// Key signs CSRF tokens (secrets.Box.Derive("console")); at least 32 bytes.
	Key []byte

	// lives, links, touches, reservations, leaderboard
	// Lives feeds the lives list page; nil until the lives area's service is wired in, and
	// the page then says the list is not available instead of showing anything made up.
	Lives Lives

	// leaderboard outputs: text, poster, public page, WeCom robots

	// orders, attribution, commission, ledger, open API, Channels webhook

	// payouts, WeChat Pay callbacks, reconciliation
	// Payouts feeds the review queue, Reconciler the reconciliation page; nil → the pages say
	// they are not available.
	Payouts    *payouts.Payouts
	Reconciler *payouts.Reconciler

	// console pages, stats, exports
	// Stats feeds the live dashboard (the service behind GET /admin/v1/lives/{id}/stats);
	// Reservations the review queue. nil: the page says it is not available.
	Stats        Stats
	Reservations Reservations
	MemberNames  MemberNames
	// Members, Orders (reassign), Adjust (ledger adjustments), APIKeys feed their pages.
	Members Members
	Orders  OrderReassigner
	Adjust  Adjuster
	APIKeys APIKeys
	// Board feeds the leaderboard (text, poster, share, push) and WeCom robots pages.
	Board BoardOutputs
	// Webhooks feeds the outgoing webhooks page.
	Webhooks Webhooks

	// live operations: notices, subscriptions, outreach, outgoing webhooks
	// Sharing edits lives (through the LiveGuard); LiveOps reads notices and rounds. Nil →
	// the live operations page answers 503.
	Sharing *referral.Sharing
	LiveOps *liveops.Service
}

// Console is the set of pages with their templates parsed once.
type Console struct {
	d         Deps
	csrf      csrfSigner
	pages     []Page
	templates map[string]*template.Template // page template name → layout + page
}

// New parses every template of every registered page and checks the registry.
func New(d Deps) (*Console, error) {
	if d.Brands == nil {
		return nil, errors.New("console: Deps.Brands is required")
	}
	if len(d.Key) < 32 {
		return nil, errors.New("console: Deps.Key must be at least 32 bytes")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	pages := registered()
	tpls, err := parseTemplates(pages)
	if err != nil {
		return nil, err
	}
	return &Console{d: d, csrf: csrfSigner{key: d.Key}, pages: pages, templates: tpls}, nil
}

// Register mounts the console on g, which must be the group for Prefix with the service's
// common middleware (rate limit) already applied.
func (con *Console) Register(g *gin.RouterGroup) {
	g.Use(securityHeaders)
	// Public: the login form, the language switch and the static files.
	g.GET("/login", con.loginForm)
	g.POST("/login", con.login)
	g.GET("/lang/:lang", con.switchLang)
	g.GET("/static/*filepath", serveStatic)

	authed := g.Group("", con.requireSession, con.requireCSRF)
	authed.GET("", con.home)
	authed.POST("/logout", con.logout)
	for _, p := range con.pages {
		for _, r := range p.Routes {
			authed.Handle(r.Method, r.Path, con.allow(r.permission(p)), con.handle(p, r))
		}
	}
}

// PublicPaths are the console paths reachable without a session (for server.PublicPrefixes).
var PublicPaths = []string{Prefix + "/login", Prefix + "/lang", Prefix + "/static"}

// home sends an admin to the first page their role may open.
func (con *Console) home(c *gin.Context) {
	p := principal(c)
	for _, n := range con.nav(p.Role, "") {
		c.Redirect(http.StatusSeeOther, n.Href)
		return
	}
	con.renderError(c, http.StatusForbidden, "error.forbidden", "")
}

// handle wraps a page handler: builds its Ctx and turns a returned error into an error page.
func (con *Console) handle(p Page, r Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := con.newCtx(c, p)
		if err := r.Handle(ctx); err != nil {
			con.writeError(c, err)
		}
	}
}

func (con *Console) logf(c *gin.Context, msg string, args ...any) {
	con.d.Logger.WarnContext(c.Request.Context(), fmt.Sprintf(msg, args...))
}

package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/sharecast/sharecast/brands"
)

// Page is one console page: its routes, who may use them, its template and its place in the
// navigation. A page file declares one and registers it from init:
//
//	func init() {
//		register(Page{
//			Name:     "payouts",                         // template templates/payouts.html
//			Perm:     brands.PermFinanceRead,            // who may open it (API.md's table)
//			Nav:      &NavEntry{Label: "nav.payouts", Order: 50},
//			Routes: []Route{
//				{Method: "GET", Path: "/payouts", Handle: listPayouts},
//				{Method: "POST", Path: "/payouts/:id/approve", Perm: brands.PermFinanceWrite, Handle: approvePayout},
//			},
//		})
//	}
//
// The layout shows a nav entry only to roles holding Perm, and every route refuses (403) a
// role that lacks its permission, whatever the navigation shows.
type Page struct {
	// Name names the page's template (templates/<Name>.html, which defines "title" and
	// "content") and marks the page active in the navigation.
	Name string
	// Templates are more templates the page renders with Ctx.RenderTemplate (a detail view:
	// templates/<name>.html each).
	Templates []string
	// Perm is the row of API.md's role table that may open the page.
	Perm brands.Permission
	// Nav puts the page in the navigation (nil: reached through links only).
	Nav *NavEntry
	// Routes are relative to Prefix; the first GET route is the nav target.
	Routes []Route
}

// NavEntry is a page's place in the navigation.
type NavEntry struct {
	Label string // catalogue key
	Order int    // ascending; ties by label
}

// Route is one method + path of a page.
type Route struct {
	Method string // GET or POST (forms can send nothing else)
	Path   string // gin syntax, relative to Prefix: "/payouts/:id/approve"
	// Perm overrides the page's permission for this route (e.g. a read page with an action
	// that needs more); empty → the page's.
	Perm   brands.Permission
	Handle func(c *Ctx) error
}

func (r Route) permission(p Page) brands.Permission {
	if r.Perm != "" {
		return r.Perm
	}
	return p.Perm
}

var registry struct {
	mu    sync.Mutex
	pages []Page
}

// register adds a page. It panics on a malformed page or a route registered twice, because
// both are programming errors that the package's tests catch at once.
func register(p Page) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if err := p.check(); err != nil {
		panic("console: " + err.Error())
	}
	for _, q := range registry.pages {
		if q.Name == p.Name {
			panic(fmt.Sprintf("console: page %q registered twice", p.Name))
		}
		for _, a := range q.Routes {
			for _, b := range p.Routes {
				if a.Method == b.Method && a.Path == b.Path {
					panic(fmt.Sprintf("console: %s %s registered by %q and %q", a.Method, a.Path, q.Name, p.Name))
				}
			}
		}
	}
	registry.pages = append(registry.pages, p)
}

func (p Page) check() error {
	switch {
	case p.Name == "" || strings.ContainsAny(p.Name, "/. "):
		return fmt.Errorf("page name %q must be a plain word", p.Name)
	case p.Perm.Roles() == nil:
		return fmt.Errorf("page %q: unknown permission %q", p.Name, p.Perm)
	case len(p.Routes) == 0:
		return fmt.Errorf("page %q has no routes", p.Name)
	case p.Nav != nil && p.navPath() == "":
		return fmt.Errorf("page %q is in the navigation but has no GET route without parameters", p.Name)
	}
	for _, r := range p.Routes {
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodPost:
			return fmt.Errorf("page %q: method %s (forms send GET or POST)", p.Name, r.Method)
		case !strings.HasPrefix(r.Path, "/") || strings.HasPrefix(r.Path, "/v1") || strings.HasPrefix(r.Path, "/static") ||
			r.Path == "/login" || r.Path == "/logout" || strings.HasPrefix(r.Path, "/lang"):
			return fmt.Errorf("page %q: path %q is taken or malformed", p.Name, r.Path)
		case r.Handle == nil:
			return fmt.Errorf("page %q: %s %s has no handler", p.Name, r.Method, r.Path)
		case r.Perm != "" && r.Perm.Roles() == nil:
			return fmt.Errorf("page %q: unknown permission %q", p.Name, r.Perm)
		}
	}
	return nil
}

// navPath is the first GET route without parameters.
func (p Page) navPath() string {
	for _, r := range p.Routes {
		if r.Method == http.MethodGet && !strings.ContainsAny(r.Path, ":*") {
			return Prefix + r.Path
		}
	}
	return ""
}

// registered returns the pages in navigation order (pages without a nav entry last).
func registered() []Page {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	pages := slices.Clone(registry.pages)
	slices.SortStableFunc(pages, func(a, b Page) int {
		ao, bo := 1<<30, 1<<30
		if a.Nav != nil {
			ao = a.Nav.Order
		}
		if b.Nav != nil {
			bo = b.Nav.Order
		}
		if ao != bo {
			return ao - bo
		}
		return strings.Compare(a.Name, b.Name)
	})
	return pages
}

// navItem is one link of the navigation as the layout draws it.
type navItem struct {
	Href, Label string
	Active      bool
}

// nav is the navigation for role: only the pages it may open.
func (con *Console) nav(role, active string) []navItem {
	var out []navItem
	for _, p := range con.pages {
		if p.Nav == nil || !p.Perm.Allows(role) {
			continue
		}
		out = append(out, navItem{Href: p.navPath(), Label: p.Nav.Label, Active: p.Name == active})
	}
	return out
}

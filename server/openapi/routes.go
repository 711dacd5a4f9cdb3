package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// PathTemplate turns a gin path into an OpenAPI path template: ":live_id" and "*path" both
// become "{live_id}" / "{path}". OpenAPI has no catch-all, so a gin catch-all is documented
// as one parameter that may contain slashes.
func PathTemplate(ginPath string) string {
	var b strings.Builder
	for i := 0; i < len(ginPath); i++ {
		ch := ginPath[i]
		if ch != ':' && ch != '*' {
			b.WriteByte(ch)
			continue
		}
		end := strings.IndexByte(ginPath[i:], '/')
		if end < 0 {
			end = len(ginPath) - i
		}
		b.WriteString("{" + ginPath[i+1:i+end] + "}")
		i += end - 1
	}
	return b.String()
}

// CheckRoutes compares the registered routes with the embedded document and reports, in one
// error, every route without a spec operation and every spec operation without a route.
// ignore (may be nil) skips what is not served by gin routes (the simulator under /_sim): it
// is called with gin's path for routes and with the OpenAPI template for spec operations, so
// prefix checks work on both.
func CheckRoutes(routes []gin.RouteInfo, ignore func(method, path string) bool) error {
	doc, err := Load()
	if err != nil {
		return err
	}
	return CheckRoutesAgainst(doc, routes, ignore)
}

// CheckRoutesAgainst is CheckRoutes against a given document.
func CheckRoutesAgainst(doc *openapi3.T, routes []gin.RouteInfo, ignore func(method, path string) bool) error {
	if ignore == nil {
		ignore = func(string, string) bool { return false }
	}
	served := map[string]string{} // "GET /a/{id}" → gin path, for the message
	for _, r := range routes {
		if ignore(r.Method, r.Path) {
			continue
		}
		served[r.Method+" "+PathTemplate(r.Path)] = r.Path
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if ignore(method, path) {
				continue
			}
			documented[method+" "+path] = true
		}
	}

	var undocumented, unserved []string
	for op := range served {
		if !documented[op] {
			undocumented = append(undocumented, op)
		}
	}
	for op := range documented {
		if _, ok := served[op]; !ok {
			unserved = append(unserved, op)
		}
	}
	if len(undocumented) == 0 && len(unserved) == 0 {
		return nil
	}
	slices.Sort(undocumented)
	slices.Sort(unserved)

	var b strings.Builder
	fmt.Fprintf(&b, "openapi: routes and spec disagree (%d routes without a spec entry, %d spec operations without a route)",
		len(undocumented), len(unserved))
	for _, op := range undocumented {
		fmt.Fprintf(&b, "\n  route without spec entry: %s (gin %s)", op, served[op])
	}
	for _, op := range unserved {
		fmt.Fprintf(&b, "\n  spec operation without route: %s", op)
	}
	// The most common cause of a pair is a renamed path parameter; say so.
	for _, u := range undocumented {
		for _, s := range unserved {
			if shape(u) == shape(s) {
				fmt.Fprintf(&b, "\n  hint: %s and %s differ only in parameter names; use the same names in the route and the spec", u, s)
			}
		}
	}
	return fmt.Errorf("%s", b.String())
}

// shape erases parameter names: "GET /a/{id}" and "GET /a/{live_id}" share a shape.
func shape(op string) string {
	var b strings.Builder
	depth := 0
	for _, r := range op {
		switch {
		case r == '{':
			depth++
			b.WriteString("{}")
		case r == '}':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

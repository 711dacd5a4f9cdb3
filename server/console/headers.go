package console

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// ContentSecurityPolicy allows only the console's own files: no inline script or style (so
// an injected tag or attribute does nothing), no framing (clickjacking), forms post only back
// here. Charts are inline SVG styled through classes, which needs no inline style either.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders go on every console answer, error pages and redirects included.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if !strings.HasPrefix(c.Request.URL.Path, Prefix+"/static/") {
		// Pages hold tenant data: never kept by a shared cache or the back button of a
		// logged-out browser.
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

//go:embed static
var staticFiles embed.FS

// serveStatic serves the embedded CSS and JS. They change only with a new build, so an hour
// of caching is safe and keeps page loads to one request.
func serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean(c.Param("filepath")), "/")
	b, err := fs.ReadFile(staticFiles, "static/"+name)
	if err != nil || name == "" {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}

package middleware

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Header values for CORS answers. Allow-Headers lists what our clients send; Expose-Headers
// what browser code needs to read back (retry hints, replay marker, request id for support).
const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE"
	corsAllowHeaders  = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
	corsExposeHeaders = "Retry-After, Idempotency-Replayed, X-Request-Id"
	corsMaxAgeSeconds = "600"
)

// CORS lets browser pages on allowedOrigins call the API. With no origins it does nothing at
// all (the mini-program is not a browser and the console is same-origin, so that is the
// default). "*" allows any origin.
//
// Credentials (cookies) are never allowed cross-origin: the console session cookie must only
// work from the console itself, and bearer-token callers don't need them. Preflights from an
// allowed origin are answered here with 204; anything else falls through to the router.
func CORS(allowedOrigins []string) gin.HandlerFunc {
	allowed := make(map[string]bool, len(allowedOrigins))
	anyOrigin := false
	for _, o := range allowedOrigins {
		o = strings.TrimRight(strings.ToLower(strings.TrimSpace(o)), "/")
		switch o {
		case "":
		case "*":
			anyOrigin = true
		default:
			allowed[o] = true
		}
	}
	if len(allowed) == 0 && !anyOrigin {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			c.Next()
			return
		}
		// Caches must key on Origin whether or not this one was allowed.
		c.Writer.Header().Add("Vary", "Origin")
		if !anyOrigin && !allowed[strings.ToLower(origin)] {
			c.Next()
			return
		}
		h := c.Writer.Header()
		if anyOrigin {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAgeSeconds)
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		c.Next()
	}
}

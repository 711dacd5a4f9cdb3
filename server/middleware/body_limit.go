package middleware

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

// BodyLimit caps request bodies at maxBytes. A declared Content-Length above the cap is refused
// before any handler runs; a chunked or lying body is cut off by http.MaxBytesReader, and
// httperr.BindJSON turns that into the same 413 BODY_TOO_LARGE.
func BodyLimit(maxBytes int64) gin.HandlerFunc {
	if maxBytes <= 0 {
		panic("middleware.BodyLimit: maxBytes must be positive")
	}
	tooLarge := apperr.New(apperr.TooLarge, httperr.CodeBodyTooLarge,
		fmt.Sprintf("request body exceeds %d bytes", maxBytes))
	return func(c *gin.Context) {
		if c.Request.ContentLength > maxBytes {
			// Closing the connection stops a client that would otherwise keep uploading.
			c.Header("Connection", "close")
			httperr.Abort(c, tooLarge)
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes)
		}
		c.Next()
	}
}

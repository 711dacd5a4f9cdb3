package middleware

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/httperr"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds what we accept from the caller; anything longer is replaced.
const maxRequestIDLen = 64

// RequestID keeps a well-formed incoming X-Request-Id (so a proxy's or a brand system's id
// follows the request through our logs) or makes a new one, and echoes it in the response.
// Ill-formed ids are replaced, not rejected: they come from proxies and clients we don't
// control, and a strict charset keeps log lines and headers free of injection.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		httperr.SetRequestID(c, id)
		c.Header(RequestIDHeader, id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	// crypto/rand.Read never fails (Go ≥ 1.24 crashes the program instead), so no error path.
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

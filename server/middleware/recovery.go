package middleware

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/httperr"
)

// Recovery turns a panic in a handler into a logged stack and a 500 INTERNAL answer, so one
// bad request can't take the process (and every other request in it) down.
func Recovery(logger *slog.Logger) gin.HandlerFunc {
	if logger == nil {
		panic("middleware.Recovery: nil logger")
	}
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				// net/http's way to abort a response on purpose; it expects to see it.
				panic(v)
			}
			route := c.FullPath()
			if route == "" {
				route = unmatchedRoute
			}
			ctx := c.Request.Context()
			logger.LogAttrs(ctx, slog.LevelError, "panic recovered",
				slog.String("request_id", httperr.RequestID(c)),
				slog.String("method", c.Request.Method),
				slog.String("route", route),
				slog.String("panic", fmt.Sprint(v)),
				slog.String("stack", string(debug.Stack())),
			)
			httperr.Abort(c, httperr.Logged(fmt.Errorf("panic: %v", v)))
		}()
		c.Next()
	}
}

package middleware

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/httperr"
)

// maxLoggedPathLen bounds unmatched paths (scanners send long junk) in the log.
const maxLoggedPathLen = 256

// AccessLog writes one line per request to logger (the composition root gives it a JSON
// handler). It also puts logger in the request context, so httperr and handlers log to the
// same place with the same request id.
//
// What it logs is chosen for safety: the route template and a path rebuilt from it with
// capability tokens redacted, never the query string (share codes, signatures and echostr
// travel there), never bodies, never headers such as Authorization or Cookie.
func AccessLog(logger *slog.Logger) gin.HandlerFunc {
	if logger == nil {
		panic("middleware.AccessLog: nil logger")
	}
	return func(c *gin.Context) {
		start := time.Now()
		c.Request = c.Request.WithContext(httperr.WithLogger(c.Request.Context(), logger))
		defer func() {
			// When Recovery sits inside this middleware the panic never reaches us; when it
			// sits outside, we still owe the line. Re-panicking from a deferred call keeps
			// the original frames on the stack, so Recovery's stack trace stays useful.
			if v := recover(); v != nil {
				logRequest(logger, c, start, http.StatusInternalServerError)
				panic(v)
			}
		}()
		c.Next()
		logRequest(logger, c, start, c.Writer.Status())
	}
}

func logRequest(logger *slog.Logger, c *gin.Context, start time.Time, status int) {
	route := c.FullPath()
	if route == "" {
		route = unmatchedRoute
	}
	size := c.Writer.Size()
	if size < 0 {
		size = 0
	}
	attrs := []slog.Attr{
		slog.String("request_id", httperr.RequestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", loggedPath(c)),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("client_ip", c.ClientIP()),
		slog.Int("bytes", size),
	}
	if code := httperr.ErrorCode(c); code != "" {
		attrs = append(attrs, slog.String("code", code))
	}
	level := slog.LevelInfo
	if status >= 500 {
		// The cause is logged at Error by httperr or Recovery; this line is the summary.
		level = slog.LevelWarn
	}
	logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
}

// unmatchedRoute labels requests no route served, in logs and metrics alike.
const unmatchedRoute = "unmatched"

// loggedPath rebuilds the path from the route template so parameters named like secrets
// (/lb/:token, …/leaderboard-shares/:token) are redacted: those tokens grant access on their
// own and logs are read by more people than the database. Unmatched paths are logged as sent
// (without the query), truncated.
func loggedPath(c *gin.Context) string {
	tmpl := c.FullPath()
	if tmpl == "" {
		p := c.Request.URL.Path
		if len(p) > maxLoggedPathLen {
			p = p[:maxLoggedPathLen] + "…"
		}
		return p
	}
	segs := strings.Split(tmpl, "/")
	for i, s := range segs {
		if len(s) < 2 || (s[0] != ':' && s[0] != '*') {
			continue
		}
		name := s[1:]
		if sensitiveParam(name) {
			segs[i] = "[redacted]"
			continue
		}
		v := c.Param(name)
		if s[0] == '*' {
			// A catch-all value keeps its leading slash; the template already has one.
			v = strings.TrimPrefix(v, "/")
		}
		segs[i] = v
	}
	return strings.Join(segs, "/")
}

func sensitiveParam(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "key")
}

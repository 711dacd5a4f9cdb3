// Package httperr is the one place where errors become HTTP answers. It maps apperr kinds to
// statuses and writes the body every client codes against:
//
//	{"code": "STABLE_MACHINE_CODE", "message": "human text", "request_id": "..."}
//
// plus the error's Details at the top level. It also owns the request id and the request
// logger carried in the context, because both must be reachable from the error edge.
//
// It must never show an unclassified error's text to the caller, and nothing outside it may
// pick a status for an error.
package httperr

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
)

// Codes the edge itself produces (domain codes live with their domains).
const (
	CodeInternal         = "INTERNAL"
	CodeInvalidArgument  = "INVALID_ARGUMENT"
	CodeBodyTooLarge     = "BODY_TOO_LARGE"
	CodeNotFound         = "NOT_FOUND"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
)

// internalMessage is all a caller ever learns about a 500.
const internalMessage = "internal error"

// Status returns the HTTP status for an error kind. Unknown kinds are 500: a kind nobody mapped
// is a bug, and a bug is not the caller's fault.
func Status(kind apperr.Kind) int {
	switch kind {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.Rule:
		return http.StatusUnprocessableEntity
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Write answers err. Classified errors show their code, message and details; anything else,
// and any Internal error, answers a fixed 500 body and logs the real error with the request id.
func Write(c *gin.Context, err error) {
	if err == nil {
		// A handler that calls Write without an error has a bug; answering 200 would hide it.
		err = errors.New("httperr.Write called with a nil error")
	}
	ae, classified := apperr.As(err)
	status := http.StatusInternalServerError
	if classified {
		status = Status(ae.Kind)
	}

	if status == http.StatusInternalServerError {
		if !isLogged(err) {
			logInternal(c, err)
		}
		c.Set(errorCodeKey, CodeInternal)
		write(c, status, CodeInternal, internalMessage, nil)
		return
	}

	if ae.RetryAfter > 0 || ae.Kind == apperr.RateLimited {
		c.Header("Retry-After", RetryAfterSeconds(ae.RetryAfter))
	}
	c.Set(errorCodeKey, ae.Code)
	write(c, status, ae.Code, ae.Message, ae.Details)
}

// Abort writes err and stops the handler chain.
func Abort(c *gin.Context, err error) {
	Write(c, err)
	c.Abort()
}

// NoRoute answers requests for paths no route serves. Install with engine.NoRoute.
func NoRoute(c *gin.Context) {
	c.Set(errorCodeKey, CodeNotFound)
	write(c, http.StatusNotFound, CodeNotFound, "no such endpoint", nil)
}

// NoMethod answers requests whose path exists under another method. Install with
// engine.NoMethod and set engine.HandleMethodNotAllowed = true (gin then also sets Allow).
func NoMethod(c *gin.Context) {
	c.Set(errorCodeKey, CodeMethodNotAllowed)
	write(c, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method not allowed on this endpoint", nil)
}

// ErrorCode returns the code Write answered with for this request ("" when none), so the
// access log can count failures by code without seeing the error itself.
func ErrorCode(c *gin.Context) string {
	return c.GetString(errorCodeKey)
}

// RetryAfterSeconds renders d as a Retry-After value: whole seconds, rounded up, at least 1,
// because "0" or a fraction would invite an immediate retry that is refused again.
func RetryAfterSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// Logged marks err as already logged with full context (Recovery logs the panic and its stack),
// so Write does not log it a second time. It changes nothing else: the answer is still a 500.
func Logged(err error) error {
	return loggedError{err}
}

type loggedError struct{ err error }

func (e loggedError) Error() string { return e.err.Error() }
func (e loggedError) Unwrap() error { return e.err }

func isLogged(err error) bool {
	var l loggedError
	return errors.As(err, &l)
}

func logInternal(c *gin.Context, err error) {
	ctx := c.Request.Context()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	Logger(ctx).LogAttrs(ctx, slog.LevelError, "internal error",
		slog.String("request_id", RequestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("error", err.Error()),
	)
}

// write renders the body. Details are merged at the top level (e.g. risks on
// RISK_ACK_REQUIRED) but can never overwrite the three fields clients rely on.
func write(c *gin.Context, status int, code, message string, details map[string]any) {
	if c.Writer.Written() {
		// Headers are gone (a streamed export failed half-way): all we can do is stop.
		return
	}
	body := make(map[string]any, 3+len(details))
	for k, v := range details {
		body[k] = v
	}
	body["code"] = code
	body["message"] = message
	body["request_id"] = RequestID(c)
	c.JSON(status, body)
}

// Gin context keys. Exported where other packages set them.
const (
	// RequestIDKey holds the request id in the gin context (set by middleware.RequestID).
	RequestIDKey = "sharecast.request_id"
	errorCodeKey = "sharecast.error_code"
)

type ctxKey int

const (
	requestIDCtxKey ctxKey = iota
	loggerCtxKey
)

// SetRequestID stores id in the gin context and in the request's context.Context, so code
// below the handler (services, jobs enqueued from it) can log it too.
func SetRequestID(c *gin.Context, id string) {
	c.Set(RequestIDKey, id)
	c.Request = c.Request.WithContext(WithRequestID(c.Request.Context(), id))
}

// RequestID returns the request's id, or "" outside the RequestID middleware.
func RequestID(c *gin.Context) string {
	if id := c.GetString(RequestIDKey); id != "" {
		return id
	}
	if c.Request != nil {
		return RequestIDFrom(c.Request.Context())
	}
	return ""
}

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDCtxKey, id)
}

// RequestIDFrom returns the request id carried by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDCtxKey).(string)
	return id
}

// WithLogger returns ctx carrying the service logger (set by middleware.AccessLog), so the
// error edge logs where the composition root pointed logs, not to a global.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerCtxKey, l)
}

// Logger returns the logger carried by ctx, or slog.Default() when there is none.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerCtxKey).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.Default()
}

package middleware

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

// Metrics registers the HTTP request metrics on reg and returns the middleware that records
// them plus an unauthenticated handler that exposes reg (wrap it with MetricsHandler, or serve
// it on an internal listener).
//
// Labels are bounded on purpose: route is the template (c.FullPath()) or "unmatched", never
// the raw path, and unusual methods collapse to "OTHER", so scanners cannot grow the series
// count. It panics when called twice on one registry, like prometheus.MustRegister.
func Metrics(reg *prometheus.Registry) (gin.HandlerFunc, http.Handler) {
	if reg == nil {
		panic("middleware.Metrics: nil registry")
	}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "HTTP requests answered, by method, route template and status.",
	}, []string{"method", "route", "status"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by method and route template.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route"})
	reg.MustRegister(requests, duration)

	record := func(c *gin.Context, start time.Time, status int) {
		route := c.FullPath()
		if route == "" {
			route = unmatchedRoute
		}
		method := metricMethod(c.Request.Method)
		requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	}
	mw := func(c *gin.Context) {
		start := time.Now()
		defer func() {
			// A panic must still count as a 500, whichever side of Recovery this sits on.
			if v := recover(); v != nil {
				record(c, start, http.StatusInternalServerError)
				panic(v)
			}
		}()
		c.Next()
		record(c, start, c.Writer.Status())
	}
	return mw, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	default:
		return "OTHER"
	}
}

// MetricsHandler serves reg in the Prometheus text format. When token is not empty the caller
// must send "Authorization: Bearer <token>" (SHARECAST_METRICS_TOKEN), else 401 UNAUTHENTICATED:
// metrics reveal traffic per route and brand activity, which is not public.
func MetricsHandler(reg *prometheus.Registry, token string) gin.HandlerFunc {
	if reg == nil {
		panic("middleware.MetricsHandler: nil registry")
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	want := sha256.Sum256([]byte(token))
	return func(c *gin.Context) {
		if token != "" {
			got, ok := bearerToken(c.GetHeader("Authorization"))
			// Comparing digests keeps the comparison constant-time in the token's length too.
			gotSum := sha256.Sum256([]byte(got))
			if !ok || subtle.ConstantTimeCompare(gotSum[:], want[:]) != 1 {
				c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
				httperr.Abort(c, apperr.UnauthenticatedErr("a valid metrics token is required"))
				return
			}
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

// bearerToken extracts the credentials of a Bearer Authorization header; the scheme is
// case-insensitive (RFC 9110 §11.1).
func bearerToken(header string) (string, bool) {
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	return cred, cred != ""
}

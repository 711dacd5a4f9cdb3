// Package middleware holds the cross-cutting Gin handlers every route goes through: request id,
// access log, recovery, body limit, rate limit, metrics, CORS and the trusted-proxy setting that
// decides what c.ClientIP() believes.
//
// Each constructor takes its dependencies explicitly and answers errors only through
// server/httperr. Middleware here must never read or log request bodies, Authorization
// headers or query strings, and never pick a status for a domain error.
//
// Suggested order on the engine: RequestID, AccessLog, Recovery, Metrics, CORS, BodyLimit; then
// RateLimit per route group, where the key (client IP, member id, API key id) is known.
package middleware

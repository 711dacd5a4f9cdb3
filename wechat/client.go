// Package wechat is the edge to WeChat's mini-program server API (api.weixin.qq.com): login
// (code2Session) and the server access_token (stable_token). It turns WeChat's errcodes into
// *apperr.Error kinds and codes so that nothing above it knows WeChat's numbers. It must never
// put an app secret, a session_key or an access token in an error message or a log line.
//
// The client is small and hand-written on purpose. silenceper/wechat sends every request
// through a package-global HTTP client that has no timeout (one slow WeChat call then holds a
// request forever, and tests that swap the global cannot run in parallel), and its QR-code
// call ignores its own URL rewriting hook, so it cannot be pointed at the simulator as a whole.
// Here each Client carries its own *http.Client and base URL: production uses
// https://api.weixin.qq.com, the embedded mode and tests use the simulator's
// http://127.0.0.1:PORT/_sim/api.
package wechat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/sharecast/sharecast/apperr"
)

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// defaultTimeout bounds a WeChat call made with the default HTTP client; a login waits on it,
// so it must fail well before the mini-program gives up.
const defaultTimeout = 10 * time.Second

// maxResponseBytes bounds what is read from WeChat; the JSON answers here are tiny.
const maxResponseBytes = 1 << 20

// Options configure a Client. The zero value talks to WeChat with a 10 s timeout and caches
// tokens in process memory.
type Options struct {
	// BaseURL replaces https://api.weixin.qq.com, e.g. http://127.0.0.1:8080/_sim/api.
	BaseURL string
	// HTTP is the client for every call. Nil: one with a 10 s timeout.
	HTTP *http.Client
	// Tokens caches access tokens (kv.Store in the service, shared by replicas). Nil: an
	// in-process cache.
	Tokens TokenCache
	// Logger reports cache failures, which do not fail the call. Nil: slog.Default().
	Logger *slog.Logger
}

// Client calls WeChat's mini-program server API. It is safe for concurrent use.
type Client struct {
	base   string
	http   *http.Client
	tokens TokenCache
	log    *slog.Logger
	// fetches collapses concurrent token fetches for one app into one call.
	fetches singleflight.Group
}

// NewClient builds a client from opts.
func NewClient(opts Options) *Client {
	c := &Client{
		base:   strings.TrimRight(opts.BaseURL, "/"),
		http:   opts.HTTP,
		tokens: opts.Tokens,
		log:    opts.Logger,
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: defaultTimeout}
	}
	if c.tokens == nil {
		c.tokens = newMemoryCache()
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c
}

// APIError is an errcode WeChat answered. It is the cause inside the *apperr.Error that the
// client returns, so a caller can errors.As for it (for example 40001, a stale access token).
type APIError struct {
	ErrCode int
	ErrMsg  string
}

func (e *APIError) Error() string { return fmt.Sprintf("wechat errcode %d: %s", e.ErrCode, e.ErrMsg) }

// wxStatus is the errcode and errmsg every WeChat answer may carry; absent means success.
type wxStatus struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// apiError is nil when the answer is a success.
func (s wxStatus) apiError() *APIError {
	if s.ErrCode == 0 {
		return nil
	}
	return &APIError{ErrCode: s.ErrCode, ErrMsg: s.ErrMsg}
}

// unavailable is the error for everything the caller cannot fix: WeChat down or busy, a
// misconfigured app, a transport failure.
func unavailable(cause error) *apperr.Error {
	return apperr.Wrap(cause, apperr.Unavailable, "WECHAT_UNAVAILABLE", "WeChat is unavailable, try again later")
}

// call sends req and decodes WeChat's JSON answer into out. path names the API in errors;
// the URL is never shown because its query may carry the secret and the code.
func (c *Client) call(req *http.Request, path string, out any) error {
	_, body, err := c.send(req, path, maxResponseBytes)
	if err != nil {
		return err
	}
	// WeChat sometimes labels JSON as text/plain, so the content type is not checked.
	if err := json.Unmarshal(body, out); err != nil {
		return unavailable(fmt.Errorf("%s %s: answer is not JSON: %w", req.Method, path, err))
	}
	return nil
}

// send sends req and returns the answer's Content-Type and body, which may be at most limit
// bytes. A transport failure, a non-2xx status or a longer body is Unavailable. path names
// the API in errors; the URL is never shown because its query may carry a secret, a code or
// an access token.
func (c *Client) send(req *http.Request, path string, limit int64) (string, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error prints the full URL; keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", nil, unavailable(fmt.Errorf("%s %s: %w", req.Method, path, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return "", nil, unavailable(fmt.Errorf("%s %s: read answer: %w", req.Method, path, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", nil, unavailable(fmt.Errorf("%s %s: HTTP %d", req.Method, path, resp.StatusCode))
	}
	if int64(len(body)) > limit {
		return "", nil, unavailable(fmt.Errorf("%s %s: answer longer than %d bytes", req.Method, path, limit))
	}
	return resp.Header.Get("Content-Type"), body, nil
}

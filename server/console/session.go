package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Cookie and form names.
const (
	// SessionCookie holds the admin session token that brands.Service.Login issued, the same
	// kind of token the JSON API takes as a bearer token.
	SessionCookie = "sharecast_session"
	// loginCookie binds the login form's CSRF token to this browser before there is a session.
	loginCookie = "sharecast_login"
	// CSRFField is the hidden form field; CSRFHeader is the same token for fetch() calls.
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

const ctxPrincipal = "sharecast.console.admin"

// csrfSigner derives CSRF tokens from the session id with an HMAC: stateless, bound to one
// session (a token leaked from one session is useless in another), and dead with the session.
type csrfSigner struct{ key []byte }

func (s csrfSigner) token(purpose, id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("sharecast csrf\x00" + purpose + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s csrfSigner) valid(purpose, id, got string) bool {
	if id == "" || got == "" {
		return false
	}
	return hmac.Equal([]byte(s.token(purpose, id)), []byte(got))
}

// ValidCSRF reports whether token is the CSRF token of the admin session sessionID under key.
// The JSON API uses it for requests that authenticate with the console's cookie.
func ValidCSRF(key []byte, sessionID, token string) bool {
	return csrfSigner{key: key}.valid("session", sessionID, token)
}

// SessionToken returns the console session token carried by r's cookie, or "".
func SessionToken(r *http.Request) string {
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}

// secure says whether cookies must be Secure: the request came over TLS, directly or through
// a proxy that says so. Believing the header costs nothing: a forged "https" only makes the
// forger's own browser withhold the cookie on plain HTTP.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(c *gin.Context, name, value, path string, maxAgeSeconds int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAgeSeconds,
		HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteStrictMode})
}

func clearCookie(c *gin.Context, name, path string) { setCookie(c, name, "", path, -1) }

// requireSession resolves the session cookie through brands.Service.Authenticate (revoked,
// expired and disabled sessions fail). Without a valid one it sends the browser to the login
// page, remembering where it was going.
func (con *Console) requireSession(c *gin.Context) {
	tok := SessionToken(c.Request)
	if tok != "" {
		p, err := con.d.Brands.Authenticate(c.Request.Context(), tok)
		if err == nil {
			c.Set(ctxPrincipal, p)
			c.Next()
			return
		}
		if apperr.KindOf(err) != apperr.Unauthenticated {
			con.writeError(c, err)
			c.Abort()
			return
		}
		clearCookie(c, SessionCookie, Prefix)
	}
	next := ""
	if c.Request.Method == http.MethodGet {
		next = c.Request.URL.RequestURI()
	}
	c.Redirect(http.StatusSeeOther, loginURL(next))
	c.Abort()
}

// requireCSRF refuses (403) a state-changing request without the session's CSRF token, from
// the form field or the header.
func (con *Console) requireCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	got := c.GetHeader(CSRFHeader)
	if got == "" {
		got = c.PostForm(CSRFField)
	}
	if !con.csrf.valid("session", principal(c).SessionID, got) {
		con.renderError(c, http.StatusForbidden, "error.csrf", "")
		c.Abort()
		return
	}
	c.Next()
}

// allow refuses (403) a role that lacks perm.
func (con *Console) allow(perm brands.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !perm.Allows(principal(c).Role) {
			con.renderError(c, http.StatusForbidden, "error.forbidden", "")
			c.Abort()
			return
		}
		c.Next()
	}
}

func principal(c *gin.Context) brands.Principal {
	v, _ := c.Get(ctxPrincipal)
	p, _ := v.(brands.Principal)
	return p
}

func loginURL(next string) string {
	if next == "" || !localPath(next) {
		return Prefix + "/login"
	}
	return Prefix + "/login?next=" + url.QueryEscape(next)
}

// consolePath accepts only console paths, so ?next= cannot send anyone to another site.
func consolePath(p string) bool {
	return (p == Prefix || strings.HasPrefix(p, Prefix+"/") || strings.HasPrefix(p, Prefix+"?")) &&
		!strings.HasPrefix(p, Prefix+"/v1") && !strings.ContainsAny(p, "\\\r\n") && !strings.Contains(p, "//") &&
		!strings.Contains(p, "..")
}

// localPath is a console path to go to after logging in (never the login page itself).
func localPath(p string) bool { return consolePath(p) && !strings.HasPrefix(p, Prefix+"/login") }

// loginNonce returns this browser's login-form nonce, setting one when absent.
func loginNonce(c *gin.Context) string {
	if ck, err := c.Request.Cookie(loginCookie); err == nil && len(ck.Value) >= 16 {
		return ck.Value
	}
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	setCookie(c, loginCookie, v, Prefix+"/login", 3600)
	return v
}

func (con *Console) loginForm(c *gin.Context) {
	con.renderLogin(c, http.StatusOK, loginNonce(c), c.Query("next"), "", "")
}

func (con *Console) login(c *gin.Context) {
	nonce := ""
	if ck, err := c.Request.Cookie(loginCookie); err == nil {
		nonce = ck.Value
	}
	if !con.csrf.valid("login", nonce, c.PostForm(CSRFField)) {
		con.renderError(c, http.StatusForbidden, "error.csrf", "")
		return
	}
	brand, user := strings.TrimSpace(c.PostForm("brand")), strings.TrimSpace(c.PostForm("username"))
	next := c.PostForm("next")
	if brand == "" || user == "" || c.PostForm("password") == "" {
		con.renderLogin(c, http.StatusBadRequest, nonce, next, brand, "login.missing")
		return
	}
	tok, _, err := con.d.Brands.Login(c.Request.Context(), brands.LoginInput{Brand: brand, Username: user,
		Password: c.PostForm("password"), ClientIP: c.ClientIP(), RequestID: requestID(c)})
	switch apperr.KindOf(err) {
	case apperr.Internal:
		if err != nil {
			con.writeError(c, err)
			return
		}
	case apperr.Unauthenticated:
		con.renderLogin(c, http.StatusUnauthorized, nonce, next, brand, "login.failed")
		return
	case apperr.RateLimited:
		if ae, ok := apperr.As(err); ok {
			c.Header("Retry-After", retryAfter(ae))
		}
		con.renderLogin(c, http.StatusTooManyRequests, nonce, next, brand, "login.locked")
		return
	default:
		con.writeError(c, err)
		return
	}
	clearCookie(c, loginCookie, Prefix+"/login")
	// A browser session cookie: it dies with the browser, and the server ends the session
	// after its TTL anyway.
	setCookie(c, SessionCookie, tok, Prefix, 0)
	if !localPath(next) {
		next = Prefix
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (con *Console) logout(c *gin.Context) {
	if err := con.d.Brands.Logout(c.Request.Context(), principal(c), requestID(c)); err != nil {
		con.writeError(c, err)
		return
	}
	clearCookie(c, SessionCookie, Prefix)
	c.Redirect(http.StatusSeeOther, Prefix+"/login")
}

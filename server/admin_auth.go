package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/console"
	"github.com/sharecast/sharecast/server/httperr"
)

const ctxAdmin = "sharecast.admin"

// requireAdmin authenticates an admin session token (Authorization: Bearer …) or, for the
// console's own scripts, its session cookie; a request that changes something with the cookie
// must carry the session's CSRF token in X-CSRF-Token (403 CSRF_INVALID otherwise), because a
// browser attaches cookies to requests other sites make it send.
func (s *Server) requireAdmin() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		byCookie := false
		if !ok || tok == "" {
			tok, byCookie = console.SessionToken(c.Request), true
		}
		if tok == "" {
			httperr.Abort(c, apperr.UnauthenticatedErr("missing admin token"))
			return
		}
		p, err := s.d.Brands.Authenticate(c.Request.Context(), tok)
		if err != nil {
			httperr.Abort(c, err)
			return
		}
		if byCookie && !safeMethod(c.Request.Method) && !console.ValidCSRF(s.d.ConsoleKey, p.SessionID, c.GetHeader(console.CSRFHeader)) {
			httperr.Abort(c, apperr.New(apperr.Forbidden, "CSRF_INVALID", "a request authenticated by the console cookie needs its X-CSRF-Token"))
			return
		}
		c.Set(ctxAdmin, p)
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// requireRole lets only the given roles through (403 FORBIDDEN otherwise).
func requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		for _, r := range roles {
			if p.Role == r {
				c.Next()
				return
			}
		}
		httperr.Abort(c, apperr.ForbiddenErr("your role may not do this"))
	}
}

func principal(c *gin.Context) brands.Principal {
	p, _ := c.Get(ctxAdmin)
	pr, _ := p.(brands.Principal)
	return pr
}

func actor(c *gin.Context) brands.Actor {
	p := principal(c)
	return brands.Actor{Type: "admin", ID: p.AdminID, RequestID: httperr.RequestID(c)}
}

func (s *Server) adminLogin(c *gin.Context) {
	var req struct {
		Brand    string `json:"brand"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if req.Brand == "" || req.Username == "" || req.Password == "" {
		httperr.Write(c, apperr.InvalidArgument("brand, username and password are required"))
		return
	}
	tok, p, err := s.d.Brands.Login(c.Request.Context(), brands.LoginInput{Brand: req.Brand, Username: req.Username,
		Password: req.Password, ClientIP: c.ClientIP(), RequestID: httperr.RequestID(c)})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": tok, "admin": adminDTO{ID: p.AdminID, Username: p.Username, Role: p.Role}, "brand_id": p.BrandID})
}

func (s *Server) adminLogout(c *gin.Context) {
	if err := s.d.Brands.Logout(c.Request.Context(), principal(c), httperr.RequestID(c)); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) adminPassword(c *gin.Context) {
	var req struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if err := s.d.Brands.ChangePassword(c.Request.Context(), principal(c), httperr.RequestID(c), req.CurrentPassword, req.NewPassword); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/httperr"
)

type adminDTO struct {
	ID          string  `json:"id"`
	Username    string  `json:"username"`
	Role        string  `json:"role"`
	Disabled    bool    `json:"disabled"`
	LastLoginAt *string `json:"last_login_at"`
	CreatedAt   string  `json:"created_at,omitempty"`
}

func toAdminDTO(a brands.Admin) adminDTO {
	d := adminDTO{ID: a.ID, Username: a.Username, Role: a.Role, Disabled: a.Disabled, CreatedAt: a.CreatedAt.Format(time.RFC3339)}
	if a.LastLoginAt != nil {
		s := a.LastLoginAt.Format(time.RFC3339)
		d.LastLoginAt = &s
	}
	return d
}

func (s *Server) listAdmins(c *gin.Context) {
	list, err := s.d.Brands.Admins(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]adminDTO, len(list))
	for i, a := range list {
		out[i] = toAdminDTO(a)
	}
	c.JSON(http.StatusOK, gin.H{"admins": out})
}

func (s *Server) createAdmin(c *gin.Context) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Role     string `json:"role"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	a, err := s.d.Brands.CreateAdmin(c.Request.Context(), actor(c), principal(c).BrandID,
		brands.NewAdminInput{Username: req.Username, Password: req.Password, Role: req.Role})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"admin": toAdminDTO(a)})
}

func (s *Server) patchAdmin(c *gin.Context) {
	var req struct {
		Role     *string `json:"role"`
		Disabled *bool   `json:"disabled"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	a, err := s.d.Brands.UpdateAdmin(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"),
		brands.AdminChange{Role: req.Role, Disabled: req.Disabled})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"admin": toAdminDTO(a)})
}

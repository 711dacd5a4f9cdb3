package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/httperr"
)

type apiKeyDTO struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedBy  string  `json:"created_by"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
}

func toAPIKeyDTO(k brands.APIKey) apiKeyDTO {
	return apiKeyDTO{ID: k.ID, Name: k.Name, CreatedBy: k.CreatedBy, CreatedAt: rfc3339(k.CreatedAt),
		LastUsedAt: optTime(k.LastUsedAt), RevokedAt: optTime(k.RevokedAt)}
}

func (s *Server) listAPIKeys(c *gin.Context) {
	list, err := s.d.APIKeys.List(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]apiKeyDTO, len(list))
	for i, k := range list {
		out[i] = toAPIKeyDTO(k)
	}
	c.JSON(http.StatusOK, gin.H{"api_keys": out})
}

func (s *Server) createAPIKey(c *gin.Context) {
	var req struct {
		Name string `json:"name"`
	}
	if c.Request.ContentLength != 0 {
		if err := httperr.BindJSON(c, &req); err != nil {
			httperr.Write(c, err)
			return
		}
	}
	k, token, err := s.d.APIKeys.Create(c.Request.Context(), actor(c), principal(c).BrandID, req.Name)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": k.ID, "api_key": token, "name": k.Name, "created_at": rfc3339(k.CreatedAt)})
}

func (s *Server) revokeAPIKey(c *gin.Context) {
	if err := s.d.APIKeys.Revoke(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id")); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

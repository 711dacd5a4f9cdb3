package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/httperr"
)

type auditDTO struct {
	ID         string         `json:"id"`
	ActorType  string         `json:"actor_type"`
	ActorID    string         `json:"actor_id"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Detail     map[string]any `json:"detail"`
	RequestID  string         `json:"request_id"`
	CreatedAt  string         `json:"created_at"`
}

// page reads ?limit= and ?cursor= (API.md: default 50, clamped to 200).
func page(c *gin.Context) (brands.Page, error) {
	p := brands.Page{Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, apperr.InvalidArgument("limit must be a positive whole number")
		}
		p.Limit = min(n, 200)
	}
	if len(p.Cursor) > 64 {
		return p, apperr.InvalidArgument("cursor is not valid")
	}
	return p, nil
}

func (s *Server) listAudit(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	list, next, err := s.d.Brands.Audit(c.Request.Context(), principal(c).BrandID, p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]auditDTO, len(list))
	for i, e := range list {
		out[i] = auditDTO{ID: e.ID, ActorType: e.ActorType, ActorID: e.ActorID, Action: e.Action, TargetType: e.TargetType,
			TargetID: e.TargetID, Detail: e.Detail, RequestID: e.RequestID, CreatedAt: e.CreatedAt.Format(time.RFC3339)}
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	c.JSON(http.StatusOK, gin.H{"entries": out, "next_cursor": nc})
}

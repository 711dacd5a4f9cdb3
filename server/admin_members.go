package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

type adminMemberDTO struct {
	ID                 string  `json:"id"`
	Nickname           string  `json:"nickname"`
	AvatarURL          string  `json:"avatar_url"`
	Status             string  `json:"status"`
	LeaderboardVisible bool    `json:"leaderboard_visible"`
	HasUnionID         bool    `json:"has_unionid"`
	HasRealName        bool    `json:"has_real_name"`
	RecruiterID        *string `json:"recruiter_id"`
	CreatedAt          string  `json:"created_at"`
	LastLoginAt        *string `json:"last_login_at"`
}

func toAdminMemberDTO(m referral.Member) adminMemberDTO {
	return adminMemberDTO{ID: m.ID, Nickname: m.Nickname, AvatarURL: m.AvatarURL, Status: m.Status,
		LeaderboardVisible: m.LeaderboardVisible, HasUnionID: m.UnionID != "", HasRealName: m.HasRealName,
		RecruiterID: nullable(m.RecruiterID), CreatedAt: rfc3339(m.CreatedAt), LastLoginAt: optTime(m.LastLoginAt)}
}

// pageParams reads ?limit= and ?cursor= (API.md: default 50, clamped to 200 by the store).
func pageParams(c *gin.Context) (limit int, cursor string, err error) {
	if v := c.Query("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			return 0, "", apperr.InvalidArgument("limit must be a positive integer")
		}
		limit = n
	}
	cursor = c.Query("cursor")
	if len(cursor) > 64 {
		return 0, "", apperr.InvalidArgument("cursor is not one this service gave out")
	}
	return limit, cursor, nil
}

func (s *Server) listMembers(c *gin.Context) {
	limit, cursor, err := pageParams(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	list, next, err := s.d.Members.List(c.Request.Context(), principal(c).BrandID, c.Query("status"), referral.Page{Cursor: cursor, Limit: limit})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]adminMemberDTO, len(list))
	for i, m := range list {
		out[i] = toAdminMemberDTO(m)
	}
	c.JSON(http.StatusOK, gin.H{"members": out, "next_cursor": nullable(next)})
}

func (s *Server) freezeMember(c *gin.Context)   { s.setMemberFrozen(c, true) }
func (s *Server) unfreezeMember(c *gin.Context) { s.setMemberFrozen(c, false) }

func (s *Server) setMemberFrozen(c *gin.Context, frozen bool) {
	m, err := s.d.Members.SetFrozen(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"), frozen)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"member": toAdminMemberDTO(m)})
}

package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/miniprogramapi"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerSharing mounts the links area: the admin lives, leaderboard and reservation review
// routes (owner and operator write; every role reads), and the public QR route.
func (s *Server) registerSharing(e *gin.Engine, admin *gin.RouterGroup, mp *miniprogramapi.Handlers, ipLimit gin.HandlerFunc) {
	// The QR image has no token (an <image src> in the mini-program or on a poster); the code
	// is unguessable, so only the per-IP limit applies.
	e.GET("/mp/v1/links/:code/qr", ipLimit, mp.LinkQR)

	write := requireRole(brands.RoleOwner, brands.RoleOperator)
	admin.GET("/lives", s.listLivesAdmin)
	admin.POST("/lives", write, s.createLive)
	admin.GET("/lives/:id", s.getLive)
	admin.PATCH("/lives/:id", write, s.patchLive)
	admin.POST("/lives/:id/start", write, s.startLive)
	admin.POST("/lives/:id/end", write, s.endLive)
	admin.GET("/lives/:id/leaderboard", s.adminLeaderboard)
	admin.GET("/lives/:id/reservations", write, s.listReservationsAdmin)
	admin.POST("/reservations/:id/clear", write, s.clearReservation)
	admin.POST("/reservations/:id/void", write, s.voidReservation)
}

type adminLiveDTO struct {
	ID                 string  `json:"id"`
	Title              string  `json:"title"`
	NoticeID           *string `json:"notice_id"`
	FinderUserName     string  `json:"finder_user_name"`
	PlannedStartAt     string  `json:"planned_start_at"`
	ActualStartAt      *string `json:"actual_start_at"`
	EndedAt            *string `json:"ended_at"`
	TargetReservations int64   `json:"target_reservations"`
	Status             string  `json:"status"`
	CreatedAt          string  `json:"created_at"`
	// live operations: the synced Channels notice (state, start, last change), when seen.
	Notice *noticeDTO `json:"notice,omitempty"`
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}

func toAdminLiveDTO(l referral.Live) adminLiveDTO {
	d := adminLiveDTO{ID: l.ID, Title: l.Title, FinderUserName: l.FinderUserName, PlannedStartAt: l.PlannedStartAt.Format(time.RFC3339),
		ActualStartAt: optTime(l.ActualStartAt), EndedAt: optTime(l.EndedAt), TargetReservations: l.TargetReservations,
		Status: l.Status, CreatedAt: l.CreatedAt.Format(time.RFC3339)}
	if l.NoticeID != "" {
		n := l.NoticeID
		d.NoticeID = &n
	}
	return d
}

func (s *Server) listLivesAdmin(c *gin.Context) {
	p, err := miniprogramapi.ListPage(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	list, next, err := s.d.Sharing.Lives(c.Request.Context(), principal(c).BrandID, c.Query("status"), p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]adminLiveDTO, len(list))
	for i, l := range list {
		out[i] = toAdminLiveDTO(l)
	}
	if err := s.withNotices(c, list, out); err != nil {
		httperr.Write(c, err)
		return
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	c.JSON(http.StatusOK, gin.H{"lives": out, "next_cursor": nc})
}

// liveRequest is the body of POST and PATCH. notice_id absent leaves it; "" removes it
// (PATCH only).
type liveRequest struct {
	Title              *string `json:"title"`
	NoticeID           *string `json:"notice_id"`
	FinderUserName     *string `json:"finder_user_name"`
	PlannedStartAt     *string `json:"planned_start_at"`
	TargetReservations *int64  `json:"target_reservations"`
	AcknowledgeRisk    bool    `json:"acknowledge_risk"`
}

// bindLive decodes a live body into a change.
func bindLive(c *gin.Context) (referral.LiveChange, error) {
	var req liveRequest
	if err := httperr.BindJSON(c, &req); err != nil {
		return referral.LiveChange{}, err
	}
	ch := referral.LiveChange{Title: req.Title, NoticeID: req.NoticeID, FinderUserName: req.FinderUserName,
		TargetReservations: req.TargetReservations, AcknowledgeRisk: req.AcknowledgeRisk}
	if req.PlannedStartAt != nil {
		t, err := time.Parse(time.RFC3339, *req.PlannedStartAt)
		if err != nil {
			return referral.LiveChange{}, apperr.InvalidArgument("planned_start_at must be an RFC 3339 time with offset")
		}
		ch.PlannedStartAt = &t
	}
	return ch, nil
}

func (s *Server) createLive(c *gin.Context) {
	req, err := bindLive(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	l, err := s.d.Sharing.CreateLive(c.Request.Context(), actor(c), principal(c).BrandID, req)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"live": toAdminLiveDTO(l)})
}

func (s *Server) getLive(c *gin.Context) {
	l, err := s.d.Sharing.Live(c.Request.Context(), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := []adminLiveDTO{toAdminLiveDTO(l)}
	if err := s.withNotices(c, []referral.Live{l}, out); err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"live": out[0]})
}

func (s *Server) patchLive(c *gin.Context) {
	req, err := bindLive(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	l, err := s.d.Sharing.UpdateLive(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"), req)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"live": toAdminLiveDTO(l)})
}

func (s *Server) startLive(c *gin.Context) {
	l, err := s.d.Sharing.StartLive(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"live": toAdminLiveDTO(l)})
}

func (s *Server) endLive(c *gin.Context) {
	l, err := s.d.Sharing.EndLive(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"live": toAdminLiveDTO(l)})
}

func (s *Server) adminLeaderboard(c *gin.Context) {
	req, err := miniprogramapi.BoardRequest(c, principal(c).BrandID, c.Param("id"), "")
	if err != nil {
		httperr.Write(c, err)
		return
	}
	v, err := s.d.Leaderboard.Read(c.Request.Context(), req)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, miniprogramapi.BoardJSON(v, false))
}

type adminReservationDTO struct {
	ID              string  `json:"id"`
	LiveID          string  `json:"live_id"`
	ViewerMemberID  string  `json:"viewer_member_id"`
	InviterMemberID *string `json:"inviter_member_id"`
	Code            *string `json:"code"`
	Channel         *string `json:"channel"`
	Group           *string `json:"group"`
	Status          string  `json:"status"`
	Risk            string  `json:"risk"`
	Counted         bool    `json:"counted"`
	Reason          *string `json:"reason"`
	LastState       int     `json:"last_state"`
	ClientIP        *string `json:"client_ip"`
	CountedAt       *string `json:"counted_at"`
	CreatedAt       string  `json:"created_at"`
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toAdminReservationDTO(r referral.Reservation) adminReservationDTO {
	return adminReservationDTO{ID: r.ID, LiveID: r.LiveID, ViewerMemberID: r.ViewerID, InviterMemberID: opt(r.InviterID),
		Code: opt(r.Code), Channel: opt(r.Channel), Group: opt(r.Group), Status: r.Status, Risk: r.Risk, Counted: r.Counted,
		Reason: opt(r.Reason), LastState: r.LastState, ClientIP: opt(r.ClientIP), CountedAt: optTime(r.CountedAt),
		CreatedAt: r.CreatedAt.Format(time.RFC3339)}
}

func (s *Server) listReservationsAdmin(c *gin.Context) {
	p, err := miniprogramapi.ListPage(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	list, next, err := s.d.Sharing.Reservations(c.Request.Context(), principal(c).BrandID, c.Param("id"),
		referral.ReservationFilter{Risk: c.Query("risk"), Status: c.Query("status")}, p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]adminReservationDTO, len(list))
	for i, r := range list {
		out[i] = toAdminReservationDTO(r)
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	c.JSON(http.StatusOK, gin.H{"reservations": out, "next_cursor": nc})
}

func (s *Server) clearReservation(c *gin.Context) {
	r, err := s.d.Sharing.ClearReservation(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reservation": toAdminReservationDTO(r)})
}

func (s *Server) voidReservation(c *gin.Context) {
	r, err := s.d.Sharing.VoidReservation(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reservation": toAdminReservationDTO(r)})
}

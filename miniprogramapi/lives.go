package miniprogramapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerSharing mounts lives, links, touches, reservations and the leaderboard.
func (h *Handlers) registerSharing(authed *gin.RouterGroup) {
	authed.GET("/lives", h.listLives)
	authed.POST("/lives/:live_id/links", h.createLinks)
	authed.POST("/touches", h.createTouch)
	authed.POST("/reservations", h.createReservation)
	authed.GET("/me/reservations", h.myReservations)
	authed.GET("/lives/:live_id/invitees", h.invitees)
	authed.GET("/lives/:live_id/leaderboard", h.leaderboard)
}

// ListPage reads ?limit= and ?cursor= (API.md: default 50, clamped to 200).
func ListPage(c *gin.Context) (referral.Page, error) {
	p := referral.Page{Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, apperr.InvalidArgument("limit must be a positive whole number")
		}
		p.Limit = min(n, 200)
	}
	if len(p.Cursor) > 200 {
		return p, apperr.InvalidArgument("cursor is not valid")
	}
	return p, nil
}

// nextCursor is null on the last page.
func nextCursor(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func rfc3339(t time.Time) string { return t.Format(time.RFC3339) }

// LiveDTO is a live as the mini-program sees it.
type LiveDTO struct {
	ID             string  `json:"id"`
	Title          string  `json:"title"`
	NoticeID       *string `json:"notice_id"`
	FinderUserName string  `json:"finder_user_name"`
	PlannedStartAt string  `json:"planned_start_at"`
	Status         string  `json:"status"`
}

// ToLiveDTO maps a live.
func ToLiveDTO(l referral.Live) LiveDTO {
	return LiveDTO{ID: l.ID, Title: l.Title, NoticeID: optString(l.NoticeID), FinderUserName: l.FinderUserName,
		PlannedStartAt: rfc3339(l.PlannedStartAt), Status: l.Status}
}

func (h *Handlers) listLives(c *gin.Context) {
	p, err := ListPage(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	brandID, _ := Caller(c)
	list, next, err := h.Sharing.Lives(c.Request.Context(), brandID, c.Query("status"), p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]LiveDTO, len(list))
	for i, l := range list {
		out[i] = ToLiveDTO(l)
	}
	c.JSON(http.StatusOK, gin.H{"lives": out, "next_cursor": nextCursor(next)})
}

type linkDTO struct {
	Channel string  `json:"channel"`
	Group   *string `json:"group"`
	Code    string  `json:"code"`
	Path    string  `json:"path"`
	URLLink *string `json:"url_link"`
	QRURL   string  `json:"qr_url"`
}

// QRPath is where a code's QR image is served (without a token).
func QRPath(code string) string { return "/mp/v1/links/" + code + "/qr" }

func (h *Handlers) createLinks(c *gin.Context) {
	var req struct {
		Channels []string `json:"channels"`
		Group    string   `json:"group"`
	}
	if c.Request.ContentLength != 0 { // an empty body asks for every channel
		if err := httperr.BindJSON(c, &req); err != nil {
			httperr.Write(c, err)
			return
		}
	}
	brandID, memberID := Caller(c)
	links, err := h.Sharing.Links(c.Request.Context(), brandID, memberID, c.Param("live_id"),
		referral.LinksInput{Channels: req.Channels, Group: req.Group})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]linkDTO, len(links))
	for i, l := range links {
		d := linkDTO{Channel: l.Channel, Code: l.Code, Path: l.Path(), URLLink: optString(l.URLLink), QRURL: QRPath(l.Code)}
		if l.Channel == referral.ChannelGroup {
			g := l.Group
			d.Group = &g
		}
		out[i] = d
	}
	c.JSON(http.StatusOK, gin.H{"links": out})
}

// LinkQR serves GET /mp/v1/links/{code}/qr without a token: the code is unguessable, so an
// <image src> in the mini-program or a poster works. The bytes never change, so clients and
// proxies may cache them.
func (h *Handlers) LinkQR(c *gin.Context) {
	img, ct, err := h.Sharing.LinkQR(c.Request.Context(), c.Param("code"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400, immutable")
	c.Data(http.StatusOK, ct, img)
}

type touchLiveDTO struct {
	ID             string  `json:"id"`
	NoticeID       *string `json:"notice_id"`
	FinderUserName string  `json:"finder_user_name"`
	PlannedStartAt string  `json:"planned_start_at"`
	Status         string  `json:"status"`
}

func (h *Handlers) createTouch(c *gin.Context) {
	var req struct {
		Code string `json:"code"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if req.Code == "" {
		httperr.Write(c, apperr.InvalidArgument("code is required"))
		return
	}
	brandID, memberID := Caller(c)
	res, err := h.Sharing.RecordTouch(c.Request.Context(), brandID, memberID, req.Code, c.ClientIP())
	if err != nil {
		httperr.Write(c, err)
		return
	}
	name := res.Inviter.Nickname
	if name == "" {
		name = leaderboard.UnnamedMember
	}
	l := res.Live
	c.JSON(http.StatusOK, gin.H{
		"live": touchLiveDTO{ID: l.ID, NoticeID: optString(l.NoticeID), FinderUserName: l.FinderUserName,
			PlannedStartAt: rfc3339(l.PlannedStartAt), Status: l.Status},
		"inviter": gin.H{"nickname": name},
	})
}

// ReservationDTO is a reservation as its viewer sees it.
type ReservationDTO struct {
	ID              string  `json:"id"`
	LiveID          string  `json:"live_id"`
	Status          string  `json:"status"`
	Risk            string  `json:"risk"`
	InviterMemberID *string `json:"inviter_member_id"`
	Counted         bool    `json:"counted"`
	Reason          *string `json:"reason"`
	LastState       int     `json:"last_state"`
	CreatedAt       string  `json:"created_at"`
}

// ToReservationDTO maps a reservation.
func ToReservationDTO(r referral.Reservation) ReservationDTO {
	return ReservationDTO{ID: r.ID, LiveID: r.LiveID, Status: r.Status, Risk: r.Risk, InviterMemberID: optString(r.InviterID),
		Counted: r.Counted, Reason: optString(r.Reason), LastState: r.LastState, CreatedAt: rfc3339(r.CreatedAt)}
}

func (h *Handlers) createReservation(c *gin.Context) {
	var req struct {
		Code     string `json:"code"`
		NoticeID string `json:"notice_id"`
		State    *int   `json:"state"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if req.State == nil {
		httperr.Write(c, apperr.InvalidArgument("state is required (the wx.reserveChannelsLive result, 1 to 10)"))
		return
	}
	brandID, memberID := Caller(c)
	r, err := h.Sharing.RecordReservation(c.Request.Context(), referral.ReservationInput{BrandID: brandID, ViewerID: memberID,
		Code: req.Code, NoticeID: req.NoticeID, State: *req.State, ClientIP: c.ClientIP()})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	var out *ReservationDTO
	if r != nil {
		d := ToReservationDTO(*r)
		out = &d
	}
	c.JSON(http.StatusOK, gin.H{"reservation": out})
}

func (h *Handlers) myReservations(c *gin.Context) {
	p, err := ListPage(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	brandID, memberID := Caller(c)
	list, next, err := h.Sharing.MyReservations(c.Request.Context(), brandID, memberID, c.Query("live_id"), p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]ReservationDTO, len(list))
	for i, r := range list {
		out[i] = ToReservationDTO(r)
	}
	c.JSON(http.StatusOK, gin.H{"reservations": out, "next_cursor": nextCursor(next)})
}

type inviteeDTO struct {
	Nickname  string  `json:"nickname"`
	Status    string  `json:"status"`
	Counted   bool    `json:"counted"`
	Reason    *string `json:"reason"`
	CreatedAt string  `json:"created_at"`
}

func (h *Handlers) invitees(c *gin.Context) {
	p, err := ListPage(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	brandID, memberID := Caller(c)
	list, next, err := h.Sharing.Invitees(c.Request.Context(), brandID, c.Param("live_id"), memberID, p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]inviteeDTO, len(list))
	for i, r := range list {
		name := r.Nickname
		if name == "" {
			name = leaderboard.UnnamedMember
		}
		out[i] = inviteeDTO{Nickname: name, Status: r.Status, Counted: r.Counted, Reason: optString(r.Reason), CreatedAt: rfc3339(r.CreatedAt)}
	}
	c.JSON(http.StatusOK, gin.H{"invitees": out, "next_cursor": nextCursor(next)})
}

// BoardRequest reads ?window=&group=&limit= of a leaderboard route.
func BoardRequest(c *gin.Context, brandID, liveID, callerID string) (leaderboard.ReadRequest, error) {
	r := leaderboard.ReadRequest{BrandID: brandID, LiveID: liveID, Window: c.Query("window"), Group: c.Query("group"), CallerID: callerID}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return r, apperr.InvalidArgument("limit must be a positive whole number")
		}
		r.Limit = min(n, 200)
	}
	return r, nil
}

// BoardJSON renders a board view: the count field is "reservations" for the live window and
// "touches" (distinct visitors) for ignition; anonymous entries have member_id null.
func BoardJSON(v leaderboard.View, withMe bool) gin.H {
	field := "reservations"
	if v.Key.Window == leaderboard.WindowIgnition {
		field = "touches"
	}
	entries := make([]gin.H, len(v.Entries))
	for i, e := range v.Entries {
		entries[i] = gin.H{"rank": e.Rank, "member_id": optString(e.MemberID), "nickname": e.Nickname, field: e.Count}
	}
	out := gin.H{"window": v.Key.Window, "group": optString(v.Key.Group), "entries": entries}
	if withMe {
		var rank *int
		if v.Me.Rank > 0 {
			r := v.Me.Rank
			rank = &r
		}
		out["me"] = gin.H{"rank": rank, field: v.Me.Count}
	}
	return out
}

func (h *Handlers) leaderboard(c *gin.Context) {
	brandID, memberID := Caller(c)
	req, err := BoardRequest(c, brandID, c.Param("live_id"), memberID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	v, err := h.Leaderboard.Read(c.Request.Context(), req)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, BoardJSON(v, true))
}

package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerLeaderboardOutputs mounts the board's outputs for group chats: text, poster,
// public pages, WeCom robots, pushes and schedules. Every role reads boards; owners and
// operators share and push them.
func (s *Server) registerLeaderboardOutputs(authed *gin.RouterGroup, public *gin.RouterGroup) {
	ops := requireRole(brands.RoleOwner, brands.RoleOperator)
	authed.GET("/lives/:id/leaderboard.txt", s.adminBoardText)
	authed.GET("/lives/:id/leaderboard.png", s.adminBoardPoster)
	authed.POST("/lives/:id/leaderboard/share", ops, s.createBoardShare)
	authed.DELETE("/leaderboard-shares/:token", ops, s.revokeBoardShare)
	authed.POST("/lives/:id/leaderboard/push", ops, s.pushBoard)
	authed.GET("/lives/:id/leaderboard/pushes", ops, s.listBoardPushes)
	authed.GET("/wecom-robots", ops, s.listRobots)
	authed.POST("/wecom-robots", ops, s.createRobot)
	authed.PATCH("/wecom-robots/:id", ops, s.patchRobot)
	authed.DELETE("/wecom-robots/:id", ops, s.deleteRobot)
	authed.GET("/lives/:id/push-schedules", ops, s.listSchedules)
	authed.POST("/lives/:id/push-schedules", ops, s.createSchedule)
	authed.PATCH("/push-schedules/:id", ops, s.patchSchedule)
	authed.DELETE("/push-schedules/:id", ops, s.deleteSchedule)

	public.GET("/lb/:token", s.publicBoardPage)
	public.GET("/lb/:token/data", s.publicBoardData)
}

// BoardQuery reads ?window=&group=&privacy=&top_n= (shared with the mini-program handlers).
func BoardQuery(c *gin.Context) (leaderboard.BoardQuery, error) {
	q := leaderboard.BoardQuery{Window: c.Query("window"), Group: c.Query("group"), Privacy: leaderboard.Privacy(c.Query("privacy"))}
	if v := c.Query("top_n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, apperr.InvalidArgument("top_n must be a whole number from 1 to 100")
		}
		q.TopN = n
	}
	return q.Normalize()
}

// WritePNG answers a poster; no-store because the numbers move.
func WritePNG(c *gin.Context, png []byte) {
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", `inline; filename="leaderboard.png"`)
	c.Data(http.StatusOK, "image/png", png)
}

// WriteText answers paste-ready text.
func WriteText(c *gin.Context, text string) {
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(text+"\n"))
}

func (s *Server) adminBoardText(c *gin.Context) {
	q, err := BoardQuery(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	txt, err := s.d.Outputs.Text(c.Request.Context(), principal(c).BrandID, c.Param("id"), "", q)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	WriteText(c, txt)
}

func (s *Server) adminBoardPoster(c *gin.Context) {
	q, err := BoardQuery(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	png, err := s.d.Outputs.Poster(c.Request.Context(), principal(c).BrandID, c.Param("id"), "", q)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	WritePNG(c, png)
}

type boardQueryBody struct {
	Window  string `json:"window"`
	Group   string `json:"group"`
	Privacy string `json:"privacy"`
	TopN    int    `json:"top_n"`
}

func (b boardQueryBody) query() leaderboard.BoardQuery {
	return leaderboard.BoardQuery{Window: b.Window, Group: b.Group, Privacy: leaderboard.Privacy(b.Privacy), TopN: b.TopN}
}

type shareDTO struct {
	ID        string `json:"id"`
	LiveID    string `json:"live_id"`
	Window    string `json:"window"`
	Group     string `json:"group"`
	Privacy   string `json:"privacy"`
	TopN      int    `json:"top_n"`
	CreatedAt string `json:"created_at"`
}

// absoluteURL builds a link for group chats from the request that asked for it: https when
// the request came over TLS or through a proxy that says so.
func absoluteURL(c *gin.Context, path string) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + path
}

func (s *Server) createBoardShare(c *gin.Context) {
	var req boardQueryBody
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	token, sh, err := s.d.Outputs.CreateShare(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"), req.query())
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"url": absoluteURL(c, "/lb/"+token), "token": token, "share": shareDTO{
		ID: sh.ID, LiveID: sh.LiveID, Window: sh.Query.Window, Group: sh.Query.Group, Privacy: string(sh.Query.Privacy),
		TopN: sh.Query.TopN, CreatedAt: sh.CreatedAt.Format(time.RFC3339)}})
}

func (s *Server) revokeBoardShare(c *gin.Context) {
	if err := s.d.Outputs.RevokeShare(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("token")); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func timePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}

type pushDTO struct {
	ID         string  `json:"id"`
	LiveID     string  `json:"live_id"`
	RobotID    string  `json:"robot_id"`
	RobotName  string  `json:"robot_name"`
	ScheduleID *string `json:"schedule_id"`
	Kind       string  `json:"kind"`
	Window     string  `json:"window"`
	Group      string  `json:"group"`
	Privacy    string  `json:"privacy"`
	TopN       int     `json:"top_n"`
	Status     string  `json:"status"`
	Attempts   int     `json:"attempts"`
	Errcode    int     `json:"errcode"`
	Error      string  `json:"error"`
	Bytes      int     `json:"bytes"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
	SentAt     *string `json:"sent_at"`
}

func toPushDTO(p leaderboard.Push) pushDTO {
	d := pushDTO{ID: p.ID, LiveID: p.LiveID, RobotID: p.RobotID, RobotName: p.RobotName, Kind: p.Kind,
		Window: p.Query.Window, Group: p.Query.Group, Privacy: string(p.Query.Privacy), TopN: p.Query.TopN,
		Status: p.Status, Attempts: p.Attempts, Errcode: p.Errcode, Error: p.Error, Bytes: p.Bytes,
		CreatedAt: p.CreatedAt.Format(time.RFC3339), UpdatedAt: p.UpdatedAt.Format(time.RFC3339), SentAt: timePtr(p.SentAt)}
	if p.ScheduleID != "" {
		d.ScheduleID = &p.ScheduleID
	}
	return d
}

func (s *Server) pushBoard(c *gin.Context) {
	var req struct {
		boardQueryBody
		RobotIDs []string `json:"robot_ids"`
		Format   string   `json:"format"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	list, err := s.d.Outputs.PushNow(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"),
		leaderboard.PushRequest{RobotIDs: req.RobotIDs, Format: req.Format, Query: req.query()})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]pushDTO, len(list))
	for i, p := range list {
		out[i] = toPushDTO(p)
	}
	c.JSON(http.StatusAccepted, gin.H{"pushes": out})
}

func (s *Server) listBoardPushes(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	list, next, err := s.d.Outputs.Pushes(c.Request.Context(), principal(c).BrandID, c.Param("id"), p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]pushDTO, len(list))
	for i, p := range list {
		out[i] = toPushDTO(p)
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	c.JSON(http.StatusOK, gin.H{"pushes": out, "next_cursor": nc})
}

// robotDTO never carries the webhook key, not even a part of it.
type robotDTO struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Enabled     bool    `json:"enabled"`
	Status      string  `json:"status"`
	LastErrcode int     `json:"last_errcode"`
	LastError   string  `json:"last_error"`
	LastSentAt  *string `json:"last_sent_at"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func toRobotDTO(r leaderboard.Robot) robotDTO {
	return robotDTO{ID: r.ID, Name: r.Name, Enabled: r.Enabled, Status: r.Status, LastErrcode: r.LastErrcode,
		LastError: r.LastError, LastSentAt: timePtr(r.LastSentAt), CreatedAt: r.CreatedAt.Format(time.RFC3339),
		UpdatedAt: r.UpdatedAt.Format(time.RFC3339)}
}

func (s *Server) listRobots(c *gin.Context) {
	list, err := s.d.Outputs.Robots(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]robotDTO, len(list))
	for i, r := range list {
		out[i] = toRobotDTO(r)
	}
	c.JSON(http.StatusOK, gin.H{"robots": out})
}

func (s *Server) createRobot(c *gin.Context) {
	var req struct {
		Name       string `json:"name"`
		WebhookKey string `json:"webhook_key"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	r, err := s.d.Outputs.CreateRobot(c.Request.Context(), actor(c), principal(c).BrandID,
		leaderboard.RobotInput{Name: req.Name, WebhookKey: req.WebhookKey})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"robot": toRobotDTO(r)})
}

func (s *Server) patchRobot(c *gin.Context) {
	var req struct {
		Name       *string `json:"name"`
		WebhookKey *string `json:"webhook_key"`
		Enabled    *bool   `json:"enabled"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	r, err := s.d.Outputs.UpdateRobot(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"),
		leaderboard.RobotChange{Name: req.Name, WebhookKey: req.WebhookKey, Enabled: req.Enabled})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"robot": toRobotDTO(r)})
}

func (s *Server) deleteRobot(c *gin.Context) {
	if err := s.d.Outputs.DeleteRobot(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id")); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type scheduleDTO struct {
	ID         string              `json:"id"`
	LiveID     string              `json:"live_id"`
	RobotIDs   []string            `json:"robot_ids"`
	Format     string              `json:"format"`
	Window     string              `json:"window"`
	Group      string              `json:"group"`
	Privacy    string              `json:"privacy"`
	TopN       int                 `json:"top_n"`
	Phases     []leaderboard.Phase `json:"phases"`
	Enabled    bool                `json:"enabled"`
	LastSlotAt *string             `json:"last_slot_at"`
	CreatedAt  string              `json:"created_at"`
	UpdatedAt  string              `json:"updated_at"`
}

func toScheduleDTO(sc leaderboard.Schedule) scheduleDTO {
	ids := sc.RobotIDs
	if ids == nil {
		ids = []string{}
	}
	return scheduleDTO{ID: sc.ID, LiveID: sc.LiveID, RobotIDs: ids, Format: sc.Format, Window: sc.Query.Window,
		Group: sc.Query.Group, Privacy: string(sc.Query.Privacy), TopN: sc.Query.TopN, Phases: sc.Phases,
		Enabled: sc.Enabled, LastSlotAt: timePtr(sc.LastSlotAt), CreatedAt: sc.CreatedAt.Format(time.RFC3339),
		UpdatedAt: sc.UpdatedAt.Format(time.RFC3339)}
}

func (s *Server) listSchedules(c *gin.Context) {
	list, err := s.d.Outputs.Schedules(c.Request.Context(), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]scheduleDTO, len(list))
	for i, sc := range list {
		out[i] = toScheduleDTO(sc)
	}
	c.JSON(http.StatusOK, gin.H{"schedules": out})
}

func (s *Server) createSchedule(c *gin.Context) {
	var req struct {
		boardQueryBody
		RobotIDs []string            `json:"robot_ids"`
		Format   string              `json:"format"`
		Phases   []leaderboard.Phase `json:"phases"`
		Enabled  *bool               `json:"enabled"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	sc, err := s.d.Outputs.CreateSchedule(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"),
		leaderboard.ScheduleInput{RobotIDs: req.RobotIDs, Format: req.Format, Query: req.query(), Phases: req.Phases, Enabled: req.Enabled})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"schedule": toScheduleDTO(sc)})
}

func (s *Server) patchSchedule(c *gin.Context) {
	var req struct {
		RobotIDs *[]string            `json:"robot_ids"`
		Format   *string              `json:"format"`
		Window   *string              `json:"window"`
		Group    *string              `json:"group"`
		Privacy  *string              `json:"privacy"`
		TopN     *int                 `json:"top_n"`
		Phases   *[]leaderboard.Phase `json:"phases"`
		Enabled  *bool                `json:"enabled"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	sc, err := s.d.Outputs.UpdateSchedule(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"),
		leaderboard.ScheduleChange{RobotIDs: req.RobotIDs, Format: req.Format, Window: req.Window, Group: req.Group,
			Privacy: req.Privacy, TopN: req.TopN, Phases: req.Phases, Enabled: req.Enabled})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"schedule": toScheduleDTO(sc)})
}

func (s *Server) deleteSchedule(c *gin.Context) {
	if err := s.d.Outputs.DeleteSchedule(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id")); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

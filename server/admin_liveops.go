package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/webhooks"
)

// registerLiveOps mounts the live-operations admin routes: outgoing webhooks (owner) and
// subscribe-message templates and their send log (owner, operator).
func (s *Server) registerLiveOps(authed *gin.RouterGroup) {
	owner := authed.Group("", requireRole(brands.RoleOwner))
	owner.GET("/webhooks", s.listWebhooks)
	owner.POST("/webhooks", s.createWebhook)
	owner.DELETE("/webhooks/:id", s.deleteWebhook)
	owner.GET("/webhooks/:id/deliveries", s.listWebhookDeliveries)
	owner.POST("/webhooks/deliveries/:id/replay", s.replayWebhookDelivery)

	ops := authed.Group("", requireRole(brands.RoleOwner, brands.RoleOperator))
	ops.GET("/subscribe-templates", s.listSubscribeTemplates)
	ops.PUT("/subscribe-templates/:purpose", s.putSubscribeTemplate)
	ops.DELETE("/subscribe-templates/:purpose", s.deleteSubscribeTemplate)
	ops.GET("/subscribe-messages", s.listSubscribeMessages)
}

type webhookDTO struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
	CreatedAt   string   `json:"created_at"`
}

func toWebhookDTO(e webhooks.Endpoint) webhookDTO {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookDTO{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: types, CreatedAt: e.CreatedAt.Format(time.RFC3339)}
}

type deliveryDTO struct {
	ID             string  `json:"id"`
	WebhookID      string  `json:"webhook_id"`
	EventID        string  `json:"event_id"`
	EventType      string  `json:"event_type"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	NextAttemptAt  *string `json:"next_attempt_at"`
	LastAttemptAt  *string `json:"last_attempt_at"`
	LastStatusCode *int    `json:"last_status_code"`
	LastError      string  `json:"last_error"`
	DeliveredAt    *string `json:"delivered_at"`
	ReplayOf       *string `json:"replay_of"`
	DeadlineAt     string  `json:"deadline_at"`
	CreatedAt      string  `json:"created_at"`
}

func toDeliveryDTO(d webhooks.Delivery) deliveryDTO {
	out := deliveryDTO{ID: d.ID, WebhookID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, Status: d.Status,
		Attempts: d.Attempts, NextAttemptAt: optTime(d.NextAttemptAt), LastAttemptAt: optTime(d.LastAttemptAt),
		LastError: d.LastError, DeliveredAt: optTime(d.DeliveredAt), DeadlineAt: d.DeadlineAt.Format(time.RFC3339),
		CreatedAt: d.CreatedAt.Format(time.RFC3339)}
	if d.LastStatusCode != 0 {
		code := d.LastStatusCode
		out.LastStatusCode = &code
	}
	if d.ReplayOf != "" {
		r := d.ReplayOf
		out.ReplayOf = &r
	}
	return out
}

func (s *Server) listWebhooks(c *gin.Context) {
	list, err := s.d.Webhooks.Endpoints(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]webhookDTO, len(list))
	for i, e := range list {
		out[i] = toWebhookDTO(e)
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": out})
}

func (s *Server) createWebhook(c *gin.Context) {
	var req struct {
		URL         string   `json:"url"`
		Description string   `json:"description"`
		EventTypes  []string `json:"event_types"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	e, secret, err := s.d.Webhooks.CreateEndpoint(c.Request.Context(), actor(c), principal(c).BrandID,
		webhooks.EndpointInput{URL: req.URL, Description: req.Description, EventTypes: req.EventTypes})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": e.ID, "secret": secret, "webhook": toWebhookDTO(e)})
}

func (s *Server) deleteWebhook(c *gin.Context) {
	if err := s.d.Webhooks.DeleteEndpoint(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id")); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listWebhookDeliveries(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	list, next, err := s.d.Webhooks.Deliveries(c.Request.Context(), principal(c).BrandID, c.Param("id"), c.Query("status"), p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]deliveryDTO, len(list))
	for i, d := range list {
		out[i] = toDeliveryDTO(d)
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": out, "next_cursor": nextCursor(next)})
}

func (s *Server) replayWebhookDelivery(c *gin.Context) {
	d, err := s.d.Webhooks.Replay(c.Request.Context(), actor(c), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"delivery": toDeliveryDTO(d)})
}

func nextCursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

type subscribeTemplateDTO struct {
	Purpose          string            `json:"purpose"`
	TemplateID       string            `json:"template_id"`
	Page             string            `json:"page"`
	Fields           map[string]string `json:"fields"`
	MiniprogramState string            `json:"miniprogram_state"`
	Lang             string            `json:"lang"`
	UpdatedAt        string            `json:"updated_at"`
}

func toSubscribeTemplateDTO(t reminders.Template) subscribeTemplateDTO {
	return subscribeTemplateDTO{Purpose: string(t.Purpose), TemplateID: t.TemplateID, Page: t.Page, Fields: t.Fields,
		MiniprogramState: t.MiniprogramState, Lang: t.Lang, UpdatedAt: t.UpdatedAt.Format(time.RFC3339)}
}

type purposeDTO struct {
	Purpose   string   `json:"purpose"`
	Variables []string `json:"variables"`
}

func (s *Server) listSubscribeTemplates(c *gin.Context) {
	list, err := s.d.Reminders.Templates(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]subscribeTemplateDTO, len(list))
	for i, t := range list {
		out[i] = toSubscribeTemplateDTO(t)
	}
	purposes := make([]purposeDTO, len(reminders.Purposes))
	for i, p := range reminders.Purposes {
		purposes[i] = purposeDTO{Purpose: string(p), Variables: reminders.Variables[p]}
	}
	c.JSON(http.StatusOK, gin.H{"templates": out, "purposes": purposes})
}

func (s *Server) putSubscribeTemplate(c *gin.Context) {
	var req struct {
		TemplateID       string            `json:"template_id"`
		Page             string            `json:"page"`
		Fields           map[string]string `json:"fields"`
		MiniprogramState string            `json:"miniprogram_state"`
		Lang             string            `json:"lang"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	t, err := s.d.Reminders.PutTemplate(c.Request.Context(), actor(c), principal(c).BrandID, reminders.Purpose(c.Param("purpose")),
		reminders.TemplateInput{TemplateID: req.TemplateID, Page: req.Page, Fields: req.Fields,
			MiniprogramState: req.MiniprogramState, Lang: req.Lang})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"template": toSubscribeTemplateDTO(t)})
}

func (s *Server) deleteSubscribeTemplate(c *gin.Context) {
	if err := s.d.Reminders.DeleteTemplate(c.Request.Context(), actor(c), principal(c).BrandID, reminders.Purpose(c.Param("purpose"))); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type subscribeMessageDTO struct {
	ID         string            `json:"id"`
	MemberID   string            `json:"member_id"`
	Purpose    string            `json:"purpose"`
	Key        string            `json:"key"`
	Batch      string            `json:"batch"`
	TemplateID string            `json:"template_id"`
	Page       string            `json:"page"`
	Data       map[string]string `json:"data"`
	Status     string            `json:"status"`
	Attempts   int               `json:"attempts"`
	ErrCode    *int              `json:"errcode"`
	Error      string            `json:"error"`
	CreatedAt  string            `json:"created_at"`
	SentAt     *string           `json:"sent_at"`
}

func (s *Server) listSubscribeMessages(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	f := reminders.SendFilter{MemberID: c.Query("member_id"), Batch: c.Query("batch"),
		Purpose: reminders.Purpose(c.Query("purpose")), Status: reminders.Status(c.Query("status"))}
	list, next, err := s.d.Reminders.Sends(c.Request.Context(), principal(c).BrandID, f, p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]subscribeMessageDTO, len(list))
	for i, m := range list {
		out[i] = subscribeMessageDTO{ID: m.ID, MemberID: m.MemberID, Purpose: string(m.Purpose), Key: m.Key, Batch: m.Batch,
			TemplateID: m.TemplateID, Page: m.Page, Data: m.Data, Status: string(m.Status), Attempts: m.Attempts,
			Error: m.Error, CreatedAt: m.CreatedAt.Format(time.RFC3339), SentAt: optTime(m.SentAt)}
		if m.ErrCode != 0 {
			code := m.ErrCode
			out[i].ErrCode = &code
		}
	}
	c.JSON(http.StatusOK, gin.H{"messages": out, "next_cursor": nextCursor(next)})
}

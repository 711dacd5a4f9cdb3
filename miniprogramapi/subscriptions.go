package miniprogramapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

type creditDTO struct {
	TemplateID string `json:"template_id"`
	Available  int    `json:"available"`
}

type subscribeTemplateDTO struct {
	Purpose    string `json:"purpose"`
	TemplateID string `json:"template_id"`
	Available  int    `json:"available"`
}

// recordSubscriptions is POST /mp/v1/subscriptions {results}: what wx.requestSubscribeMessage
// answered (its object may be passed as is; errMsg is ignored).
func (h *Handlers) recordSubscriptions(c *gin.Context) {
	var req struct {
		Results map[string]string `json:"results"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if req.Results == nil {
		httperr.Write(c, apperr.InvalidArgument("results is required: the object wx.requestSubscribeMessage answered"))
		return
	}
	brandID, memberID := Caller(c)
	counts, err := h.Reminders.RecordResults(c.Request.Context(), brandID, memberID, req.Results)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]creditDTO, len(counts))
	for i, cc := range counts {
		out[i] = creditDTO{TemplateID: cc.TemplateID, Available: cc.Available}
	}
	c.JSON(http.StatusOK, gin.H{"credits": out})
}

// listSubscriptions is GET /mp/v1/subscriptions: the brand's templates (which ids to request)
// with the member's available credits.
func (h *Handlers) listSubscriptions(c *gin.Context) {
	brandID, memberID := Caller(c)
	list, err := h.Reminders.MemberTemplates(c.Request.Context(), brandID, memberID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]subscribeTemplateDTO, len(list))
	for i, t := range list {
		out[i] = subscribeTemplateDTO{Purpose: string(t.Purpose), TemplateID: t.TemplateID, Available: t.Available}
	}
	c.JSON(http.StatusOK, gin.H{"templates": out})
}

package miniprogramapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/server/httperr"
)

type commissionDTO struct {
	ID          string  `json:"id"`
	OrderID     string  `json:"order_id"`
	LineID      string  `json:"line_id"`
	Tier        int     `json:"tier"`
	ProductType string  `json:"product_type"`
	AmountFen   int64   `json:"amount_fen"`
	ReversedFen int64   `json:"reversed_fen"`
	Status      string  `json:"status"`
	AvailableAt *string `json:"available_at"`
	CreatedAt   string  `json:"created_at"`
}

// listMyCommissions is GET /mp/v1/me/commissions: the member's own commissions, newest first.
func (h *Handlers) listMyCommissions(c *gin.Context) {
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			httperr.Write(c, apperr.InvalidArgument("limit must be a positive integer"))
			return
		}
		limit = n
	}
	cursor := c.Query("cursor")
	if len(cursor) > 64 {
		httperr.Write(c, apperr.InvalidArgument("cursor is not one this service gave out"))
		return
	}
	brandID, memberID := Caller(c)
	list, next, err := h.Book.MemberCommissions(c.Request.Context(), brandID, memberID, c.Query("status"),
		payouts.Page{Cursor: cursor, Limit: limit})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]commissionDTO, len(list))
	for i, cm := range list {
		d := commissionDTO{ID: cm.ID, OrderID: cm.OrderID, LineID: cm.OrderLineID, Tier: cm.Tier, ProductType: cm.ProductType,
			AmountFen: cm.AmountFen, ReversedFen: cm.ReversedFen, Status: cm.Status, CreatedAt: cm.CreatedAt.Format(time.RFC3339)}
		if cm.AvailableAt != nil {
			s := cm.AvailableAt.Format(time.RFC3339)
			d.AvailableAt = &s
		}
		out[i] = d
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	c.JSON(http.StatusOK, gin.H{"commissions": out, "next_cursor": nextCursor})
}

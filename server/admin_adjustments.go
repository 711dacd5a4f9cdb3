package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/server/httperr"
)

func (s *Server) createAdjustment(c *gin.Context) {
	var req struct {
		MemberID  string `json:"member_id"`
		Kind      string `json:"kind"`
		AmountFen int64  `json:"amount_fen"`
		Reason    string `json:"reason"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	p := principal(c)
	a, replayed, err := s.d.Book.Adjust(c.Request.Context(), actor(c), p.Role, p.BrandID, payouts.AdjustInput{
		MemberID: req.MemberID, Kind: req.Kind, AmountFen: req.AmountFen, Reason: req.Reason,
		IdempotencyKey: c.GetHeader("Idempotency-Key")})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	if replayed {
		c.Header("Idempotency-Replayed", "true")
	}
	c.JSON(http.StatusCreated, gin.H{"adjustment": gin.H{"id": a.ID, "member_id": a.MemberID, "kind": a.Kind,
		"amount_fen": a.AmountFen, "reason": a.Reason, "admin_id": a.AdminID, "transaction_id": a.TransactionID,
		"created_at": rfc3339(a.CreatedAt)}})
}

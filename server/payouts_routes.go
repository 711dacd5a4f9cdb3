package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/wechat/pay"
)

// registerPayouts mounts the admin review routes and WeChat Pay's transfer callback.
func (s *Server) registerPayouts(e *gin.Engine, authed *gin.RouterGroup) {
	if s.d.Payouts == nil {
		return
	}
	// Public: WeChat signs it (verified before anything is read from it).
	e.POST("/webhooks/wechatpay/:brand_id/transfer", s.wechatPayTransferCallback)

	money := authed.Group("", requireRole(brands.RoleOwner, brands.RoleFinance))
	money.GET("/payouts", s.listPayouts)
	money.GET("/payouts/:id", s.getPayout)
	money.POST("/payouts/:id/approve", s.approvePayout)
	money.POST("/payouts/:id/reject", s.rejectPayout)
}

type adminPayoutDTO struct {
	ID              string  `json:"id"`
	MemberID        string  `json:"member_id"`
	AmountFen       int64   `json:"amount_fen"`
	Status          string  `json:"status"`
	OutBillNo       string  `json:"out_bill_no"`
	TransferBillNo  *string `json:"transfer_bill_no"`
	WeChatState     *string `json:"wechat_state"`
	FailReason      *string `json:"fail_reason"`
	BatchID         *string `json:"batch_id"`
	ApprovalsNeeded int     `json:"approvals_needed"`
	Approvals       int     `json:"approvals"`
	CancelRequested bool    `json:"cancel_requested"`
	RequestedAt     string  `json:"requested_at"`
	ApprovedAt      *string `json:"approved_at"`
	SubmittedAt     *string `json:"submitted_at"`
	FinishedAt      *string `json:"finished_at"`
}

func toAdminPayout(p payouts.Payout) adminPayoutDTO {
	return adminPayoutDTO{ID: p.ID, MemberID: p.MemberID, AmountFen: p.AmountFen, Status: p.Status, OutBillNo: p.OutBillNo,
		TransferBillNo: nullable(p.TransferBillNo), WeChatState: nullable(p.WeChatState), FailReason: nullable(p.FailReason),
		BatchID: nullable(p.BatchID), ApprovalsNeeded: p.ApprovalsNeeded, Approvals: p.Approvals, CancelRequested: p.CancelRequested,
		RequestedAt: rfc3339(p.RequestedAt), ApprovedAt: optTime(p.ApprovedAt), SubmittedAt: optTime(p.SubmittedAt),
		FinishedAt: optTime(p.FinishedAt)}
}

// listPayouts is GET /admin/v1/payouts?status=&limit=&cursor=, newest first.
func (s *Server) listPayouts(c *gin.Context) {
	page := payouts.Page{Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			httperr.Write(c, apperr.InvalidArgument("limit must be a positive integer"))
			return
		}
		page.Limit = n
	}
	if len(page.Cursor) > 64 {
		httperr.Write(c, apperr.InvalidArgument("cursor is not one this service gave out"))
		return
	}
	list, next, err := s.d.Payouts.List(c.Request.Context(), principal(c).BrandID, c.Query("status"), page)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]adminPayoutDTO, len(list))
	for i, p := range list {
		out[i] = toAdminPayout(p)
	}
	c.JSON(http.StatusOK, gin.H{"payouts": out, "next_cursor": nullable(next)})
}

// getPayout is GET /admin/v1/payouts/{id} with its review decisions.
func (s *Server) getPayout(c *gin.Context) {
	ctx, brandID := c.Request.Context(), principal(c).BrandID
	p, err := s.d.Payouts.Get(ctx, brandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	decisions, err := s.d.Payouts.Approvals(ctx, brandID, p.ID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	ds := make([]gin.H, len(decisions))
	for i, d := range decisions {
		ds[i] = gin.H{"admin_id": d.AdminID, "decision": d.Decision, "note": d.Note, "created_at": rfc3339(d.CreatedAt)}
	}
	c.JSON(http.StatusOK, gin.H{"payout": toAdminPayout(p), "decisions": ds})
}

// approvePayout is POST /admin/v1/payouts/{id}/approve (finance or owner).
func (s *Server) approvePayout(c *gin.Context) {
	p := principal(c)
	got, err := s.d.Payouts.Approve(c.Request.Context(), actor(c), p.Role, p.BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"payout": toAdminPayout(got)})
}

// rejectPayout is POST /admin/v1/payouts/{id}/reject {reason?} (finance or owner).
func (s *Server) rejectPayout(c *gin.Context) {
	var req struct {
		Reason string `json:"reason"`
	}
	if c.Request.ContentLength != 0 {
		if err := httperr.BindJSON(c, &req); err != nil {
			httperr.Write(c, err)
			return
		}
	}
	p := principal(c)
	got, err := s.d.Payouts.Reject(c.Request.Context(), actor(c), p.Role, p.BrandID, c.Param("id"), req.Reason)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"payout": toAdminPayout(got)})
}

// wechatPayFail answers WeChat Pay in its own error shape ({"code":"FAIL","message":…}); the
// status comes from the error's kind like every other answer (httperr.Status).
func wechatPayFail(c *gin.Context, status int, msg string) {
	c.JSON(status, gin.H{"code": "FAIL", "message": msg})
}

// wechatPayTransferCallback is POST /webhooks/wechatpay/{brand_id}/transfer
// (MCHTRANSFER.BILL.FINISHED): verified with the brand's WeChat Pay keys (the key named by
// Wechatpay-Serial, the timestamp within 5 minutes, the nonce's length before AES-256-GCM),
// then the bill's final state is applied once. A wrongly signed "probe" is 401 and changes
// nothing; success is 204.
func (s *Server) wechatPayTransferCallback(c *gin.Context) {
	ctx, brandID := c.Request.Context(), c.Param("brand_id")
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, pay.MaxNotificationBytes+1))
	if err != nil || len(body) > pay.MaxNotificationBytes {
		wechatPayFail(c, http.StatusBadRequest, "the body could not be read or is too large")
		return
	}
	if s.d.PayClients == nil {
		wechatPayFail(c, http.StatusServiceUnavailable, "WeChat Pay is not configured")
		return
	}
	client, err := s.d.PayClients.For(ctx, brandID)
	switch {
	case errors.Is(err, brands.ErrNotFound) || apperr.KindOf(err) == apperr.NotFound || errors.Is(err, pay.ErrNotConfigured):
		wechatPayFail(c, http.StatusNotFound, "no such merchant")
		return
	case err != nil:
		httperr.Logger(ctx).Error("wechatpay callback: client", "brand_id", brandID, "error", err.Error())
		wechatPayFail(c, http.StatusInternalServerError, "internal error")
		return
	}
	n, err := client.Verifier().ParseTransferNotification(c.Request.Header, body)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, pay.ErrBadSignature) || errors.Is(err, pay.ErrUnknownSerial) || errors.Is(err, pay.ErrStale) {
			status = http.StatusUnauthorized
		}
		wechatPayFail(c, status, "the notification was not accepted")
		return
	}
	b := n.Bill
	_, err = s.d.Payouts.ApplyBill(ctx, brandID, payouts.Bill{OutBillNo: b.OutBillNo, TransferBillNo: b.TransferBillNo,
		State: string(b.State), AmountFen: b.AmountFen, FailReason: b.FailReason, UpdateTime: b.UpdateTime})
	if err != nil {
		status := httperr.Status(apperr.KindOf(err))
		if status == http.StatusInternalServerError {
			httperr.Logger(ctx).Error("wechatpay callback: apply", "brand_id", brandID, "out_bill_no", b.OutBillNo, "error", err.Error())
			wechatPayFail(c, status, "internal error")
			return
		}
		wechatPayFail(c, status, apperr.CodeOf(err))
		return
	}
	c.Status(http.StatusNoContent)
}

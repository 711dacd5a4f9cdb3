package miniprogramapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
)

// PayoutBrands reads the brand for the confirm parameters (mch_id, app_id).
type PayoutBrands interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
}

func (h *Handlers) registerPayouts(authed *gin.RouterGroup) {
	if h.Payouts == nil {
		return
	}
	authed.POST("/payouts", middleware.PayoutRequests.WithKey(MemberKey).Handler(h.Limiter), h.requestPayout)
	authed.GET("/payouts", h.listMyPayouts)
	authed.GET("/payouts/:id", h.getMyPayout)
	authed.POST("/payouts/:id/cancel", h.cancelMyPayout)
}

// PayoutDTO is a payout as the member sees it (API.md). Confirm is set while the bill waits
// for the member: the parameters of wx.requestMerchantTransfer.
type PayoutDTO struct {
	ID          string      `json:"id"`
	AmountFen   int64       `json:"amount_fen"`
	Status      string      `json:"status"`
	OutBillNo   string      `json:"out_bill_no"`
	WeChatState *string     `json:"wechat_state"`
	FailReason  *string     `json:"fail_reason"`
	RequestedAt string      `json:"requested_at"`
	FinishedAt  *string     `json:"finished_at"`
	Confirm     *ConfirmDTO `json:"confirm,omitempty"`
}

// ConfirmDTO is what wx.requestMerchantTransfer needs.
type ConfirmDTO struct {
	MchID   string `json:"mch_id"`
	AppID   string `json:"app_id"`
	Package string `json:"package"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}

// waitingForMember reports whether the member can open the confirm page now.
func waitingForMember(p payouts.Payout) bool {
	return p.Status == payouts.PayoutSubmitted && p.WeChatState == payouts.BillWaitUserConfirm && p.PackageInfo != "" && !p.CancelRequested
}

func toPayoutDTO(p payouts.Payout, b *brands.Brand) PayoutDTO {
	d := PayoutDTO{ID: p.ID, AmountFen: p.AmountFen, Status: p.Status, OutBillNo: p.OutBillNo, WeChatState: strPtr(p.WeChatState),
		FailReason: strPtr(p.FailReason), RequestedAt: p.RequestedAt.Format(time.RFC3339), FinishedAt: timePtr(p.FinishedAt)}
	if b != nil && waitingForMember(p) {
		d.Confirm = &ConfirmDTO{MchID: b.PayMchID, AppID: b.MPAppID, Package: p.PackageInfo}
	}
	return d
}

func (h *Handlers) payoutDTO(ctx context.Context, p payouts.Payout) (PayoutDTO, error) {
	if !waitingForMember(p) || h.PayoutBrands == nil {
		return toPayoutDTO(p, nil), nil
	}
	b, err := h.PayoutBrands.Brand(ctx, p.BrandID)
	if err != nil {
		return PayoutDTO{}, err
	}
	return toPayoutDTO(p, &b), nil
}

// requestPayout is POST /mp/v1/payouts {amount_fen} with a required Idempotency-Key: the first
// answer (a 4xx too) is stored and replayed with Idempotency-Replayed: true.
func (h *Handlers) requestPayout(c *gin.Context) {
	var req struct {
		AmountFen *int64 `json:"amount_fen"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if req.AmountFen == nil {
		httperr.Write(c, apperr.InvalidArgument("amount_fen is required"))
		return
	}
	brandID, memberID := Caller(c)
	// The hash of the request's meaning (not its bytes): the same amount is the same body.
	sum := sha256.Sum256([]byte(fmt.Sprintf("amount_fen=%d", *req.AmountFen)))
	ctx := c.Request.Context()
	ans, err := h.Payouts.Request(ctx, brandID, memberID, *req.AmountFen, c.GetHeader("Idempotency-Key"), hex.EncodeToString(sum[:]),
		func(p payouts.Payout, err error) (int, []byte) {
			if err != nil {
				return httperr.Render(c, err)
			}
			d, _ := h.payoutDTO(ctx, p)
			b, _ := json.Marshal(gin.H{"payout": d})
			return http.StatusCreated, b
		})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	if ans.Replayed {
		c.Header("Idempotency-Replayed", "true")
	}
	c.Data(ans.Status, "application/json; charset=utf-8", ans.Body)
}

func pageParams(c *gin.Context) (payouts.Page, error) {
	p := payouts.Page{Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, apperr.InvalidArgument("limit must be a positive integer")
		}
		p.Limit = n
	}
	if len(p.Cursor) > 64 {
		return p, apperr.InvalidArgument("cursor is not one this service gave out")
	}
	return p, nil
}

// listMyPayouts is GET /mp/v1/payouts?status=: the member's payouts, newest first.
func (h *Handlers) listMyPayouts(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	brandID, memberID := Caller(c)
	ctx := c.Request.Context()
	list, next, err := h.Payouts.ListMember(ctx, brandID, memberID, c.Query("status"), page)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]PayoutDTO, len(list))
	for i, p := range list {
		if out[i], err = h.payoutDTO(ctx, p); err != nil {
			httperr.Write(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"payouts": out, "next_cursor": strPtr(next)})
}

// getMyPayout is GET /mp/v1/payouts/{id}, with confirm while the bill waits for the member.
func (h *Handlers) getMyPayout(c *gin.Context) {
	brandID, memberID := Caller(c)
	ctx := c.Request.Context()
	p, err := h.Payouts.GetMember(ctx, brandID, memberID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	d, err := h.payoutDTO(ctx, p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"payout": d})
}

// cancelMyPayout is POST /mp/v1/payouts/{id}/cancel: cancels a bill still waiting for
// confirmation (202: WeChat cancels asynchronously; the payout ends cancelled).
func (h *Handlers) cancelMyPayout(c *gin.Context) {
	brandID, memberID := Caller(c)
	ctx := c.Request.Context()
	p, err := h.Payouts.Cancel(ctx, brandID, memberID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	d, err := h.payoutDTO(ctx, p)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"payout": d})
}

package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

const ctxAPIKeyBrand = "sharecast.api_key_brand"

// requireAPIKey authenticates a brand system's key (Authorization: Bearer <api_key>); the
// brand comes from the key only.
func (s *Server) requireAPIKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || tok == "" {
			httperr.Abort(c, apperr.UnauthenticatedErr("missing API key"))
			return
		}
		k, err := s.d.APIKeys.Authenticate(c.Request.Context(), tok)
		if err != nil {
			httperr.Abort(c, err)
			return
		}
		c.Set(ctxAPIKeyBrand, k.BrandID)
		c.Next()
	}
}

type openOrderLine struct {
	LineID      string `json:"line_id"`
	ProductID   string `json:"product_id"`
	SKUID       string `json:"sku_id"`
	ProductType string `json:"product_type"`
	Quantity    int64  `json:"quantity"`
	PaidFen     int64  `json:"paid_fen"`
}

type openOrderRequest struct {
	ExternalID string `json:"external_id"`
	Buyer      struct {
		OpenID  string `json:"openid"`
		UnionID string `json:"unionid"`
	} `json:"buyer"`
	Lines     []openOrderLine `json:"lines"`
	ShipCity  string          `json:"ship_city"`
	PaidAt    string          `json:"paid_at"`
	LiveID    string          `json:"live_id"`
	ShareCode string          `json:"share_code"`
}

type openLineDTO struct {
	LineID      string `json:"line_id"`
	ProductID   string `json:"product_id"`
	SKUID       string `json:"sku_id"`
	ProductType string `json:"product_type"`
	Quantity    int64  `json:"quantity"`
	PaidFen     int64  `json:"paid_fen"`
	RefundedFen int64  `json:"refunded_fen"`
}

type attributionDTO struct {
	MemberID *string `json:"member_id"`
	Rule     string  `json:"rule"`
	Reason   string  `json:"reason"`
	Version  int     `json:"version"`
}

type openOrderDTO struct {
	ID           string         `json:"id"`
	ExternalID   string         `json:"external_id"`
	TotalPaidFen int64          `json:"total_paid_fen"`
	PaidAt       string         `json:"paid_at"`
	ConfirmedAt  *string        `json:"confirmed_at"`
	CancelledAt  *string        `json:"cancelled_at"`
	LiveID       *string        `json:"live_id"`
	ShipCity     string         `json:"ship_city"`
	Attribution  attributionDTO `json:"attribution"`
	Lines        []openLineDTO  `json:"lines"`
}

func toAttributionDTO(a referral.Attribution, v int) attributionDTO {
	return attributionDTO{MemberID: nullable(a.MemberID), Rule: a.Rule, Reason: a.Reason, Version: v}
}

func toOpenOrderDTO(o referral.Order) openOrderDTO {
	d := openOrderDTO{ID: o.ID, ExternalID: o.ExternalID, TotalPaidFen: o.TotalPaidFen, PaidAt: rfc3339(o.PaidAt),
		ConfirmedAt: optTime(o.ConfirmedAt), CancelledAt: optTime(o.CancelledAt), LiveID: nullable(o.LiveID),
		ShipCity: o.ShipCity, Attribution: toAttributionDTO(o.Attribution, o.AttributionVersion), Lines: []openLineDTO{}}
	for _, l := range o.Lines {
		d.Lines = append(d.Lines, openLineDTO{LineID: l.LineID, ProductID: l.ProductID, SKUID: l.SKUID,
			ProductType: l.ProductType, Quantity: l.Quantity, PaidFen: l.PaidFen, RefundedFen: l.RefundedFen})
	}
	return d
}

// parseTime reads an RFC 3339 time; "" → the service clock's now when optional.
func parseTime(field, v string, required bool, now time.Time) (time.Time, error) {
	if v == "" {
		if required {
			return time.Time{}, apperr.InvalidArgument(field + " is required (RFC 3339)")
		}
		return now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, apperr.InvalidArgument(field + " must be an RFC 3339 time with offset")
	}
	return t, nil
}

// paidOrder turns an open-API order body into the domain's paid order (the intake the fuzz
// target FuzzOpenOrderIntake drives). It does not validate beyond the times: RecordPaid does.
func (req openOrderRequest) paidOrder() (referral.PaidOrder, error) {
	paidAt, err := parseTime("paid_at", req.PaidAt, true, time.Time{})
	if err != nil {
		return referral.PaidOrder{}, err
	}
	in := referral.PaidOrder{Source: referral.SourceOpenAPI, ExternalID: req.ExternalID,
		Buyer: referral.Identity{OpenID: req.Buyer.OpenID, UnionID: req.Buyer.UnionID}, ShipCity: req.ShipCity,
		PaidAt: paidAt, LiveID: req.LiveID, ShareCode: req.ShareCode}
	for _, l := range req.Lines {
		in.Lines = append(in.Lines, referral.OrderLineInput(l))
	}
	return in, nil
}

func (s *Server) openCreateOrder(c *gin.Context) {
	var req openOrderRequest
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	in, err := req.paidOrder()
	if err != nil {
		httperr.Write(c, err)
		return
	}
	o, created, err := s.d.Orders.RecordPaid(c.Request.Context(), c.GetString(ctxAPIKeyBrand), in)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	if !created {
		c.Header("Idempotency-Replayed", "true")
	}
	c.JSON(http.StatusOK, gin.H{"order": toOpenOrderDTO(o)})
}

func appliedStatus(a referral.Applied) (int, string) {
	switch a {
	case referral.AppliedParked:
		return http.StatusAccepted, "parked"
	case referral.AppliedAlready:
		return http.StatusOK, "already_applied"
	}
	return http.StatusOK, "applied"
}

func (s *Server) openRefundOrder(c *gin.Context) {
	var req struct {
		RefundID   string `json:"refund_id"`
		RefundedAt string `json:"refunded_at"`
		Lines      []struct {
			LineID    string `json:"line_id"`
			RefundFen int64  `json:"refund_fen"`
		} `json:"lines"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	at, err := parseTime("refunded_at", req.RefundedAt, false, s.d.Orders.Clock.Now())
	if err != nil {
		httperr.Write(c, err)
		return
	}
	u := referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: c.Param("external_id"),
		AfterSaleID: req.RefundID, State: referral.AfterSaleRefunded, At: at}
	for _, l := range req.Lines {
		u.Lines = append(u.Lines, referral.RefundLine{LineID: l.LineID, RefundFen: l.RefundFen})
	}
	res, err := s.d.Orders.ApplyAfterSale(c.Request.Context(), c.GetString(ctxAPIKeyBrand), u)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	status, word := appliedStatus(res)
	c.JSON(status, gin.H{"refund": gin.H{"refund_id": req.RefundID, "status": word}})
}

func (s *Server) openConfirmOrder(c *gin.Context) {
	var req struct {
		ConfirmedAt string `json:"confirmed_at"`
	}
	if c.Request.ContentLength != 0 {
		if err := httperr.BindJSON(c, &req); err != nil {
			httperr.Write(c, err)
			return
		}
	}
	at, err := parseTime("confirmed_at", req.ConfirmedAt, false, s.d.Orders.Clock.Now())
	if err != nil {
		httperr.Write(c, err)
		return
	}
	res, err := s.d.Orders.Confirm(c.Request.Context(), c.GetString(ctxAPIKeyBrand), referral.SourceOpenAPI, c.Param("external_id"), at)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	status, word := appliedStatus(res)
	c.JSON(status, gin.H{"status": word})
}

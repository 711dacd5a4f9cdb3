package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

type adminCommissionDTO struct {
	ID                 string  `json:"id"`
	OrderID            string  `json:"order_id"`
	LineID             string  `json:"line_id"`
	MemberID           string  `json:"member_id"`
	Tier               int     `json:"tier"`
	AttributionVersion int     `json:"attribution_version"`
	PlanVersion        int     `json:"plan_version"`
	ProductType        string  `json:"product_type"`
	AmountFen          int64   `json:"amount_fen"`
	ReversedFen        int64   `json:"reversed_fen"`
	Status             string  `json:"status"`
	DueAt              string  `json:"due_at"`
	AvailableAt        *string `json:"available_at"`
	CreatedAt          string  `json:"created_at"`
}

type attributionRecordDTO struct {
	Version   int     `json:"version"`
	MemberID  *string `json:"member_id"`
	Rule      string  `json:"rule"`
	Reason    string  `json:"reason"`
	ActorType string  `json:"actor_type"`
	ActorID   string  `json:"actor_id"`
	CreatedAt string  `json:"created_at"`
}

type refundLineDTO struct {
	LineID    string `json:"line_id"`
	RefundFen int64  `json:"refund_fen"`
}

type afterSaleDTO struct {
	ID          string          `json:"id"`
	AfterSaleID string          `json:"after_sale_id"`
	State       string          `json:"state"`
	Lines       []refundLineDTO `json:"lines"`
	At          string          `json:"at"`
}

type adminOrderDTO struct {
	openOrderDTO
	Source string `json:"source"`
	Buyer  struct {
		OpenID   string  `json:"openid"`
		UnionID  string  `json:"unionid"`
		MemberID *string `json:"member_id"`
	} `json:"buyer"`
	ShipCityNorm string                 `json:"ship_city_norm"`
	ShareCode    string                 `json:"share_code"`
	SettledAt    *string                `json:"settled_at"`
	HoldEndsAt   string                 `json:"hold_ends_at"`
	PlanVersion  int                    `json:"plan_version"`
	Attributions []attributionRecordDTO `json:"attributions"`
	Commissions  []adminCommissionDTO   `json:"commissions"`
	AfterSales   []afterSaleDTO         `json:"after_sales"`
}

func toAdminOrderDTO(v referral.OrderView) adminOrderDTO {
	o := v.Order
	d := adminOrderDTO{openOrderDTO: toOpenOrderDTO(o), Source: o.Source, ShipCityNorm: o.ShipCityNorm, ShareCode: o.ShareCode,
		SettledAt: optTime(o.SettledAt), HoldEndsAt: rfc3339(o.HoldEndsAt), PlanVersion: o.PlanVersion,
		Attributions: []attributionRecordDTO{}, Commissions: []adminCommissionDTO{}, AfterSales: []afterSaleDTO{}}
	d.Buyer.OpenID, d.Buyer.UnionID, d.Buyer.MemberID = o.Buyer.OpenID, o.Buyer.UnionID, nullable(o.BuyerMemberID)
	for _, a := range v.Attributions {
		d.Attributions = append(d.Attributions, attributionRecordDTO{Version: a.Version, MemberID: nullable(a.Attribution.MemberID),
			Rule: a.Attribution.Rule, Reason: a.Attribution.Reason, ActorType: a.ActorType, ActorID: a.ActorID, CreatedAt: rfc3339(a.CreatedAt)})
	}
	lineIDs := map[string]string{}
	for _, l := range o.Lines {
		lineIDs[l.ID] = l.LineID
	}
	for _, c := range v.Commissions {
		d.Commissions = append(d.Commissions, toAdminCommissionDTO(c, lineIDs[c.OrderLineID]))
	}
	for _, a := range v.AfterSales {
		as := afterSaleDTO{ID: a.ID, AfterSaleID: a.AfterSaleID, State: a.State, Lines: []refundLineDTO{}, At: rfc3339(a.At)}
		for _, l := range a.Lines {
			as.Lines = append(as.Lines, refundLineDTO(l))
		}
		d.AfterSales = append(d.AfterSales, as)
	}
	return d
}

func toAdminCommissionDTO(c payouts.Commission, lineID string) adminCommissionDTO {
	return adminCommissionDTO{ID: c.ID, OrderID: c.OrderID, LineID: lineID, MemberID: c.BeneficiaryID, Tier: c.Tier,
		AttributionVersion: c.AttributionVersion, PlanVersion: c.PlanVersion, ProductType: c.ProductType, AmountFen: c.AmountFen,
		ReversedFen: c.ReversedFen, Status: c.Status, DueAt: rfc3339(c.DueAt), AvailableAt: optTime(c.AvailableAt),
		CreatedAt: rfc3339(c.CreatedAt)}
}

func (s *Server) getOrder(c *gin.Context) {
	v, err := s.d.Orders.Order(c.Request.Context(), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"order": toAdminOrderDTO(v)})
}

func (s *Server) reassignOrder(c *gin.Context) {
	var req struct {
		MemberID string `json:"member_id"`
		Reason   string `json:"reason"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	ctx, brandID := c.Request.Context(), principal(c).BrandID
	if _, err := s.d.Orders.Reassign(ctx, actor(c), brandID, c.Param("id"), req.MemberID, req.Reason); err != nil {
		httperr.Write(c, err)
		return
	}
	v, err := s.d.Orders.Order(ctx, brandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"order": toAdminOrderDTO(v)})
}

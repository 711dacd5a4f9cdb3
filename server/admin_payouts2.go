package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerPayouts2 mounts payout batches, reconciliation and its alerts (finance and owner),
// and the reconciliation metric on reg.
func (s *Server) registerPayouts2(authed *gin.RouterGroup, reg *prometheus.Registry) {
	money := authed.Group("", requireRole(brands.RoleOwner, brands.RoleFinance))
	if s.d.Batches != nil {
		money.POST("/payout-batches", s.startPayoutBatch)
	}
	if s.d.Reconciler != nil {
		money.GET("/reconciliation", s.reconciliation)
		money.GET("/alerts", s.listAlerts)
		reg.MustRegister(alertCollector{st: s.d.Reconciler.Store})
	}
}

// startPayoutBatch is POST /admin/v1/payout-batches {live_id}: 201 with the new batch, or 200
// with Idempotency-Replayed: true and the live's existing batch.
func (s *Server) startPayoutBatch(c *gin.Context) {
	var req struct {
		LiveID string `json:"live_id"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	if len(req.LiveID) > 36 {
		httperr.Write(c, apperr.InvalidArgument("live_id is at most 36 characters"))
		return
	}
	p := principal(c)
	res, err := s.d.Batches.Start(c.Request.Context(), actor(c), p.Role, p.BrandID, req.LiveID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	ps := make([]adminPayoutDTO, len(res.Payouts))
	for i, po := range res.Payouts {
		ps[i] = toAdminPayout(po)
	}
	skipped := make([]gin.H, len(res.Skipped))
	for i, sk := range res.Skipped {
		skipped[i] = gin.H{"member_id": sk.MemberID, "available_fen": sk.AvailableFen, "code": sk.Code}
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
		c.Header("Idempotency-Replayed", "true")
	}
	b := res.Batch
	c.JSON(status, gin.H{"batch": gin.H{"id": b.ID, "live_id": b.LiveID, "started_by": b.StartedBy, "payouts": b.Payouts,
		"total_fen": b.TotalFen, "started_at": rfc3339(b.StartedAt)}, "payouts": ps, "skipped": skipped})
}

func reconcileLines(ls []payouts.ReconcileLine) []gin.H {
	out := make([]gin.H, len(ls))
	for i, l := range ls {
		kinds := l.Kinds
		if kinds == nil {
			kinds = []string{}
		}
		out[i] = gin.H{"payout_id": l.PayoutID, "out_bill_no": l.OutBillNo, "member_id": l.MemberID, "status": l.Status,
			"amount_fen": l.AmountFen, "wechat_state": nullable(l.WeChatState), "wechat_amount_fen": l.WeChatAmountFen,
			"kinds": kinds, "detail": nullable(l.Detail), "applied": l.Applied}
	}
	return out
}

// reconciliation is GET /admin/v1/reconciliation?date=YYYY-MM-DD (Asia/Shanghai; today when
// absent): every payout of the day checked bill by bill against WeChat.
func (s *Server) reconciliation(c *gin.Context) {
	p := principal(c)
	res, err := s.d.Reconciler.ForAdmin(c.Request.Context(), p.Role, p.BrandID, c.Query("date"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"date": res.Day, "matched": reconcileLines(res.Matched),
		"mismatched": reconcileLines(res.Mismatched), "missing": reconcileLines(res.Missing), "new_alerts": res.NewAlerts})
}

func alertDTO(a payouts.Alert) gin.H {
	return gin.H{"id": a.ID, "source": "reconciliation", "kind": a.Kind, "date": a.Day, "payout_id": a.PayoutID,
		"out_bill_no": a.OutBillNo, "our_status": a.OurStatus, "our_amount_fen": a.OurAmountFen,
		"wechat_state": nullable(a.WeChatState), "wechat_amount_fen": a.WeChatAmountFen, "detail": a.Detail,
		"created_at": rfc3339(a.CreatedAt)}
}

// listAlerts is GET /admin/v1/alerts?date=&limit=: reconciliation alerts (mismatches, missing
// and stuck bills), newest first.
func (s *Server) listAlerts(c *gin.Context) {
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			httperr.Write(c, apperr.InvalidArgument("limit must be an integer from 1 to 500"))
			return
		}
		limit = n
	}
	p := principal(c)
	list, err := s.d.Reconciler.Alerts(c.Request.Context(), p.Role, p.BrandID, c.Query("date"), limit)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]gin.H, len(list))
	for i, a := range list {
		out[i] = alertDTO(a)
	}
	c.JSON(http.StatusOK, gin.H{"alerts": out})
}

// alertCollector exposes the stored reconciliation alerts by kind at scrape time
// (sharecast_reconciliation_mismatches{kind}): they survive restarts, unlike a counter.
type alertCollector struct{ st payouts.ReconcileStore }

var reconcileMismatchesDesc = prometheus.NewDesc("sharecast_reconciliation_mismatches",
	"Reconciliation alerts stored, by kind (state_mismatch, amount_mismatch, missing, stuck, create_params_differ, merchant_missing, member_not_active), every brand.", []string{"kind"}, nil)

func (alertCollector) Describe(ch chan<- *prometheus.Desc) { ch <- reconcileMismatchesDesc }

func (a alertCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	counts, err := a.st.CountAlerts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(reconcileMismatchesDesc, err)
		return
	}
	for _, k := range payouts.AlertKinds {
		ch <- prometheus.MustNewConstMetric(reconcileMismatchesDesc, prometheus.GaugeValue, float64(counts[k]), k)
	}
}

package server

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
)

// registerOrders mounts the orders area: the open API for brand systems (its own API-key
// check) and the admin routes for commission plans, binding rules, orders, members,
// adjustments and API keys, with the roles of API.md.
func (s *Server) registerOrders(e *gin.Engine, ipLimit gin.HandlerFunc, authed *gin.RouterGroup) {
	if s.d.Orders == nil {
		return
	}
	open := e.Group("/open/v1", ipLimit, s.requireAPIKey())
	open.POST("/orders", s.openCreateOrder)
	open.POST("/orders/:external_id/refunds", s.openRefundOrder)
	open.POST("/orders/:external_id/confirm", s.openConfirmOrder)

	owner := authed.Group("", requireRole(brands.RoleOwner))
	owner.GET("/api-keys", s.listAPIKeys)
	owner.POST("/api-keys", s.createAPIKey)
	owner.DELETE("/api-keys/:id", s.revokeAPIKey)
	owner.GET("/commission-plan", s.getCommissionPlan)
	owner.PUT("/commission-plan", s.putCommissionPlan)
	owner.GET("/binding-rules", s.getBindingRules)
	owner.PUT("/binding-rules", s.putBindingRules)

	money := authed.Group("", requireRole(brands.RoleOwner, brands.RoleFinance))
	money.GET("/orders/:id", s.getOrder)
	money.POST("/orders/:id/reassign", s.reassignOrder)
	// debt_write_off is owner-only; the domain checks the kind against the role.
	money.POST("/adjustments", s.createAdjustment)

	everyone := authed.Group("", requireRole(brands.RoleOwner, brands.RoleFinance, brands.RoleOperator))
	everyone.GET("/members", s.listMembers)
	everyone.POST("/members/:id/freeze", s.freezeMember)
	everyone.POST("/members/:id/unfreeze", s.unfreezeMember)
}

func rfc3339(t time.Time) string { return t.Format(time.RFC3339) }

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

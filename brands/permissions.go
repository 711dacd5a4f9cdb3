package brands

import "slices"

// Permission is one row of API.md's role table: a group of pages and routes that the same
// roles may use. The JSON API and the console both ask this table, so a page and the route it
// calls can never disagree about who may use them.
type Permission string

// The rows of API.md's role table, in its order.
const (
	// PermRead: reading lives, stats and leaderboards (every role).
	PermRead Permission = "read"
	// PermBrandAdmin: settings, admins, API keys, webhooks, commission plan, binding rules.
	PermBrandAdmin Permission = "brand_admin"
	// PermLiveOps: lives, links, leaderboard outputs, WeCom robots and schedules, reservation
	// review, outreach.
	PermLiveOps Permission = "live_ops"
	// PermMembers: members list, freeze/unfreeze.
	PermMembers Permission = "members"
	// PermFinanceRead: orders (read), exports, reconciliation, alerts, audit log.
	PermFinanceRead Permission = "finance_read"
	// PermFinanceWrite: order reassign, payout approve/reject, batches, adjustments prize/credit.
	PermFinanceWrite Permission = "finance_write"
	// PermDebtWriteOff: the debt_write_off adjustment.
	PermDebtWriteOff Permission = "debt_write_off"
)

var permissionRoles = map[Permission][]string{
	PermRead:         {RoleOwner, RoleFinance, RoleOperator},
	PermBrandAdmin:   {RoleOwner},
	PermLiveOps:      {RoleOwner, RoleOperator},
	PermMembers:      {RoleOwner, RoleFinance, RoleOperator},
	PermFinanceRead:  {RoleOwner, RoleFinance},
	PermFinanceWrite: {RoleOwner, RoleFinance},
	PermDebtWriteOff: {RoleOwner},
}

// Permissions lists every permission.
func Permissions() []Permission {
	return []Permission{PermRead, PermBrandAdmin, PermLiveOps, PermMembers, PermFinanceRead, PermFinanceWrite, PermDebtWriteOff}
}

// Roles answers the roles holding p (a copy; nil for an unknown permission).
func (p Permission) Roles() []string { return slices.Clone(permissionRoles[p]) }

// Allows reports whether role holds p. Unknown roles and permissions hold nothing.
func (p Permission) Allows(role string) bool { return slices.Contains(permissionRoles[p], role) }

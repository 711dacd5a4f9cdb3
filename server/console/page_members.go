package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

// Members is what the members page uses (referral.Members, as GET /admin/v1/members and
// POST /admin/v1/members/{id}/freeze|unfreeze use it).
type Members interface {
	List(ctx context.Context, brandID, status string, p referral.Page) ([]referral.Member, string, error)
	SetFrozen(ctx context.Context, actor brands.Actor, brandID, memberID string, frozen bool) (referral.Member, error)
}

// OrderReassigner moves an order's attribution to another member (referral.Orders, as POST
// /admin/v1/orders/{id}/reassign).
type OrderReassigner interface {
	Reassign(ctx context.Context, actor brands.Actor, brandID, orderID, memberID, reason string) (referral.Order, error)
}

// Adjuster posts ledger adjustments (payouts.Book, as POST /admin/v1/adjustments; it checks
// the role per kind itself).
type Adjuster interface {
	Adjust(ctx context.Context, actor brands.Actor, role, brandID string, in payouts.AdjustInput) (payouts.Adjustment, bool, error)
}

func init() {
	register(Page{
		Name: "members",
		Perm: brands.PermMembers, // members list, freeze/unfreeze: every role (API.md)
		Nav:  &NavEntry{Label: "nav.members", Order: 200},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/members", Handle: listMembersPage},
			{Method: http.MethodPost, Path: "/members/:id/freeze", Handle: freezeMember(true)},
			{Method: http.MethodPost, Path: "/members/:id/unfreeze", Handle: freezeMember(false)},
			{Method: http.MethodPost, Path: "/orders/reassign", Perm: brands.PermFinanceWrite, Handle: reassignOrder},
		},
	})
	register(Page{
		Name: "adjustments",
		Perm: brands.PermFinanceWrite, // adjustments prize/credit: owner, finance; debt_write_off: owner (Book checks)
		Nav:  &NavEntry{Label: "nav.adjustments", Order: 300},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/adjustments", Handle: adjustmentForm},
			{Method: http.MethodPost, Path: "/adjustments", Handle: createAdjustment},
		},
	})
	addCatalogue(map[string]msg{
		"nav.members":               {"成员", "Members"},
		"nav.adjustments":           {"余额调整", "Adjustments"},
		"members.title":             {"成员", "Members"},
		"members.unavailable":       {"成员管理暂不可用：此版本尚未接入成员服务。", "Members are not available: this build has no members service wired in."},
		"members.status":            {"状态", "Status"},
		"members.all":               {"全部", "All"},
		"members.nickname":          {"昵称", "Nickname"},
		"members.id":                {"成员 ID", "Member id"},
		"members.joined":            {"加入时间", "Joined"},
		"members.last_login":        {"最近登录", "Last login"},
		"members.freeze":            {"冻结", "Freeze"},
		"members.unfreeze":          {"解冻", "Unfreeze"},
		"members.freeze_confirm":    {"冻结后该成员不能申请提现，确定？", "A frozen member cannot request payouts. Freeze?"},
		"members.bad_status":        {"未知的成员状态", "Unknown member status"},
		"members.reassign":          {"订单改归属", "Reassign an order"},
		"members.reassign_help":     {"把订单的佣金归属改给另一位成员（原佣金冲回，新成员重新计佣；写入审计日志）。", "Move an order's attribution to another member (its commissions are reversed and accrued anew; audited)."},
		"members.order_id":          {"订单 ID", "Order id"},
		"members.to_member":         {"新成员 ID", "New member id"},
		"members.reason":            {"原因", "Reason"},
		"members.reassign_submit":   {"改归属", "Reassign"},
		"member_status.active":      {"正常", "Active"},
		"member_status.frozen":      {"已冻结", "Frozen"},
		"member_status.banned":      {"已封禁", "Banned"},
		"flash.member_frozen":       {"已冻结。", "Frozen."},
		"flash.member_unfrozen":     {"已解冻。", "Unfrozen."},
		"flash.order_reassigned":    {"订单归属已更改。", "The order was reassigned."},
		"adjustments.title":         {"余额调整", "Ledger adjustments"},
		"adjustments.help":          {"奖励与补偿计入成员可提现余额（先抵扣欠款）；核销欠款仅所有者可用。每次调整都记入账本与审计日志。", "Prizes and credits go to the member's available balance (debt first); only owners write debt off. Every adjustment is posted to the ledger and audited."},
		"adjustments.unavailable":   {"余额调整暂不可用：此版本尚未接入账本服务。", "Adjustments are not available: this build has no ledger service wired in."},
		"adjustments.member":        {"成员 ID", "Member id"},
		"adjustments.kind":          {"类型", "Kind"},
		"adjustments.amount":        {"金额（元）", "Amount (yuan)"},
		"adjustments.reason":        {"原因", "Reason"},
		"adjustments.submit":        {"提交调整", "Post adjustment"},
		"adjustments.confirm":       {"确定提交这笔调整？", "Post this adjustment?"},
		"adjustments.done":          {"已记账：%s 元给成员 %s（交易 %s）。", "Posted: %s yuan to member %s (transaction %s)."},
		"adjustment.prize":          {"排行榜奖励", "Leaderboard prize"},
		"adjustment.credit":         {"补偿", "Credit"},
		"adjustment.debt_write_off": {"核销欠款", "Debt write-off"},
	})
}

var memberStatuses = []string{referral.StatusActive, referral.StatusFrozen, referral.StatusBanned}

type membersData struct {
	Available   bool
	Status      string
	Statuses    []string
	Rows        []referral.Member
	Next        string
	CanReassign bool
	Problem     string
	// The reassign form as typed after a refusal.
	OrderID, MemberID, Reason string
}

func listMembersPage(c *Ctx) error {
	return renderMembers(c, http.StatusOK, membersData{})
}

func renderMembers(c *Ctx, status int, d membersData) error {
	d.Status, d.Statuses = c.G.Query("status"), memberStatuses
	d.CanReassign = brands.PermFinanceWrite.Allows(c.Admin.Role) && c.Deps.Orders != nil
	if d.Status != "" && !slices.Contains(memberStatuses, d.Status) {
		return c.invalid("members.bad_status")
	}
	cursor := c.G.Query("cursor")
	if len(cursor) > 128 {
		return c.invalid("form.cursor")
	}
	if c.Deps.Members == nil {
		return c.Render(http.StatusServiceUnavailable, "members.title", d)
	}
	d.Available = true
	rows, next, err := c.Deps.Members.List(c.Context(), c.Admin.BrandID, d.Status, referral.Page{Cursor: cursor, Limit: 50})
	if err != nil {
		return err
	}
	d.Rows = rows
	if next != "" {
		q := url.Values{"cursor": {next}}
		if d.Status != "" {
			q.Set("status", d.Status)
		}
		d.Next = Prefix + "/members?" + q.Encode()
	}
	return c.Render(status, "members.title", d)
}

func freezeMember(frozen bool) func(c *Ctx) error {
	return func(c *Ctx) error {
		if c.Deps.Members == nil {
			return renderMembers(c, http.StatusServiceUnavailable, membersData{})
		}
		if _, err := c.Deps.Members.SetFrozen(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id"), frozen); err != nil {
			return err
		}
		flash := "flash.member_unfrozen"
		if frozen {
			flash = "flash.member_frozen"
		}
		return c.Redirect(Prefix+"/members", flash)
	}
}

func reassignOrder(c *Ctx) error {
	if c.Deps.Orders == nil {
		return renderMembers(c, http.StatusServiceUnavailable, membersData{})
	}
	orderID, memberID := strings.TrimSpace(c.G.PostForm("order_id")), strings.TrimSpace(c.G.PostForm("member_id"))
	reason := strings.TrimSpace(c.G.PostForm("reason"))
	_, err := c.Deps.Orders.Reassign(c.Context(), c.Actor(), c.Admin.BrandID, orderID, memberID, reason)
	if problem, ok := shownProblem(err); ok {
		return renderMembers(c, statusOf(err), membersData{Problem: problem, OrderID: orderID, MemberID: memberID, Reason: reason})
	}
	if err != nil {
		return err
	}
	return c.Redirect(Prefix+"/members", "flash.order_reassigned")
}

type adjustmentsData struct {
	Available                      bool
	Kinds                          []string
	Key                            string // idempotency key of this form: a double submit posts once
	Problem                        string
	Done                           string
	MemberID, Kind, Amount, Reason string
}

func newFormKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "console-" + hex.EncodeToString(b)
}

func adjustmentKinds(role string) []string {
	kinds := []string{payouts.AdjustPrize, payouts.AdjustCredit}
	if brands.PermDebtWriteOff.Allows(role) {
		kinds = append(kinds, payouts.AdjustDebtWriteOff)
	}
	return kinds
}

func adjustmentForm(c *Ctx) error {
	d := adjustmentsData{Available: c.Deps.Adjust != nil, Kinds: adjustmentKinds(c.Admin.Role), Key: newFormKey(), Kind: payouts.AdjustPrize}
	st := http.StatusOK
	if !d.Available {
		st = http.StatusServiceUnavailable
	}
	return c.Render(st, "adjustments.title", d)
}

func createAdjustment(c *Ctx) error {
	d := adjustmentsData{Available: c.Deps.Adjust != nil, Kinds: adjustmentKinds(c.Admin.Role),
		MemberID: strings.TrimSpace(c.G.PostForm("member_id")), Kind: c.G.PostForm("kind"),
		Amount: strings.TrimSpace(c.G.PostForm("amount")), Reason: strings.TrimSpace(c.G.PostForm("reason")), Key: c.G.PostForm("key")}
	if !d.Available {
		return c.Render(http.StatusServiceUnavailable, "adjustments.title", d)
	}
	fen, ok := ParseYuan(d.Amount)
	if !ok {
		d.Problem, d.Key = c.Lang.T("form.yuan", c.Lang.T("adjustments.amount")), newFormKey()
		return c.Render(http.StatusBadRequest, "adjustments.title", d)
	}
	if len(d.Key) > 128 {
		d.Key = ""
	}
	a, _, err := c.Deps.Adjust.Adjust(c.Context(), c.Actor(), c.Admin.Role, c.Admin.BrandID, payouts.AdjustInput{
		MemberID: d.MemberID, Kind: d.Kind, AmountFen: fen, Reason: d.Reason, IdempotencyKey: d.Key})
	if problem, ok := shownProblem(err); ok {
		d.Problem = problem
		return c.Render(statusOf(err), "adjustments.title", d)
	}
	if err != nil {
		return err
	}
	done := adjustmentsData{Available: true, Kinds: d.Kinds, Key: newFormKey(), Kind: payouts.AdjustPrize,
		Done: c.Lang.T("adjustments.done", FormatYuan(a.AmountFen), a.MemberID, a.TransactionID)}
	return c.Render(http.StatusOK, "adjustments.title", done)
}

// shownProblem tells the refusals a form shows again with their message (bad input, a
// business rule, a conflict) from the ones that become an error page (not found, forbidden,
// internal).
func shownProblem(err error) (string, bool) {
	ae, ok := apperr.As(err)
	if !ok {
		return "", false
	}
	switch ae.Kind {
	case apperr.Invalid, apperr.Rule, apperr.Conflict:
		return ae.Message, true
	}
	return "", false
}

// statusOf is the HTTP status of an error's kind (server/httperr decides).
func statusOf(err error) int {
	return httperr.Status(apperr.KindOf(err))
}

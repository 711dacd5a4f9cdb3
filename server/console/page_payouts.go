package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// The payout review queue (finance and owner only: operators get no nav entry and 403 on the
// page and on every action, server-side) and the reconciliation alerts page.
func init() {
	register(Page{
		Name: "payouts",
		Perm: brands.PermFinanceRead,
		Nav:  &NavEntry{Label: "nav.payouts", Order: 500},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/payouts", Handle: listPayoutQueue},
			{Method: http.MethodPost, Path: "/payouts/:id/approve", Perm: brands.PermFinanceWrite, Handle: approvePayoutForm},
			{Method: http.MethodPost, Path: "/payouts/:id/reject", Perm: brands.PermFinanceWrite, Handle: rejectPayoutForm},
		},
	})
	register(Page{
		Name: "reconciliation",
		Perm: brands.PermFinanceRead,
		Nav:  &NavEntry{Label: "nav.reconciliation", Order: 510},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/reconciliation", Handle: showReconciliation},
		},
	})
}

// payoutRow is one payout as the queue shows it, with the two-person rule spelled out.
type payoutRow struct {
	payouts.Payout
	// ApprovedByMe: this admin approved it already (another admin must give the second).
	ApprovedByMe bool
	// StartedByMe: this admin started its batch and may not approve it.
	StartedByMe bool
	// Approvers are the usernames who approved so far.
	Approvers []string
	// Reviewable: still waiting for review.
	Reviewable bool
}

// CanApprove: this admin's approval would count.
func (r payoutRow) CanApprove() bool { return r.Reviewable && !r.ApprovedByMe && !r.StartedByMe }

// Needed is how many approvals the payout needs (at least one once in review).
func (r payoutRow) Needed() int { return max(r.ApprovalsNeeded, 1) }

type payoutQueueData struct {
	Available bool
	Rows      []payoutRow
	Statuses  []string
	Status    string
	Problem   string
	Next      string
}

const payoutPageSize = 50

func listPayoutQueue(c *Ctx) error {
	return renderPayoutQueue(c, http.StatusOK, "")
}

func renderPayoutQueue(c *Ctx, status int, problem string) error {
	d := payoutQueueData{Available: c.Deps.Payouts != nil, Statuses: payouts.PayoutStatuses, Problem: problem}
	if !d.Available {
		return c.Render(status, "payouts.title", d)
	}
	d.Status = payouts.PayoutRequested
	if s, ok := c.G.GetQuery("status"); ok {
		d.Status = s
	}
	if d.Status != "" && !slices.Contains(payouts.PayoutStatuses, d.Status) {
		return c.invalid("payouts.bad_status")
	}
	cursor := c.G.Query("cursor")
	if len(cursor) > 64 {
		return c.invalid("form.cursor")
	}
	svc := c.Deps.Payouts
	list, next, err := svc.List(c.Context(), c.Admin.BrandID, d.Status, payouts.Page{Cursor: cursor, Limit: payoutPageSize})
	if err != nil {
		return err
	}
	admins, err := c.Deps.Brands.Admins(c.Context(), c.Admin.BrandID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, a := range admins {
		names[a.ID] = a.Username
	}
	starters := map[string]string{} // batch id → who started it
	for _, p := range list {
		row := payoutRow{Payout: p, Reviewable: p.Status == payouts.PayoutRequested}
		if row.Reviewable {
			decisions, err := svc.Approvals(c.Context(), c.Admin.BrandID, p.ID)
			if err != nil {
				return err
			}
			for _, dcs := range decisions {
				if dcs.Decision != payouts.DecisionApprove {
					continue
				}
				row.Approvers = append(row.Approvers, cmpOr(names[dcs.AdminID], dcs.AdminID))
				if dcs.AdminID == c.Admin.AdminID {
					row.ApprovedByMe = true
				}
			}
			if p.BatchID != "" {
				by, ok := starters[p.BatchID]
				if !ok {
					b, err := svc.Store.BatchByID(c.Context(), c.Admin.BrandID, p.BatchID)
					if err != nil {
						return err
					}
					by, starters[p.BatchID] = b.StartedBy, b.StartedBy
				}
				row.StartedByMe = by == c.Admin.AdminID
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if next != "" {
		d.Next = Prefix + "/payouts?status=" + d.Status + "&cursor=" + next
	}
	return c.Render(status, "payouts.title", d)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// reviewRefusal shows a refusal a reviewer can act on (self-approval of a batch, a second
// approval by the same admin, a payout that moved on) on the queue itself.
func reviewRefusal(c *Ctx, err error) error {
	switch apperr.KindOf(err) {
	case apperr.Conflict, apperr.Rule, apperr.Invalid:
	case apperr.Forbidden:
		if apperr.CodeOf(err) != payouts.ErrBatchSelfApproval.Code {
			return err
		}
	default:
		return err
	}
	ae, _ := apperr.As(err)
	status := http.StatusConflict
	switch ae.Kind {
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.Invalid:
		status = http.StatusBadRequest
	case apperr.Rule:
		status = http.StatusUnprocessableEntity
	}
	return renderPayoutQueue(c, status, ae.Message)
}

func approvePayoutForm(c *Ctx) error {
	if c.Deps.Payouts == nil {
		return apperr.New(apperr.Unavailable, "UNAVAILABLE", "payouts are not wired in")
	}
	p, err := c.Deps.Payouts.Approve(c.Context(), c.Actor(), c.Admin.Role, c.Admin.BrandID, c.G.Param("id"))
	if err != nil {
		return reviewRefusal(c, err)
	}
	flash := "flash.payout_approval_recorded"
	if p.Status == payouts.PayoutApproved {
		flash = "flash.payout_approved"
	}
	return c.Redirect(Prefix+"/payouts", flash)
}

func rejectPayoutForm(c *Ctx) error {
	if c.Deps.Payouts == nil {
		return apperr.New(apperr.Unavailable, "UNAVAILABLE", "payouts are not wired in")
	}
	reason := strings.TrimSpace(c.G.PostForm("reason"))
	if _, err := c.Deps.Payouts.Reject(c.Context(), c.Actor(), c.Admin.Role, c.Admin.BrandID, c.G.Param("id"), reason); err != nil {
		return reviewRefusal(c, err)
	}
	return c.Redirect(Prefix+"/payouts", "flash.payout_rejected")
}

type reconciliationData struct {
	Available bool
	Date      string
	Ran       bool
	Result    payouts.Reconciliation
	Alerts    []payouts.Alert
}

// showReconciliation lists the stored alerts; with ?date= it first reconciles that day (the
// same work as GET /admin/v1/reconciliation) and shows its lines.
func showReconciliation(c *Ctx) error {
	d := reconciliationData{Available: c.Deps.Reconciler != nil}
	if !d.Available {
		return c.Render(http.StatusOK, "reconciliation.title", d)
	}
	r := c.Deps.Reconciler
	if day := strings.TrimSpace(c.G.Query("date")); day != "" {
		res, err := r.ForAdmin(c.Context(), c.Admin.Role, c.Admin.BrandID, day)
		if err != nil {
			return err
		}
		d.Ran, d.Result, d.Date = true, res, day
	} else {
		d.Date = r.Payouts.Clock.Now().In(payouts.ReconcileZone).Format(time.DateOnly)
	}
	alerts, err := r.Alerts(c.Context(), c.Admin.Role, c.Admin.BrandID, "", 200)
	if err != nil {
		return err
	}
	d.Alerts = alerts
	return c.Render(http.StatusOK, "reconciliation.title", d)
}

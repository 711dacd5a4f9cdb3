package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/referral"
)

// Reservations is what the review queue uses: referral.Sharing as the JSON routes use it
// (GET /admin/v1/lives/{id}/reservations, POST /admin/v1/reservations/{id}/clear|void).
type Reservations interface {
	Reservations(ctx context.Context, brandID, liveID string, f referral.ReservationFilter, p referral.Page) ([]referral.Reservation, string, error)
	ClearReservation(ctx context.Context, a brands.Actor, brandID, id string) (referral.Reservation, error)
	VoidReservation(ctx context.Context, a brands.Actor, brandID, id string) (referral.Reservation, error)
}

// MemberNames answers nicknames for member ids of the brand (store.LiveStats).
type MemberNames interface {
	Nicknames(ctx context.Context, brandID string, ids []string) (map[string]string, error)
}

func init() {
	register(Page{
		Name: "reservations",
		Perm: brands.PermLiveOps, // reservation review: owner, operator (API.md)
		Routes: []Route{
			{Method: http.MethodGet, Path: "/lives/:id/reservations", Handle: listReservations},
			{Method: http.MethodPost, Path: "/reservations/:id/clear", Handle: reviewReservation(true)},
			{Method: http.MethodPost, Path: "/reservations/:id/void", Handle: reviewReservation(false)},
		},
	})
	addCatalogue(map[string]msg{
		"reservations.title":      {"预约审核", "Reservation review"},
		"reservations.unavail":    {"预约审核暂不可用：此版本尚未接入预约服务。", "Reservation review is not available: this build has no reservations service wired in."},
		"reservations.risk":       {"风险", "Risk"},
		"reservations.status":     {"状态", "Status"},
		"reservations.all":        {"全部", "All"},
		"reservations.viewer":     {"预约人", "Viewer"},
		"reservations.inviter":    {"邀请人", "Inviter"},
		"reservations.channel":    {"渠道", "Channel"},
		"reservations.counted":    {"有效", "Counted"},
		"reservations.reason":     {"原因", "Reason"},
		"reservations.created":    {"时间", "Reserved at"},
		"reservations.ip":         {"IP", "IP"},
		"reservations.clear":      {"通过", "Clear"},
		"reservations.void":       {"作废", "Void"},
		"reservations.confirm":    {"确定作废这条预约？作废后不可恢复。", "Void this reservation? It cannot be restored."},
		"reservations.back":       {"返回直播数据", "Back to the dashboard"},
		"reservations.bad_risk":   {"未知的风险筛选", "Unknown risk filter"},
		"reservations.bad_stat":   {"未知的预约状态", "Unknown reservation status"},
		"risk.clear":              {"正常", "Clear"},
		"risk.review":             {"待审核", "Review"},
		"res_status.reserved":     {"已预约", "Reserved"},
		"res_status.cancelled":    {"已取消", "Cancelled"},
		"res_status.void":         {"已作废", "Void"},
		"flash.reservation_clear": {"已通过，该预约重新计入。", "Cleared: the reservation counts again."},
		"flash.reservation_void":  {"已作废。", "Voided."},
		"yes":                     {"是", "yes"},
		"no":                      {"否", "no"},
	})
}

var (
	riskFilters   = []string{"review", "clear"}
	statusFilters = []string{"reserved", "cancelled", "void"}
)

type reservationsData struct {
	Available    bool
	LiveID       string
	Risk, Status string
	Risks        []string
	Statuses     []string
	Rows         []referral.Reservation
	Names        map[string]string // member id → nickname
	Next         string
}

const reservationsPageSize = 50

func listReservations(c *Ctx) error {
	liveID := c.G.Param("id")
	risk, hasRisk := c.G.GetQuery("risk")
	status, hasStatus := c.G.GetQuery("status")
	if !hasRisk && !hasStatus {
		// The queue: reserved and flagged, what waits for a decision.
		risk, status = "review", "reserved"
	}
	if risk != "" && !slices.Contains(riskFilters, risk) {
		return c.invalid("reservations.bad_risk")
	}
	if status != "" && !slices.Contains(statusFilters, status) {
		return c.invalid("reservations.bad_stat")
	}
	cursor := c.G.Query("cursor")
	if len(cursor) > 128 {
		return c.invalid("form.cursor")
	}
	d := reservationsData{LiveID: liveID, Risk: risk, Status: status, Risks: riskFilters, Statuses: statusFilters}
	if c.Deps.Reservations == nil {
		return c.Render(http.StatusServiceUnavailable, "reservations.title", d)
	}
	d.Available = true
	rows, next, err := c.Deps.Reservations.Reservations(c.Context(), c.Admin.BrandID, liveID,
		referral.ReservationFilter{Risk: risk, Status: status}, referral.Page{Cursor: cursor, Limit: reservationsPageSize})
	if err != nil {
		return err
	}
	d.Rows = rows
	if c.Deps.MemberNames != nil {
		ids := make([]string, 0, 2*len(rows))
		for _, r := range rows {
			ids = append(ids, r.ViewerID, r.InviterID)
		}
		if d.Names, err = c.Deps.MemberNames.Nicknames(c.Context(), c.Admin.BrandID, ids); err != nil {
			return err
		}
	}
	if next != "" {
		q := url.Values{"cursor": {next}, "risk": {risk}}
		if status != "" {
			q.Set("status", status)
		}
		d.Next = Prefix + "/lives/" + url.PathEscape(liveID) + "/reservations?" + q.Encode()
	}
	return c.Render(http.StatusOK, "reservations.title", d)
}

// reviewReservation clears (true) or voids a reservation, then goes back to its live's queue.
func reviewReservation(clear bool) func(c *Ctx) error {
	return func(c *Ctx) error {
		if c.Deps.Reservations == nil {
			return c.Render(http.StatusServiceUnavailable, "reservations.title", reservationsData{})
		}
		id := c.G.Param("id")
		var (
			r   referral.Reservation
			err error
		)
		flash := "flash.reservation_clear"
		if clear {
			r, err = c.Deps.Reservations.ClearReservation(c.Context(), c.Actor(), c.Admin.BrandID, id)
		} else {
			r, err = c.Deps.Reservations.VoidReservation(c.Context(), c.Actor(), c.Admin.BrandID, id)
			flash = "flash.reservation_void"
		}
		if err != nil {
			return err
		}
		return c.Redirect(Prefix+"/lives/"+url.PathEscape(r.LiveID)+"/reservations", flash)
	}
}

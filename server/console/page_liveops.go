package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
)

// The live-operations page of one live (/admin/lives/{id}/ops): the editor, guarded by the
// LiveGuard (a risky change shows the risks and asks for the acknowledge checkbox), the
// synced Channels notice, and the shortfall rounds — what was sent and to how many.

func init() {
	register(Page{
		Name: "liveops",
		Perm: brands.PermLiveOps, // owner, operator (API.md: lives, outreach)
		Routes: []Route{
			{Method: http.MethodGet, Path: "/lives/:id/ops", Handle: showLiveOps},
			{Method: http.MethodPost, Path: "/lives/:id/ops", Handle: editLiveOps},
		},
	})
}

type liveOpsData struct {
	Live     referral.Live
	Notice   *liveops.Notice
	Rounds   []liveops.RoundView
	Risks    []liveops.Risk
	Problem  string
	Title    string
	Start    string
	NoticeID string
	Target   string
}

func (c *Ctx) liveOpsData(id string) (liveOpsData, error) {
	if c.Deps.Sharing == nil || c.Deps.LiveOps == nil {
		return liveOpsData{}, apperr.New(apperr.Unavailable, "UNAVAILABLE", "live operations are not wired in")
	}
	l, err := c.Deps.Sharing.Live(c.Context(), c.Admin.BrandID, id)
	if err != nil {
		return liveOpsData{}, err
	}
	d := liveOpsData{Live: l, Title: l.Title, NoticeID: l.NoticeID, Target: strconv.FormatInt(l.TargetReservations, 10),
		Start: c.inBrandTZ(l.PlannedStartAt).Format(time.RFC3339)}
	if d.Notice, err = c.Deps.LiveOps.LiveNotice(c.Context(), l); err != nil {
		return liveOpsData{}, err
	}
	if d.Rounds, err = c.Deps.LiveOps.Outreach(c.Context(), c.Admin.BrandID, l.ID); err != nil {
		return liveOpsData{}, err
	}
	return d, nil
}

func (c *Ctx) inBrandTZ(t time.Time) time.Time {
	if b, err := c.Brand(); err == nil {
		if loc, err := time.LoadLocation(b.Timezone); err == nil {
			return t.In(loc)
		}
	}
	return t
}

func showLiveOps(c *Ctx) error {
	d, err := c.liveOpsData(c.G.Param("id"))
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "liveops.title", d)
}

// editLiveOps saves the editor. A change the LiveGuard finds risky comes back with the risks
// listed and the acknowledge checkbox; sent again with it ticked, it is saved (and the
// counts snapshotted first).
func editLiveOps(c *Ctx) error {
	id := c.G.Param("id")
	d, err := c.liveOpsData(id)
	if err != nil {
		return err
	}
	d.Title = strings.TrimSpace(c.G.PostForm("title"))
	d.Start = strings.TrimSpace(c.G.PostForm("planned_start_at"))
	d.NoticeID = strings.TrimSpace(c.G.PostForm("notice_id"))
	d.Target = strings.TrimSpace(c.G.PostForm("target_reservations"))
	ch := referral.LiveChange{AcknowledgeRisk: c.G.PostForm("acknowledge_risk") == "1"}
	if d.Title != d.Live.Title {
		ch.Title = &d.Title
	}
	if d.NoticeID != d.Live.NoticeID {
		ch.NoticeID = &d.NoticeID
	}
	start, perr := time.Parse(time.RFC3339, d.Start)
	if perr != nil {
		d.Problem = c.Lang.T("liveops.bad_start")
		return c.Render(http.StatusBadRequest, "liveops.title", d)
	}
	if !start.Equal(d.Live.PlannedStartAt) {
		ch.PlannedStartAt = &start
	}
	target, perr := strconv.ParseInt(d.Target, 10, 64)
	if perr != nil {
		d.Problem = c.Lang.T("form.whole_number", c.Lang.T("liveops.target"))
		return c.Render(http.StatusBadRequest, "liveops.title", d)
	}
	if target != d.Live.TargetReservations {
		ch.TargetReservations = &target
	}
	_, err = c.Deps.Sharing.UpdateLive(c.Context(), c.Actor(), c.Admin.BrandID, id, ch)
	if ae, ok := apperr.As(err); ok && ae.Code == liveops.CodeRiskAckRequired {
		d.Risks, _ = ae.Details["risks"].([]liveops.Risk)
		return c.Render(http.StatusConflict, "liveops.title", d)
	}
	if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.Rule || k == apperr.Conflict) {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			d.Problem = ae.Message
		}
		return c.Render(http.StatusUnprocessableEntity, "liveops.title", d)
	}
	if err != nil {
		return err
	}
	return c.Redirect(Prefix+"/lives/"+id+"/ops", "flash.saved")
}

// CanLiveOps reports whether the signed-in role may open the live operations page (the lives
// list links to it only then).
func (v view) CanLiveOps() bool { return brands.PermLiveOps.Allows(v.Admin.Role) }

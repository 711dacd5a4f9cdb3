package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerLiveOps2 mounts the notice sync's and the shortfall round's admin reads: synced
// notices (every role reads lives), a live's risk snapshots and its outreach rounds (owner,
// operator).
func (s *Server) registerLiveOps2(authed *gin.RouterGroup) {
	if s.d.LiveOps == nil {
		return
	}
	authed.GET("/notices", s.listNotices)
	ops := authed.Group("", requireRole(brands.RoleOwner, brands.RoleOperator))
	ops.GET("/lives/:id/outreach", s.liveOutreach)
	ops.GET("/lives/:id/risk-snapshots", s.liveRiskSnapshots)
}

// noticeDTO is a synced Channels notice.
type noticeDTO struct {
	NoticeID        string  `json:"notice_id"`
	Status          int     `json:"status"`
	StatusWording   string  `json:"status_wording"`
	State           string  `json:"state"`
	StartAt         string  `json:"start_at"`
	Description     string  `json:"description"`
	LiveID          *string `json:"live_id"`
	Change          string  `json:"change"`
	ChangedAt       *string `json:"changed_at"`
	PreviousStartAt *string `json:"previous_start_at"`
	SyncedAt        string  `json:"synced_at"`
}

func toNoticeDTO(n liveops.Notice) noticeDTO {
	d := noticeDTO{NoticeID: n.NoticeID, Status: n.Status, StatusWording: n.StatusWording, State: n.State,
		StartAt: n.StartAt.Format(time.RFC3339), Description: n.Description, Change: n.Change, ChangedAt: optTime(n.ChangedAt),
		PreviousStartAt: optTime(n.PreviousStartAt), SyncedAt: n.SyncedAt.Format(time.RFC3339)}
	if n.LiveID != "" {
		id := n.LiveID
		d.LiveID = &id
	}
	return d
}

func (s *Server) listNotices(c *gin.Context) {
	list, err := s.d.LiveOps.NoticeList(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]noticeDTO, len(list))
	for i, n := range list {
		out[i] = toNoticeDTO(n)
	}
	c.JSON(http.StatusOK, gin.H{"notices": out})
}

// withNotices adds each live's synced notice (nil when none) to the live DTOs.
func (s *Server) withNotices(c *gin.Context, lives []referral.Live, dtos []adminLiveDTO) error {
	if s.d.LiveOps == nil || len(lives) == 0 {
		return nil
	}
	list, err := s.d.LiveOps.NoticeList(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		return err
	}
	byID := make(map[string]liveops.Notice, len(list))
	for _, n := range list {
		byID[n.NoticeID] = n
	}
	for i, l := range lives {
		if n, ok := byID[l.NoticeID]; ok && l.NoticeID != "" {
			d := toNoticeDTO(n)
			dtos[i].Notice = &d
		}
	}
	return nil
}

func (s *Server) liveOutreach(c *gin.Context) {
	rounds, err := s.d.LiveOps.Outreach(c.Request.Context(), principal(c).BrandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]gin.H, 0, len(rounds))
	for _, r := range rounds {
		acts := make([]gin.H, 0, len(r.Actions))
		for _, a := range r.Actions {
			sends := map[string]int{}
			for st, n := range a.Sends {
				sends[string(st)] = n
			}
			acts = append(acts, gin.H{"id": a.ID, "kind": a.Kind, "status": a.Status, "recipients": a.Recipients,
				"queued": a.Queued, "sends": sends, "note": a.Note, "created_at": a.CreatedAt.Format(time.RFC3339),
				"done_at": optTime(a.DoneAt)})
		}
		out = append(out, gin.H{"id": r.ID, "round": r.Round.Round, "lead_minutes": r.LeadMinutes, "counted": r.Counted,
			"target": r.Target, "gap": r.Gap(), "outcome": r.Outcome, "created_at": r.CreatedAt.Format(time.RFC3339), "actions": acts})
	}
	c.JSON(http.StatusOK, gin.H{"rounds": out})
}

func (s *Server) liveRiskSnapshots(c *gin.Context) {
	brandID := principal(c).BrandID
	if _, err := s.d.Sharing.Live(c.Request.Context(), brandID, c.Param("id")); err != nil {
		httperr.Write(c, err)
		return
	}
	list, err := s.d.LiveOps.RiskSnapshots(c.Request.Context(), brandID, c.Param("id"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	out := make([]gin.H, len(list))
	for i, x := range list {
		out[i] = gin.H{"id": x.ID, "risks": x.Risks, "reserved": x.Reserved, "counted": x.Counted, "notice_id": x.NoticeID,
			"planned_start_at": x.PlannedStartAt.Format(time.RFC3339), "notice_start_at": optTime(x.NoticeStartAt),
			"created_at": x.CreatedAt.Format(time.RFC3339)}
	}
	c.JSON(http.StatusOK, gin.H{"snapshots": out})
}

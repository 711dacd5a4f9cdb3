package liveops

import (
	"context"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
)

// WeChat reminds reservers only when the live starts within ±1 h of the notice time, and a
// revoked notice loses its reservations (DESIGN §3.2, WECHAT.md §3).
const (
	ReminderWindow = time.Hour
	// EdgeMargin: a start moved to within this much of the window's edge is already a risk
	// (a late stream slips past it).
	EdgeMargin = 15 * time.Minute
)

// Risk codes in a 409 RISK_ACK_REQUIRED.
const (
	RiskStartOutsideWindow = "START_OUTSIDE_REMINDER_WINDOW"
	RiskStartNearEdge      = "START_NEAR_REMINDER_EDGE"
	RiskNoticeRemoved      = "NOTICE_REMOVED"
	RiskNoticeReplaced     = "NOTICE_REPLACED"
)

// CodeRiskAckRequired is the 409 a risky live change answers until acknowledged.
const CodeRiskAckRequired = "RISK_ACK_REQUIRED"

// Risk is one reason a live change needs acknowledging.
type Risk struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Assess lists the risks of applying c to the live cur. noticeStart is the notice's time as
// the sync last saw it; nil means unknown, and the live's current planned start (set from the
// notice) stands in for it. A live without a notice has nothing to lose.
func Assess(cur referral.Live, c referral.LiveChange, noticeStart *time.Time) []Risk {
	if cur.NoticeID == "" || cur.Over() {
		return nil
	}
	if c.NoticeID != nil && *c.NoticeID != cur.NoticeID {
		if *c.NoticeID == "" {
			return []Risk{{RiskNoticeRemoved, "removing notice " + cur.NoticeID +
				" unlinks its reservations; revoking it in Channels zeroes them and no reminder fires"}}
		}
		return []Risk{{RiskNoticeReplaced, "replacing notice " + cur.NoticeID + " with " + *c.NoticeID +
			": the old notice's reservations do not move to the new one and get no reminder"}}
	}
	if c.PlannedStartAt == nil || c.PlannedStartAt.Equal(cur.PlannedStartAt) {
		return nil
	}
	ref := cur.PlannedStartAt
	if noticeStart != nil {
		ref = *noticeStart
	}
	before, after := absDur(cur.PlannedStartAt.Sub(ref)), absDur(c.PlannedStartAt.Sub(ref))
	switch {
	case after > ReminderWindow:
		return []Risk{{RiskStartOutsideWindow, fmt.Sprintf("the new start is %s from the notice time (%s): WeChat reminds reservers only within ±1 h, so no reminder fires",
			roundMin(after), ref.Format(time.RFC3339))}}
	case after > before && after >= ReminderWindow-EdgeMargin:
		return []Risk{{RiskStartNearEdge, fmt.Sprintf("the new start is %s from the notice time (%s), close to the ±1 h edge of WeChat's reminder window",
			roundMin(after), ref.Format(time.RFC3339))}}
	}
	return nil
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func roundMin(d time.Duration) string { return d.Round(time.Minute).String() }

// Guard is the referral.LiveGuard: it refuses a risky live change with 409
// RISK_ACK_REQUIRED listing the risks and the live's counts — when there is something to
// lose: reservations recorded, or the notice listed as available by the sync (WeChat may hold
// reservations made outside our links) — and, once the change is sent
// again with acknowledge_risk, snapshots the counts (a row, in the change's transaction)
// before the change is written.
type Guard struct{ S *Service }

// CheckLiveChange implements referral.LiveGuard; it runs inside the edit's transaction.
func (g Guard) CheckLiveChange(ctx context.Context, l referral.Live, c referral.LiveChange) error {
	var noticeStart *time.Time
	n, err := g.S.LiveNotice(ctx, l)
	if err != nil {
		return err
	}
	if n != nil && n.State != NoticeMissing {
		st := n.StartAt
		noticeStart = &st
	}
	risks := Assess(l, c, noticeStart)
	if len(risks) == 0 {
		return nil
	}
	reserved, counted, err := g.S.Store.ReservationCounts(ctx, l.BrandID, l.ID)
	if err != nil {
		return err
	}
	if reserved == 0 && (n == nil || n.State != NoticeAvailable) {
		// Nothing to lose that we know of: no reservation recorded, and WeChat does not list
		// the notice as reservable (so it holds none we cannot see either).
		return nil
	}
	if !c.AcknowledgeRisk {
		d := map[string]any{"risks": risks, "reservations": map[string]int64{"reserved": reserved, "counted": counted}}
		if noticeStart != nil {
			d["notice_start_at"] = noticeStart.Format(time.RFC3339)
		}
		return apperr.New(apperr.Conflict, CodeRiskAckRequired,
			"this change risks the live's reservations; send it again with acknowledge_risk: true to go ahead").WithDetails(d)
	}
	codes := make([]string, len(risks))
	for i, r := range risks {
		codes[i] = r.Code
	}
	_, err = g.S.Store.InsertRiskSnapshot(ctx, RiskSnapshot{BrandID: l.BrandID, LiveID: l.ID, Risks: codes, Reserved: reserved,
		Counted: counted, NoticeID: l.NoticeID, PlannedStartAt: l.PlannedStartAt, NoticeStartAt: noticeStart, CreatedAt: g.S.Clock.Now()})
	return err
}

// RiskSnapshots lists a live's snapshots, newest first.
func (s *Service) RiskSnapshots(ctx context.Context, brandID, liveID string) ([]RiskSnapshot, error) {
	return s.Store.RiskSnapshots(ctx, brandID, liveID)
}

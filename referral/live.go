package referral

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Live statuses (DESIGN §2). settled is set by the settlement work, never here.
const (
	LivePlanned    = "planned"    // no notice id yet
	LiveReservable = "reservable" // notice id set: reservations accepted
	LiveLive       = "live"       // started: reservations still accepted
	LiveEnded      = "ended"
	LiveSettled    = "settled"
)

// Live is one Channels live session.
type Live struct {
	ID, BrandID        string
	Title              string
	NoticeID           string
	FinderUserName     string
	PlannedStartAt     time.Time
	ActualStartAt      *time.Time
	EndedAt            *time.Time
	TargetReservations int64
	Status             string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// AcceptsReservations reports whether reservations may be recorded now.
func (l Live) AcceptsReservations() bool { return l.Status == LiveReservable || l.Status == LiveLive }

// Over reports whether the live has ended (or been settled).
func (l Live) Over() bool { return l.Status == LiveEnded || l.Status == LiveSettled }

// InIgnition reports whether t falls in the first 20 minutes after the actual start.
func (l Live) InIgnition(t time.Time) bool {
	if l.ActualStartAt == nil || t.Before(*l.ActualStartAt) {
		return false
	}
	return t.Sub(*l.ActualStartAt) < ignitionSpan
}

// ignitionSpan mirrors leaderboard.IgnitionSpan (the window's definition lives there).
const ignitionSpan = 20 * time.Minute

// LivePatch is what a store writes; nil fields stay.
type LivePatch struct {
	Title              *string
	NoticeID           *string // "" clears it
	FinderUserName     *string
	PlannedStartAt     *time.Time
	TargetReservations *int64
	Status             *string
	ActualStartAt      *time.Time
	EndedAt            *time.Time
}

// Page is a cursor page request: Limit ≤ 0 → 50, clamped to 200.
type Page struct {
	Cursor string
	Limit  int
}

// LiveStore keeps lives.
type LiveStore interface {
	// InsertLive inserts; ErrDuplicate when the brand already has a live with that notice id.
	InsertLive(ctx context.Context, l Live) (Live, error)
	LiveByID(ctx context.Context, brandID, id string) (Live, error)
	LiveByNoticeID(ctx context.Context, brandID, noticeID string) (Live, error)
	// ListLives pages a brand's lives (status "" = all), soonest planned start first.
	ListLives(ctx context.Context, brandID, status string, p Page) ([]Live, string, error)
	// UpdateLive applies p only while the live's status is fromStatus, so two concurrent
	// transitions cannot both apply; ErrNotFound when the live is missing or its status moved
	// on, ErrDuplicate when the notice id is taken.
	UpdateLive(ctx context.Context, brandID, id, fromStatus string, p LivePatch) (Live, error)
}

// ValidLiveStatus reports whether s is a live status.
func ValidLiveStatus(s string) bool {
	switch s {
	case LivePlanned, LiveReservable, LiveLive, LiveEnded, LiveSettled:
		return true
	}
	return false
}

// LiveChange creates or edits a live; nil fields are not given.
type LiveChange struct {
	Title              *string
	NoticeID           *string // "" removes the notice (back to planned)
	FinderUserName     *string
	PlannedStartAt     *time.Time
	TargetReservations *int64
	// AcknowledgeRisk is the caller's answer to a 409 RISK_ACK_REQUIRED from the LiveGuard.
	AcknowledgeRisk bool
}

func (c LiveChange) validate() error {
	if c.Title != nil {
		t := strings.TrimSpace(*c.Title)
		if t == "" || utf8.RuneCountInString(t) > 64 || len(t) > 128 || strings.ContainsAny(t, "\x00\r\n") {
			return apperr.InvalidArgument("title must be 1-64 characters on one line")
		}
	}
	if c.NoticeID != nil && (len(*c.NoticeID) > 128 || strings.ContainsAny(*c.NoticeID, " \x00\r\n\t")) {
		return apperr.InvalidArgument("notice_id must be at most 128 characters without spaces")
	}
	if c.FinderUserName != nil && len(*c.FinderUserName) > 64 {
		return apperr.InvalidArgument("finder_user_name must be at most 64 characters")
	}
	if c.TargetReservations != nil && (*c.TargetReservations < 0 || *c.TargetReservations > 100_000_000) {
		return apperr.InvalidArgument("target_reservations must be 0 to 100000000")
	}
	if c.PlannedStartAt != nil && (c.PlannedStartAt.Year() < 2000 || c.PlannedStartAt.Year() > 2100) {
		return apperr.InvalidArgument("planned_start_at is out of range")
	}
	return nil
}

// Live returns one live of a brand (404 for unknown ids and other brands' lives).
func (s *Sharing) Live(ctx context.Context, brandID, id string) (Live, error) {
	if id == "" || len(id) > 64 {
		return Live{}, errLiveNotFound()
	}
	l, err := s.Store.LiveByID(ctx, brandID, id)
	if errors.Is(err, ErrNotFound) {
		return Live{}, errLiveNotFound()
	}
	return l, err
}

// Lives pages a brand's lives, optionally of one status.
func (s *Sharing) Lives(ctx context.Context, brandID, status string, p Page) ([]Live, string, error) {
	if status != "" && !ValidLiveStatus(status) {
		return nil, "", apperr.InvalidArgument("status must be planned, reservable, live, ended or settled")
	}
	return s.Store.ListLives(ctx, brandID, status, p)
}

func (s *Sharing) auditLive(ctx context.Context, a brands.Actor, brandID, action, liveID string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	return s.Store.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID, Action: action,
		TargetType: "live", TargetID: liveID, Detail: detail, RequestID: a.RequestID, CreatedAt: s.Clock.Now()})
}

// CreateLive creates a live: planned, or reservable when it comes with a notice id.
func (s *Sharing) CreateLive(ctx context.Context, a brands.Actor, brandID string, c LiveChange) (Live, error) {
	if c.Title == nil || c.PlannedStartAt == nil {
		return Live{}, apperr.InvalidArgument("title and planned_start_at are required")
	}
	if err := c.validate(); err != nil {
		return Live{}, err
	}
	l := Live{BrandID: brandID, Title: strings.TrimSpace(*c.Title), PlannedStartAt: *c.PlannedStartAt, Status: LivePlanned}
	if c.NoticeID != nil && *c.NoticeID != "" {
		l.NoticeID, l.Status = *c.NoticeID, LiveReservable
	}
	if c.FinderUserName != nil {
		l.FinderUserName = *c.FinderUserName
	}
	if c.TargetReservations != nil {
		l.TargetReservations = *c.TargetReservations
	}
	var out Live
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		if l.FinderUserName == "" {
			// The brand's Channels account is the default: most brands have one.
			b, err := s.Brands.Brand(ctx, brandID)
			if err != nil {
				return err
			}
			l.FinderUserName = b.FinderUserName
		}
		var err error
		if out, err = s.Store.InsertLive(ctx, l); err != nil {
			return err
		}
		return s.auditLive(ctx, a, brandID, "live.create", out.ID, map[string]any{"title": out.Title, "status": out.Status,
			"notice_id": out.NoticeID, "planned_start_at": out.PlannedStartAt.Format(time.RFC3339)})
	})
	if errors.Is(err, ErrDuplicate) {
		return Live{}, apperr.New(apperr.Conflict, CodeNoticeInUse, "another live of this brand uses this notice id")
	}
	return out, err
}

// UpdateLive edits a live. Setting a notice id makes a planned live reservable; removing it
// makes a reservable live planned again. An ended live cannot be edited.
func (s *Sharing) UpdateLive(ctx context.Context, a brands.Actor, brandID, id string, c LiveChange) (Live, error) {
	if err := c.validate(); err != nil {
		return Live{}, err
	}
	var out Live
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		l, err := s.Live(ctx, brandID, id)
		if err != nil {
			return err
		}
		if l.Over() {
			return apperr.New(apperr.Rule, CodeLiveEnded, "an ended live cannot be edited")
		}
		if s.LiveGuard != nil {
			if err := s.LiveGuard.CheckLiveChange(ctx, l, c); err != nil {
				return err
			}
		}
		p := LivePatch{Title: c.Title, NoticeID: c.NoticeID, FinderUserName: c.FinderUserName,
			PlannedStartAt: c.PlannedStartAt, TargetReservations: c.TargetReservations}
		if p.Title != nil {
			t := strings.TrimSpace(*p.Title)
			p.Title = &t
		}
		detail := map[string]any{}
		if c.NoticeID != nil {
			switch {
			case *c.NoticeID != "" && l.Status == LivePlanned:
				st := LiveReservable
				p.Status = &st
			case *c.NoticeID == "" && l.Status == LiveReservable:
				st := LivePlanned
				p.Status = &st
			case *c.NoticeID == "" && l.Status == LiveLive:
				return apperr.New(apperr.Rule, CodeLiveTransition, "a started live keeps its notice id")
			}
			detail["notice_id"] = map[string]any{"from": l.NoticeID, "to": *c.NoticeID}
		}
		if c.PlannedStartAt != nil {
			detail["planned_start_at"] = map[string]any{"from": l.PlannedStartAt.Format(time.RFC3339), "to": c.PlannedStartAt.Format(time.RFC3339)}
		}
		if c.Title != nil {
			detail["title"] = *p.Title
		}
		if c.TargetReservations != nil {
			detail["target_reservations"] = *c.TargetReservations
		}
		if c.FinderUserName != nil {
			detail["finder_user_name"] = *c.FinderUserName
		}
		if c.AcknowledgeRisk {
			detail["acknowledge_risk"] = true
		}
		if p.Status != nil {
			detail["status"] = map[string]any{"from": l.Status, "to": *p.Status}
		}
		if out, err = s.Store.UpdateLive(ctx, brandID, id, l.Status, p); err != nil {
			return err
		}
		return s.auditLive(ctx, a, brandID, "live.update", id, detail)
	})
	switch {
	case errors.Is(err, ErrDuplicate):
		return Live{}, apperr.New(apperr.Conflict, CodeNoticeInUse, "another live of this brand uses this notice id")
	case errors.Is(err, ErrNotFound):
		return Live{}, errLiveChanged()
	}
	return out, err
}

// StartLive marks the live started now; the ignition window starts with it. A planned live
// (no notice published) may start too: a brand can go live without a notice.
func (s *Sharing) StartLive(ctx context.Context, a brands.Actor, brandID, id string) (Live, error) {
	return s.transition(ctx, a, brandID, id, "live.start", func(l Live, now time.Time) (LivePatch, error) {
		if l.Status != LivePlanned && l.Status != LiveReservable {
			return LivePatch{}, apperr.New(apperr.Rule, CodeLiveTransition, "only a planned or reservable live can start (it is "+l.Status+")")
		}
		st := LiveLive
		return LivePatch{Status: &st, ActualStartAt: &now}, nil
	})
}

// EndLive marks a started live ended now; reservations are refused from then on.
func (s *Sharing) EndLive(ctx context.Context, a brands.Actor, brandID, id string) (Live, error) {
	return s.transition(ctx, a, brandID, id, "live.end", func(l Live, now time.Time) (LivePatch, error) {
		if l.Status != LiveLive {
			return LivePatch{}, apperr.New(apperr.Rule, CodeLiveTransition, "only a live that has started can end (it is "+l.Status+")")
		}
		st := LiveEnded
		return LivePatch{Status: &st, EndedAt: &now}, nil
	})
}

func (s *Sharing) transition(ctx context.Context, a brands.Actor, brandID, id, action string, next func(Live, time.Time) (LivePatch, error)) (Live, error) {
	var out Live
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		l, err := s.Live(ctx, brandID, id)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		p, err := next(l, now)
		if err != nil {
			return err
		}
		if out, err = s.Store.UpdateLive(ctx, brandID, id, l.Status, p); err != nil {
			return err
		}
		return s.auditLive(ctx, a, brandID, action, id, map[string]any{"status": map[string]any{"from": l.Status, "to": out.Status},
			"at": now.Format(time.RFC3339)})
	})
	if errors.Is(err, ErrNotFound) {
		return Live{}, errLiveChanged()
	}
	return out, err
}

package referral

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/leaderboard"
)

// ReservationInput is POST /mp/v1/reservations.
type ReservationInput struct {
	BrandID, ViewerID string
	Code              string // "" → organic (NO_INVITER)
	NoticeID          string
	State             int
	ClientIP          string
}

// maxTxAttempts bounds the retries after a lost race (a concurrent first report inserted
// the row, or changed it between our read and our guarded write).
const maxTxAttempts = 5

// RecordReservation applies a wx.reserveChannelsLive result. It answers the viewer's
// reservation after the change, or nil when there is none to report on (a state other than
// 6 from a viewer who never reserved).
//
// Rules (DESIGN §3.2): first inviter wins per (live, viewer); self-invites are kept, not
// counted; 7 cancels, a later 6 restores the original inviter's credit; replays change
// nothing; the notice id must be the live's; reservations are accepted while the live is
// reservable or live. The leaderboard is refreshed after the commit.
func (s *Sharing) RecordReservation(ctx context.Context, in ReservationInput) (*Reservation, error) {
	if in.State < minState || in.State > maxState {
		return nil, apperr.InvalidArgument("state must be a wx.reserveChannelsLive state, 1 to 10")
	}
	in.NoticeID = strings.TrimSpace(in.NoticeID)
	if in.NoticeID == "" || len(in.NoticeID) > 128 {
		return nil, apperr.InvalidArgument("notice_id is required")
	}
	// Admission first: a report that will be shed must cost as little as possible.
	release, err := s.admit(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	lim := s.Limits.normalize()
	if err := s.allow(ctx, "resv:v:"+in.BrandID+":"+in.ViewerID, lim.ReservationsPerViewer); err != nil {
		return nil, err
	}
	var (
		link ShareLink
		l    Live
	)
	if in.Code != "" {
		if link, err = s.linkForBrand(ctx, in.BrandID, in.Code); err != nil {
			return nil, err
		}
		if l, err = s.Live(ctx, in.BrandID, link.LiveID); err != nil {
			return nil, err
		}
	} else {
		l, err = s.Store.LiveByNoticeID(ctx, in.BrandID, in.NoticeID)
		if errors.Is(err, ErrNotFound) {
			return nil, apperr.New(apperr.NotFound, CodeLiveNotFound, "no live of this brand has this notice id")
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case l.Over():
		return nil, errLiveEnded()
	case !l.AcceptsReservations():
		return nil, apperr.New(apperr.Rule, CodeLiveNotReservable, "the live takes no reservations yet (no notice published)")
	case l.NoticeID != in.NoticeID:
		return nil, apperr.New(apperr.Rule, CodeNoticeMismatch, "notice_id is not the notice of the live this code belongs to")
	}
	if link.MemberID != "" {
		if err := s.allow(ctx, "resv:i:"+in.BrandID+":"+l.ID+":"+link.MemberID, lim.ReservationsPerInviter); err != nil {
			return nil, err
		}
	}

	var (
		out      *Reservation
		before   Reservation // zero when there was none
		created  bool
		risk     string // decided once: the windows count each viewer once anyway
		riskDone bool
	)
	for attempt := 0; ; attempt++ {
		out, before, created = nil, Reservation{}, false
		err = s.Store.WithTx(ctx, func(ctx context.Context) error {
			now := s.Clock.Now()
			cur, err := s.Store.ReservationByViewer(ctx, in.BrandID, l.ID, in.ViewerID)
			switch {
			case errors.Is(err, ErrNotFound):
				if in.State != StateReserved {
					return nil // nothing reserved, nothing to cancel: state alone is not stored
				}
				r := Reservation{BrandID: in.BrandID, LiveID: l.ID, ViewerID: in.ViewerID, InviterID: link.MemberID,
					Code: link.Code, Channel: link.Channel, Group: link.Group, Status: ReservationReserved, Risk: RiskClear,
					LastState: in.State, ClientIP: in.ClientIP, CreatedAt: now}
				if !riskDone {
					if risk, err = s.risk(ctx, in, l, link, now); err != nil {
						return err
					}
					riskDone = true
				}
				r.Risk = risk
				r = r.settle(now)
				got, err := s.Store.CreateReservation(ctx, r)
				if err != nil {
					return err
				}
				out, created = &got, true
				return s.emitter().Emit(ctx, in.BrandID, events.ReservationCreated, reservationEvent(got))
			case err != nil:
				return err
			}
			before = cur
			next := cur.applyState(in.State, now)
			if next.Status == cur.Status && next.Risk == cur.Risk && next.LastState == cur.LastState {
				out = &cur // a replay
				return nil
			}
			got, err := s.Store.UpdateReservation(ctx, next, cur.Status, cur.Risk)
			if err != nil {
				return err
			}
			out = &got
			switch {
			case got.Status == ReservationCancelled && cur.Status == ReservationReserved:
				return s.emitter().Emit(ctx, in.BrandID, events.ReservationCancelled, reservationEvent(got))
			case got.Status == ReservationReserved && cur.Status == ReservationCancelled:
				return s.emitter().Emit(ctx, in.BrandID, events.ReservationCreated, reservationEvent(got))
			}
			return nil
		})
		if (errors.Is(err, ErrDuplicate) || errors.Is(err, ErrNotFound)) && attempt+1 < maxTxAttempts {
			continue // lost a race: the next pass reads the winner's row
		}
		break
	}
	if err != nil {
		if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrNotFound) {
			return nil, apperr.Wrap(err, apperr.Unavailable, "RESERVATION_BUSY", "the reservation is being changed by another request; try again")
		}
		return nil, err
	}
	if out != nil && out.InviterID != "" && (created && out.Counted || !created && before.Counted != out.Counted) {
		s.refreshBoard(ctx, l, leaderboard.WindowLive, out.Group, out.InviterID)
	}
	return out, nil
}

// risk applies the brand's anti-gaming rules to a new reservation (DESIGN §3.2). WeChat gives
// no device id, so the signals are member age, client IP and bursts: more than N viewers
// behind one IP within a window, or more than N reservations for one inviter within seconds
// from members created minutes ago. A hit only marks the reservation for review (not
// counted); nothing is deleted and an admin can clear it. A Redis failure decides nothing.
func (s *Sharing) risk(ctx context.Context, in ReservationInput, l Live, link ShareLink, now time.Time) (string, error) {
	if s.Windows == nil {
		return RiskClear, nil
	}
	b, err := s.Brands.Brand(ctx, in.BrandID)
	if err != nil {
		return "", err
	}
	rules := b.Rules.Normalize()
	risk := RiskClear
	if in.ClientIP != "" {
		n, err := s.Windows.CountInWindow(ctx, "risk:ip:"+in.BrandID+":"+in.ClientIP, in.ViewerID, now,
			time.Duration(rules.RiskIPWindowMinutes)*time.Minute)
		if err == nil && n > int64(rules.RiskIPViewers) {
			risk = RiskReview
		}
	}
	if link.MemberID != "" && link.MemberID != in.ViewerID {
		viewer, err := s.Store.MemberByID(ctx, in.BrandID, in.ViewerID)
		if err != nil {
			return "", err
		}
		if now.Sub(viewer.CreatedAt) < time.Duration(rules.RiskNewMemberMinutes)*time.Minute {
			n, err := s.Windows.CountInWindow(ctx, "risk:burst:"+in.BrandID+":"+l.ID+":"+link.MemberID, in.ViewerID, now,
				time.Duration(rules.RiskInviterBurstSeconds)*time.Second)
			if err == nil && n > int64(rules.RiskInviterBurstCount) {
				risk = RiskReview
			}
		}
	}
	return risk, nil
}

// reservationEvent is the data of reservation.* webhooks.
func reservationEvent(r Reservation) map[string]any {
	var inviter any
	if r.InviterID != "" {
		inviter = r.InviterID
	}
	return map[string]any{"reservation": map[string]any{"id": r.ID, "live_id": r.LiveID, "viewer_member_id": r.ViewerID,
		"inviter_member_id": inviter, "channel": r.Channel, "status": r.Status, "risk": r.Risk, "counted": r.Counted,
		"reason": r.Reason}}
}

// MyReservations pages the viewer's own reservations (liveID "" = every live).
func (s *Sharing) MyReservations(ctx context.Context, brandID, viewerID, liveID string, p Page) ([]Reservation, string, error) {
	if liveID != "" {
		if _, err := s.Live(ctx, brandID, liveID); err != nil {
			return nil, "", err
		}
	}
	return s.Store.ViewerReservations(ctx, brandID, viewerID, liveID, p)
}

// Invitees pages the reservations the inviter brought to a live. Invitees who opted out of
// public boards show as anonymous here too.
func (s *Sharing) Invitees(ctx context.Context, brandID, liveID, inviterID string, p Page) ([]Invitee, string, error) {
	if _, err := s.Live(ctx, brandID, liveID); err != nil {
		return nil, "", err
	}
	list, next, err := s.Store.Invitees(ctx, brandID, liveID, inviterID, p)
	if err != nil {
		return nil, "", err
	}
	for i := range list {
		if !list[i].Visible {
			list[i].Nickname = leaderboard.Anonymous
		}
	}
	return list, next, nil
}

// Reservations pages a live's reservations for admins (e.g. risk=review).
func (s *Sharing) Reservations(ctx context.Context, brandID, liveID string, f ReservationFilter, p Page) ([]Reservation, string, error) {
	if f.Risk != "" && f.Risk != RiskClear && f.Risk != RiskReview {
		return nil, "", apperr.InvalidArgument("risk must be clear or review")
	}
	if f.Status != "" && f.Status != ReservationReserved && f.Status != ReservationCancelled && f.Status != ReservationVoid {
		return nil, "", apperr.InvalidArgument("status must be reserved, cancelled or void")
	}
	if _, err := s.Live(ctx, brandID, liveID); err != nil {
		return nil, "", err
	}
	return s.Store.ListReservations(ctx, brandID, liveID, f, p)
}

// ClearReservation lifts a risk review: the reservation counts again if nothing else stops
// it. Clearing a clear reservation changes nothing.
func (s *Sharing) ClearReservation(ctx context.Context, a brands.Actor, brandID, id string) (Reservation, error) {
	return s.review(ctx, a, brandID, id, "reservation.clear", func(r Reservation) Reservation {
		r.Risk = RiskClear
		return r
	})
}

// VoidReservation voids a reservation for good (not counted, and a later 6 does not restore
// it). Voiding a void reservation changes nothing.
func (s *Sharing) VoidReservation(ctx context.Context, a brands.Actor, brandID, id string) (Reservation, error) {
	return s.review(ctx, a, brandID, id, "reservation.void", func(r Reservation) Reservation {
		r.Status = ReservationVoid
		return r
	})
}

func (s *Sharing) review(ctx context.Context, a brands.Actor, brandID, id, action string, change func(Reservation) Reservation) (Reservation, error) {
	if id == "" || len(id) > 64 {
		return Reservation{}, apperr.NotFoundf("no such reservation")
	}
	var before, out Reservation
	var err error
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		err = s.Store.WithTx(ctx, func(ctx context.Context) error {
			cur, err := s.Store.ReservationByID(ctx, brandID, id)
			if errors.Is(err, ErrNotFound) {
				return apperr.NotFoundf("no such reservation")
			}
			if err != nil {
				return err
			}
			before = cur
			next := change(cur).settle(s.Clock.Now())
			if next.Status == cur.Status && next.Risk == cur.Risk {
				out = cur
				return nil
			}
			if out, err = s.Store.UpdateReservation(ctx, next, cur.Status, cur.Risk); err != nil {
				return err
			}
			return s.Store.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID, Action: action,
				TargetType: "reservation", TargetID: id, RequestID: a.RequestID, CreatedAt: s.Clock.Now(),
				Detail: map[string]any{"live_id": cur.LiveID, "status": map[string]any{"from": cur.Status, "to": out.Status},
					"risk": map[string]any{"from": cur.Risk, "to": out.Risk}, "counted": out.Counted}})
		})
		if !errors.Is(err, ErrNotFound) {
			break
		}
	}
	if err != nil {
		return Reservation{}, err
	}
	if out.InviterID != "" && before.Counted != out.Counted {
		if l, lerr := s.Live(ctx, brandID, out.LiveID); lerr == nil {
			s.refreshBoard(ctx, l, leaderboard.WindowLive, out.Group, out.InviterID)
		}
	}
	return out, nil
}

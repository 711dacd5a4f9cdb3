package referral

import (
	"context"
	"time"
)

// Reservation statuses, risks and reasons (DESIGN §2).
const (
	ReservationReserved  = "reserved"
	ReservationCancelled = "cancelled"
	ReservationVoid      = "void"

	RiskClear  = "clear"
	RiskReview = "review"

	ReasonSelfInvite = "SELF_INVITE"
	ReasonRiskReview = "RISK_REVIEW"
	ReasonNoInviter  = "NO_INVITER"
	ReasonCancelled  = "CANCELLED"
	ReasonVoided     = "VOIDED"
)

// wx.reserveChannelsLive states that change a reservation (WECHAT.md §3). Every other state
// in 1–10 is only stored as last_state.
const (
	StateReserved  = 6
	StateCancelled = 7
	minState       = 1
	maxState       = 10
)

// Reservation is one viewer's reservation of one live, with the inviter who brought it
// (first inviter wins: inviter, code, channel and group never change).
type Reservation struct {
	ID, BrandID, LiveID, ViewerID string
	InviterID                     string // "" for an organic reservation
	Code, Channel, Group          string
	Status, Risk                  string
	Counted                       bool
	Reason                        string
	LastState                     int
	ClientIP                      string
	// CountedAt is when the reservation last became counted: the board's tie-break is the
	// time of an inviter's k-th counted reservation.
	CountedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// standing is what decides whether and how a reservation counts.
func (r Reservation) standing() (counted bool, reason string) {
	switch {
	case r.Status == ReservationVoid:
		return false, ReasonVoided
	case r.Status == ReservationCancelled:
		return false, ReasonCancelled
	case r.InviterID == "":
		return false, ReasonNoInviter
	case r.InviterID == r.ViewerID:
		return false, ReasonSelfInvite
	case r.Risk == RiskReview:
		return false, ReasonRiskReview
	}
	return true, ""
}

// settle recomputes counted, reason and counted_at after a change of status or risk: a
// reservation that becomes counted is counted from now.
func (r Reservation) settle(now time.Time) Reservation {
	was := r.Counted
	r.Counted, r.Reason = r.standing()
	switch {
	case r.Counted && !was:
		t := now
		r.CountedAt = &t
	case !r.Counted:
		r.CountedAt = nil
	}
	return r
}

// applyState is what a client-reported state does to an existing reservation: 6 restores a
// cancelled one (with its original inviter), 7 cancels a reserved one, every state is kept
// as last_state; a void reservation stays void.
func (r Reservation) applyState(state int, now time.Time) Reservation {
	switch {
	case state == StateReserved && r.Status == ReservationCancelled:
		r.Status = ReservationReserved
	case state == StateCancelled && r.Status == ReservationReserved:
		r.Status = ReservationCancelled
	}
	r.LastState = state
	return r.settle(now)
}

// ReservationFilter narrows the admin list.
type ReservationFilter struct {
	Risk   string // "" = any
	Status string // "" = any
}

// Invitee is one reservation an inviter brought, with the viewer's display.
type Invitee struct {
	Reservation
	Nickname string
	Visible  bool
}

// ReservationStore keeps reservations.
type ReservationStore interface {
	ReservationByViewer(ctx context.Context, brandID, liveID, viewerID string) (Reservation, error)
	ReservationByID(ctx context.Context, brandID, id string) (Reservation, error)
	// CreateReservation inserts; ErrDuplicate when (brand, live, viewer) exists.
	CreateReservation(ctx context.Context, r Reservation) (Reservation, error)
	// UpdateReservation writes r's status, risk, counted, reason, last_state and counted_at
	// only while the row still has fromStatus and fromRisk; ErrNotFound otherwise (a
	// concurrent change won: re-read and decide again).
	UpdateReservation(ctx context.Context, r Reservation, fromStatus, fromRisk string) (Reservation, error)
	// ListReservations pages a live's reservations, newest first.
	ListReservations(ctx context.Context, brandID, liveID string, f ReservationFilter, p Page) ([]Reservation, string, error)
	// ViewerReservations pages a viewer's reservations (liveID "" = every live), newest first.
	ViewerReservations(ctx context.Context, brandID, viewerID, liveID string, p Page) ([]Reservation, string, error)
	// Invitees pages the reservations an inviter brought to a live, newest first.
	Invitees(ctx context.Context, brandID, liveID, inviterID string, p Page) ([]Invitee, string, error)
}

package store

import (
	"context"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/ent/predicate"
	"github.com/sharecast/sharecast/ent/reservation"
	"github.com/sharecast/sharecast/referral"
)

func toReservation(r *ent.Reservation) referral.Reservation {
	out := referral.Reservation{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, ViewerID: r.ViewerID, Code: r.Code,
		Channel: r.Channel, Group: r.GroupLabel, Status: string(r.Status), Risk: string(r.Risk), Counted: r.Counted,
		Reason: r.Reason, LastState: r.LastState, ClientIP: r.ClientIP, CountedAt: r.CountedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.InviterID != nil {
		out.InviterID = *r.InviterID
	}
	return out
}

// ReservationByViewer reads the viewer's reservation of a live.
func (s *Store) ReservationByViewer(ctx context.Context, brandID, liveID, viewerID string) (referral.Reservation, error) {
	row, err := s.ent(ctx).Reservation.Query().Where(reservation.BrandID(brandID), reservation.LiveID(liveID),
		reservation.ViewerID(viewerID)).Only(ctx)
	if err != nil {
		return referral.Reservation{}, memberErr(err)
	}
	return toReservation(row), nil
}

// ReservationByID reads a reservation of a brand.
func (s *Store) ReservationByID(ctx context.Context, brandID, id string) (referral.Reservation, error) {
	row, err := s.ent(ctx).Reservation.Query().Where(reservation.BrandID(brandID), reservation.ID(id)).Only(ctx)
	if err != nil {
		return referral.Reservation{}, memberErr(err)
	}
	return toReservation(row), nil
}

// CreateReservation inserts a reservation; the unique (brand, live, viewer) index settles
// concurrent first reports (ErrDuplicate for the losers).
func (s *Store) CreateReservation(ctx context.Context, r referral.Reservation) (referral.Reservation, error) {
	c := s.ent(ctx).Reservation.Create().SetBrandID(r.BrandID).SetLiveID(r.LiveID).SetViewerID(r.ViewerID).
		SetCode(r.Code).SetChannel(r.Channel).SetGroupLabel(r.Group).SetStatus(reservation.Status(r.Status)).
		SetRisk(reservation.Risk(r.Risk)).SetCounted(r.Counted).SetReason(r.Reason).SetLastState(r.LastState).
		SetClientIP(r.ClientIP).SetNillableCountedAt(utcPtr(r.CountedAt)).SetCreatedAt(dbTime(r.CreatedAt)).
		SetUpdatedAt(dbTime(r.CreatedAt))
	if r.InviterID != "" {
		c.SetInviterID(r.InviterID)
	}
	row, err := c.Save(ctx)
	if err != nil {
		return referral.Reservation{}, memberErr(err)
	}
	return toReservation(row), nil
}

// UpdateReservation writes the mutable state while the row still has fromStatus and fromRisk.
func (s *Store) UpdateReservation(ctx context.Context, r referral.Reservation, fromStatus, fromRisk string) (referral.Reservation, error) {
	u := s.ent(ctx).Reservation.Update().Where(reservation.BrandID(r.BrandID), reservation.ID(r.ID),
		reservation.StatusEQ(reservation.Status(fromStatus)), reservation.RiskEQ(reservation.Risk(fromRisk))).
		SetStatus(reservation.Status(r.Status)).SetRisk(reservation.Risk(r.Risk)).SetCounted(r.Counted).
		SetReason(r.Reason).SetLastState(r.LastState)
	if r.CountedAt != nil {
		u.SetCountedAt(dbTime(*r.CountedAt))
	} else {
		u.ClearCountedAt()
	}
	u.SetUpdatedAt(nowUTC())
	n, err := u.Save(ctx)
	if err != nil {
		return referral.Reservation{}, memberErr(err)
	}
	if n == 0 {
		return referral.Reservation{}, referral.ErrNotFound
	}
	return s.ReservationByID(ctx, r.BrandID, r.ID)
}

// pageReservations runs q newest first (ids are time-ordered) with an id cursor.
func (s *Store) pageReservations(ctx context.Context, where []predicate.Reservation, p referral.Page) ([]*ent.Reservation, string, error) {
	limit := clampLimit(p.Limit)
	if p.Cursor != "" {
		if len(p.Cursor) > 64 {
			return nil, "", badCursor()
		}
		where = append(where, reservation.IDLT(p.Cursor))
	}
	rows, err := s.ent(ctx).Reservation.Query().Where(where...).Order(ent.Desc(reservation.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	return rows, next, nil
}

// ListReservations pages a live's reservations.
func (s *Store) ListReservations(ctx context.Context, brandID, liveID string, f referral.ReservationFilter, p referral.Page) ([]referral.Reservation, string, error) {
	where := []predicate.Reservation{reservation.BrandID(brandID), reservation.LiveID(liveID)}
	if f.Risk != "" {
		where = append(where, reservation.RiskEQ(reservation.Risk(f.Risk)))
	}
	if f.Status != "" {
		where = append(where, reservation.StatusEQ(reservation.Status(f.Status)))
	}
	rows, next, err := s.pageReservations(ctx, where, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]referral.Reservation, len(rows))
	for i, r := range rows {
		out[i] = toReservation(r)
	}
	return out, next, nil
}

// ViewerReservations pages a viewer's own reservations.
func (s *Store) ViewerReservations(ctx context.Context, brandID, viewerID, liveID string, p referral.Page) ([]referral.Reservation, string, error) {
	where := []predicate.Reservation{reservation.BrandID(brandID), reservation.ViewerID(viewerID)}
	if liveID != "" {
		where = append(where, reservation.LiveID(liveID))
	}
	rows, next, err := s.pageReservations(ctx, where, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]referral.Reservation, len(rows))
	for i, r := range rows {
		out[i] = toReservation(r)
	}
	return out, next, nil
}

// Invitees pages the reservations an inviter brought to a live, with the viewers' display.
func (s *Store) Invitees(ctx context.Context, brandID, liveID, inviterID string, p referral.Page) ([]referral.Invitee, string, error) {
	rows, next, err := s.pageReservations(ctx, []predicate.Reservation{reservation.BrandID(brandID),
		reservation.LiveID(liveID), reservation.InviterID(inviterID)}, p)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ViewerID
	}
	members, err := s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.IDIn(ids...)).
		Select(member.FieldID, member.FieldNickname, member.FieldLeaderboardVisible).All(ctx)
	if err != nil {
		return nil, "", err
	}
	byID := make(map[string]*ent.Member, len(members))
	for _, m := range members {
		byID[m.ID] = m
	}
	out := make([]referral.Invitee, len(rows))
	for i, r := range rows {
		out[i] = referral.Invitee{Reservation: toReservation(r)}
		if m := byID[r.ViewerID]; m != nil {
			out[i].Nickname, out[i].Visible = m.Nickname, m.LeaderboardVisible
		}
	}
	return out, next, nil
}

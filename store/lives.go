package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/live"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
)

// NewLive is a live as the demo seeds it.
type NewLive struct {
	BrandID, Title, NoticeID, FinderUserName string
	PlannedStartAt                           time.Time
	ActualStartAt, EndedAt                   *time.Time
	TargetReservations                       int64
	Status                                   string
}

// CreateLive inserts a live and returns its id.
func (s *Store) CreateLive(ctx context.Context, l NewLive) (string, error) {
	out, err := s.InsertLive(ctx, referral.Live{BrandID: l.BrandID, Title: l.Title, NoticeID: l.NoticeID,
		FinderUserName: l.FinderUserName, PlannedStartAt: l.PlannedStartAt, ActualStartAt: l.ActualStartAt,
		EndedAt: l.EndedAt, TargetReservations: l.TargetReservations, Status: l.Status})
	return out.ID, err
}

// CountLives counts a brand's lives.
func (s *Store) CountLives(ctx context.Context, brandID string) (int, error) {
	return s.ent(ctx).Live.Query().Where(live.BrandID(brandID)).Count(ctx)
}

func toLive(l *ent.Live) referral.Live {
	out := referral.Live{ID: l.ID, BrandID: l.BrandID, Title: l.Title, FinderUserName: l.FinderUserName,
		PlannedStartAt: l.PlannedStartAt, ActualStartAt: l.ActualStartAt, EndedAt: l.EndedAt,
		TargetReservations: l.TargetReservations, Status: string(l.Status), CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if l.NoticeID != nil {
		out.NoticeID = *l.NoticeID
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := dbTime(*t)
	return &u
}

// InsertLive inserts a live (status planned unless given).
func (s *Store) InsertLive(ctx context.Context, l referral.Live) (referral.Live, error) {
	c := s.ent(ctx).Live.Create().SetBrandID(l.BrandID).SetTitle(l.Title).SetFinderUserName(l.FinderUserName).
		SetPlannedStartAt(dbTime(l.PlannedStartAt)).SetNillableActualStartAt(utcPtr(l.ActualStartAt)).
		SetNillableEndedAt(utcPtr(l.EndedAt)).SetTargetReservations(l.TargetReservations)
	if l.NoticeID != "" {
		c.SetNoticeID(l.NoticeID)
	}
	if l.Status != "" {
		c.SetStatus(live.Status(l.Status))
	}
	row, err := c.Save(ctx)
	if err != nil {
		return referral.Live{}, memberErr(err)
	}
	return toLive(row), nil
}

// LiveByID reads a live of a brand.
func (s *Store) LiveByID(ctx context.Context, brandID, id string) (referral.Live, error) {
	row, err := s.ent(ctx).Live.Query().Where(live.BrandID(brandID), live.ID(id)).Only(ctx)
	if err != nil {
		return referral.Live{}, memberErr(err)
	}
	return toLive(row), nil
}

// LiveByNoticeID reads a brand's live by its Channels notice id.
func (s *Store) LiveByNoticeID(ctx context.Context, brandID, noticeID string) (referral.Live, error) {
	row, err := s.ent(ctx).Live.Query().Where(live.BrandID(brandID), live.NoticeID(noticeID)).Only(ctx)
	if err != nil {
		return referral.Live{}, memberErr(err)
	}
	return toLive(row), nil
}

// ListLives pages a brand's lives by planned start, then id; the cursor is the last row's
// (planned start, id), opaque to clients.
func (s *Store) ListLives(ctx context.Context, brandID, status string, p referral.Page) ([]referral.Live, string, error) {
	limit := clampLimit(p.Limit)
	q := s.ent(ctx).Live.Query().Where(live.BrandID(brandID))
	if status != "" {
		q = q.Where(live.StatusEQ(live.Status(status)))
	}
	if p.Cursor != "" {
		at, id, err := decodeLiveCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where(live.Or(live.PlannedStartAtGT(at), live.And(live.PlannedStartAt(at), live.IDGT(id))))
	}
	rows, err := q.Order(live.ByPlannedStartAt(), live.ByID()).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(last.PlannedStartAt.UTC().Format(time.RFC3339Nano) + "|" + last.ID))
	}
	out := make([]referral.Live, len(rows))
	for i, r := range rows {
		out[i] = toLive(r)
	}
	return out, next, nil
}

func decodeLiveCursor(c string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if ts, id, ok := strings.Cut(string(raw), "|"); ok {
			if at, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				return at, id, nil
			}
		}
	}
	return time.Time{}, "", badCursor()
}

// UpdateLive applies p while the live still has fromStatus.
func (s *Store) UpdateLive(ctx context.Context, brandID, id, fromStatus string, p referral.LivePatch) (referral.Live, error) {
	u := s.ent(ctx).Live.Update().Where(live.BrandID(brandID), live.ID(id), live.StatusEQ(live.Status(fromStatus)))
	if p.Title != nil {
		u.SetTitle(*p.Title)
	}
	if p.NoticeID != nil {
		if *p.NoticeID == "" {
			u.ClearNoticeID()
		} else {
			u.SetNoticeID(*p.NoticeID)
		}
	}
	if p.FinderUserName != nil {
		u.SetFinderUserName(*p.FinderUserName)
	}
	if p.PlannedStartAt != nil {
		u.SetPlannedStartAt(dbTime(*p.PlannedStartAt))
	}
	if p.TargetReservations != nil {
		u.SetTargetReservations(*p.TargetReservations)
	}
	if p.Status != nil {
		u.SetStatus(live.Status(*p.Status))
	}
	if p.ActualStartAt != nil {
		u.SetActualStartAt(dbTime(*p.ActualStartAt))
	}
	if p.EndedAt != nil {
		u.SetEndedAt(dbTime(*p.EndedAt))
	}
	n, err := u.Save(ctx)
	if err != nil {
		return referral.Live{}, memberErr(err)
	}
	if n == 0 {
		return referral.Live{}, referral.ErrNotFound
	}
	return s.LiveByID(ctx, brandID, id)
}

// LiveInfo answers a live as the boards show it (leaderboard.Lives).
func (s *Store) LiveInfo(ctx context.Context, brandID, liveID string) (leaderboard.LiveInfo, error) {
	l, err := s.LiveByID(ctx, brandID, liveID)
	if err != nil {
		if errors.Is(err, referral.ErrNotFound) {
			return leaderboard.LiveInfo{}, notFound("no such live")
		}
		return leaderboard.LiveInfo{}, err
	}
	b, err := s.BrandByID(ctx, brandID)
	if err != nil {
		return leaderboard.LiveInfo{}, fmt.Errorf("brand of live %s: %w", liveID, err)
	}
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		loc = time.UTC
	}
	start := l.PlannedStartAt
	if l.ActualStartAt != nil {
		start = *l.ActualStartAt
	}
	return leaderboard.LiveInfo{Live: leaderboard.Live{ID: l.ID, BrandID: l.BrandID, CreatedAt: l.CreatedAt,
		ActualStartAt: l.ActualStartAt}, Title: l.Title, Target: l.TargetReservations, StartAt: start,
		BrandName: b.Name, Location: loc}, nil
}

// LiveInfoAnyBrand answers a live of any brand, for operators' commands only (never HTTP).
func (s *Store) LiveInfoAnyBrand(ctx context.Context, liveID string) (leaderboard.LiveInfo, error) {
	row, err := s.ent(ctx).Live.Query().Where(live.ID(liveID)).Only(ctx)
	if err != nil {
		return leaderboard.LiveInfo{}, memberErr(err)
	}
	return s.LiveInfo(ctx, row.BrandID, liveID)
}

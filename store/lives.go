package store

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/ent/live"
)

// NewLive is what the demo and the admin API create; the live use cases arrive with the
// links and reservations work.
type NewLive struct {
	BrandID, Title, NoticeID, FinderUserName string
	PlannedStartAt                           time.Time
	ActualStartAt, EndedAt                   *time.Time
	TargetReservations                       int64
	Status                                   string
}

// CreateLive inserts a live and returns its id.
func (s *Store) CreateLive(ctx context.Context, l NewLive) (string, error) {
	c := s.ent(ctx).Live.Create().SetBrandID(l.BrandID).SetTitle(l.Title).SetFinderUserName(l.FinderUserName).
		SetPlannedStartAt(l.PlannedStartAt).SetNillableActualStartAt(l.ActualStartAt).SetNillableEndedAt(l.EndedAt).
		SetTargetReservations(l.TargetReservations)
	if l.NoticeID != "" {
		c.SetNoticeID(l.NoticeID)
	}
	if l.Status != "" {
		c.SetStatus(live.Status(l.Status))
	}
	row, err := c.Save(ctx)
	if err != nil {
		return "", err
	}
	return row.ID, nil
}

// CountLives counts a brand's lives.
func (s *Store) CountLives(ctx context.Context, brandID string) (int, error) {
	return s.ent(ctx).Live.Query().Where(live.BrandID(brandID)).Count(ctx)
}

package main

import (
	"context"

	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/console"
	"github.com/sharecast/sharecast/store"
)

// consoleLives adapts the lives service to the console's lives page: the same paging as
// GET /admin/v1/lives, with each live's counted reservations from the source of truth.
type consoleLives struct {
	sharing *referral.Sharing
	source  *store.BoardSource
	// live operations: synced notices for the state badge (nil: none shown).
	notices *liveops.Service
}

func (c consoleLives) ListLives(ctx context.Context, brandID string, q console.LiveQuery) (console.LivePage, error) {
	lives, next, err := c.sharing.Lives(ctx, brandID, q.Status, referral.Page{Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return console.LivePage{}, err
	}
	out := console.LivePage{Lives: make([]console.LiveRow, len(lives)), NextCursor: next}
	byNotice := map[string]liveops.Notice{}
	if c.notices != nil && len(lives) > 0 {
		list, err := c.notices.NoticeList(ctx, brandID)
		if err != nil {
			return console.LivePage{}, err
		}
		for _, n := range list {
			byNotice[n.NoticeID] = n
		}
	}
	for i, l := range lives {
		counted, err := c.source.Total(ctx, leaderboard.Live{ID: l.ID, BrandID: l.BrandID, CreatedAt: l.CreatedAt,
			ActualStartAt: l.ActualStartAt}, "")
		if err != nil {
			return console.LivePage{}, err
		}
		out.Lives[i] = console.LiveRow{ID: l.ID, Title: l.Title, Status: l.Status, NoticeID: l.NoticeID,
			PlannedStartAt: l.PlannedStartAt, ActualStartAt: l.ActualStartAt, EndedAt: l.EndedAt,
			TargetReservations: l.TargetReservations, CountedReservations: counted}
		if n, ok := byNotice[l.NoticeID]; ok && l.NoticeID != "" {
			out.Lives[i].NoticeState, out.Lives[i].NoticeChange = n.State, n.Change
		}
	}
	return out, nil
}

// Live reads one live as the dashboard's heading shows it.
func (c consoleLives) Live(ctx context.Context, brandID, id string) (console.LiveRow, error) {
	l, err := c.sharing.Live(ctx, brandID, id)
	if err != nil {
		return console.LiveRow{}, err
	}
	counted, err := c.source.Total(ctx, leaderboard.Live{ID: l.ID, BrandID: l.BrandID, CreatedAt: l.CreatedAt,
		ActualStartAt: l.ActualStartAt}, "")
	if err != nil {
		return console.LiveRow{}, err
	}
	return console.LiveRow{ID: l.ID, Title: l.Title, Status: l.Status, NoticeID: l.NoticeID,
		PlannedStartAt: l.PlannedStartAt, ActualStartAt: l.ActualStartAt, EndedAt: l.EndedAt,
		TargetReservations: l.TargetReservations, CountedReservations: counted}, nil
}

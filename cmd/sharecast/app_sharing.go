package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/demo"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/wechat"
)

// buildSharing wires the links area: lives, links, touches, reservations (referral.Sharing)
// and the boards (leaderboard.Service) on PostgreSQL/SQLite + Redis.
func (a *app) buildSharing(wx *wechat.Client) {
	a.boards = &leaderboard.Service{Board: a.kv.Board(), Source: a.store.BoardSource(), Lives: a.store, Clock: a.clock}
	a.sharing = &referral.Sharing{Store: a.store, Brands: a.brands, WeChat: wx, Boards: a.boards, Limiter: a.kv,
		Windows: a.kv, Clock: a.clock, Events: a.events,
		OnBoardError: func(ctx context.Context, err error) {
			a.log.LogAttrs(ctx, slog.LevelWarn, "leaderboard refresh failed; the board catches up on the next change or a rebuild",
				slog.String("error", err.Error()))
		}}
	a.boards.Links = memberLinks{a.sharing}
	if a.cfg.Mode == config.Embedded {
		// The demo board moves: one more reservation a minute on the demo live.
		river.AddWorker(a.jobs.Workers(), &demo.PulseWorker{Store: a.store, Sharing: a.sharing})
		a.jobs.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return demo.PulseArgs{}, nil }, nil))
	}
}

// memberLinks adapts referral.Sharing to what the leaderboard's member snapshots need.
type memberLinks struct{ s *referral.Sharing }

func (m memberLinks) MemberLink(ctx context.Context, brandID, memberID, liveID, group string) (string, []byte, error) {
	l, qr, err := m.s.MemberLink(ctx, brandID, memberID, liveID, group)
	if err != nil {
		return "", nil, err
	}
	return l.URLLink, qr, nil
}

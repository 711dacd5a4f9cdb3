package main

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/leaderboard/fontfile"
	"github.com/sharecast/sharecast/wechat/wecom"
)

// newOutputs wires the board's group-chat outputs: the font from disk, the WeCom robot
// client (WeCom, or the simulator's /qyapi), a per-robot limiter in Redis, the push jobs and
// the schedule tick. wechatBase is the simulator base ("…/_sim") or "" for the real hosts.
func newOutputs(a *app, wechatBase string, o buildOptions) *leaderboard.Outputs {
	robotBase := ""
	if wechatBase != "" {
		robotBase = wechatBase + "/qyapi"
	}
	out := &leaderboard.Outputs{
		Snapshots: a.snapshots, Store: a.store, Sealer: a.box, Fonts: &fontfile.Loader{Path: a.cfg.FontPath},
		Sender: robotSender{wecom.New(robotBase, nil)}, Limiter: robotLimiter{a.kv}, Queue: jobs.PushQueue{Runner: a.jobs},
		Clock: a.clock, Log: a.log, PageRefresh: o.pageRefresh, RateLimitBackoff: o.pushBackoff,
	}
	if w := a.jobs.Workers(); w != nil {
		river.AddWorker(w, &jobs.LeaderboardPushWorker{Outputs: out})
		river.AddWorker(w, &jobs.PushScheduleTickWorker{Outputs: out})
		a.jobs.AddPeriodic(jobs.PushScheduleTick())
	}
	return out
}

// robotSender adapts the WeCom client to leaderboard.RobotSender.
type robotSender struct{ c *wecom.Client }

func (s robotSender) Send(ctx context.Context, key string, m leaderboard.RobotMessage) error {
	var err error
	if m.Image != nil {
		err = s.c.SendImage(ctx, key, m.Image)
	} else {
		err = s.c.SendMarkdown(ctx, key, m.Markdown)
	}
	var we *wecom.Error
	if errors.As(err, &we) {
		return &leaderboard.RobotError{Code: we.Code, Message: we.Message}
	}
	if errors.Is(err, wecom.ErrTooLarge) {
		return &leaderboard.RobotError{Code: leaderboard.ErrcodeTooLong, Message: err.Error()}
	}
	return err
}

// robotLimiter keeps each robot within WeCom's 20 messages a minute across replicas: 10 a
// minute with a burst of 10 never puts more than 20 into any 60-second window.
type robotLimiter struct{ kv *kv.Store }

func (l robotLimiter) AllowRobot(ctx context.Context, robotID string) (bool, time.Duration, error) {
	return l.kv.Allow(ctx, "wecom-robot:"+robotID, 10, time.Minute)
}

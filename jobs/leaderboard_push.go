package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/leaderboard"
)

// The leaderboard outputs' jobs: one send per push (a board message to one WeCom robot) and
// the periodic tick that turns due push schedules into pushes. The work itself lives in
// leaderboard.Outputs; these are the River shells around it.

// LeaderboardPushArgs sends one push.
type LeaderboardPushArgs struct {
	BrandID string `json:"brand_id"`
	PushID  string `json:"push_id"`
}

func (LeaderboardPushArgs) Kind() string { return "leaderboard_push" }

// PushMaxAttempts bounds retries of transport failures (rate limits snooze instead and do not
// count; the push row caps those itself).
const PushMaxAttempts = 5

func (LeaderboardPushArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: PushMaxAttempts}
}

// PushDeliverer is what the push jobs call (leaderboard.Outputs).
type PushDeliverer interface {
	Deliver(ctx context.Context, brandID, pushID string, final bool) error
	RunDueSchedules(ctx context.Context) (int, error)
}

// LeaderboardPushWorker works LeaderboardPushArgs.
type LeaderboardPushWorker struct {
	river.WorkerDefaults[LeaderboardPushArgs]
	Outputs PushDeliverer
}

// Timeout covers a 2 MB image upload plus rendering, well under the rescue time.
func (w *LeaderboardPushWorker) Timeout(*river.Job[LeaderboardPushArgs]) time.Duration {
	return 45 * time.Second
}

func (w *LeaderboardPushWorker) Work(ctx context.Context, j *river.Job[LeaderboardPushArgs]) error {
	err := w.Outputs.Deliver(ctx, j.Args.BrandID, j.Args.PushID, j.Attempt >= j.MaxAttempts)
	var snooze *leaderboard.SnoozeError
	if errors.As(err, &snooze) {
		return river.JobSnooze(snooze.After)
	}
	return err
}

// PushScheduleTickArgs queues the pushes of due schedules.
type PushScheduleTickArgs struct{}

func (PushScheduleTickArgs) Kind() string { return "leaderboard_push_schedule_tick" }

// PushScheduleTickEvery is the tick's wall-time period (DESIGN: periodic jobs tick every
// ≤ 60 s and decide what is due by the application clock).
const PushScheduleTickEvery = 30 * time.Second

// PushScheduleTickWorker works PushScheduleTickArgs.
type PushScheduleTickWorker struct {
	river.WorkerDefaults[PushScheduleTickArgs]
	Outputs PushDeliverer
}

func (w *PushScheduleTickWorker) Work(ctx context.Context, _ *river.Job[PushScheduleTickArgs]) error {
	_, err := w.Outputs.RunDueSchedules(ctx)
	return err
}

// PushScheduleTick is the periodic job for AddPeriodic.
func PushScheduleTick() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(PushScheduleTickEvery),
		func() (river.JobArgs, *river.InsertOpts) { return PushScheduleTickArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// PushQueue enqueues push sends in the transaction carried by ctx (leaderboard.PushQueue).
type PushQueue struct{ Runner *Runner }

// EnqueuePush inserts the send job of one push.
func (q PushQueue) EnqueuePush(ctx context.Context, brandID, pushID string) error {
	_, err := q.Runner.Insert(ctx, LeaderboardPushArgs{BrandID: brandID, PushID: pushID}, nil)
	return err
}

var _ leaderboard.PushQueue = PushQueue{}

package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ReleaseCommissionsInterval is how often, in wall time, due commissions are looked for. What
// is due is decided by the application clock, so advancing the simulator's clock takes effect
// at the next tick (DESIGN §3.5: every ≤ 60 s).
const ReleaseCommissionsInterval = 30 * time.Second

// ReleaseCommissionsArgs makes commissions whose holding period ended available, and settles
// ended lives whose commissions are all final.
type ReleaseCommissionsArgs struct{}

func (ReleaseCommissionsArgs) Kind() string { return "release_commissions" }

// InsertOpts keep one tick queued or running at a time; a finished tick does not block the next.
func (ReleaseCommissionsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// CommissionTicker is the work (payouts.Book).
type CommissionTicker interface {
	Tick(ctx context.Context) (int, error)
}

type releaseCommissionsWorker struct {
	river.WorkerDefaults[ReleaseCommissionsArgs]
	ticker CommissionTicker
}

// NewReleaseCommissionsWorker is the worker the composition root registers.
func NewReleaseCommissionsWorker(t CommissionTicker) river.Worker[ReleaseCommissionsArgs] {
	return &releaseCommissionsWorker{ticker: t}
}

func (w *releaseCommissionsWorker) Work(ctx context.Context, _ *river.Job[ReleaseCommissionsArgs]) error {
	_, err := w.ticker.Tick(ctx)
	return err
}

// ReleaseCommissionsPeriodic schedules the tick.
func ReleaseCommissionsPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(ReleaseCommissionsInterval),
		func() (river.JobArgs, *river.InsertOpts) { return ReleaseCommissionsArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

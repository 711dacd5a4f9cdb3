package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ReconcileEvery is how often, in wall time, the daily reconciliation runs. Each run checks
// yesterday (Asia/Shanghai, by the application clock) bill by bill; running it again adds no
// alert twice, so an hourly tick makes "daily" robust to restarts and clock jumps.
const ReconcileEvery = time.Hour

// ReconcilePayoutsArgs reconciles yesterday's payouts of every brand with WeChat's bills.
type ReconcilePayoutsArgs struct{}

func (ReconcilePayoutsArgs) Kind() string { return "reconcile_payouts" }

// InsertOpts keep one run queued or running at a time.
func (ReconcilePayoutsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// DailyReconciler is the work (payouts.Reconciler).
type DailyReconciler interface {
	Daily(ctx context.Context) (int, error)
}

type reconcilePayoutsWorker struct {
	river.WorkerDefaults[ReconcilePayoutsArgs]
	r DailyReconciler
}

// NewReconcilePayoutsWorker is the worker the composition root registers.
func NewReconcilePayoutsWorker(r DailyReconciler) river.Worker[ReconcilePayoutsArgs] {
	return &reconcilePayoutsWorker{r: r}
}

// Timeout: a day of bills is queried one by one.
func (w *reconcilePayoutsWorker) Timeout(*river.Job[ReconcilePayoutsArgs]) time.Duration {
	return 10 * time.Minute
}

func (w *reconcilePayoutsWorker) Work(ctx context.Context, _ *river.Job[ReconcilePayoutsArgs]) error {
	_, err := w.r.Daily(ctx)
	return err
}

// ReconcilePayoutsPeriodic schedules the run (interval ≤ 0 → ReconcileEvery).
func ReconcilePayoutsPeriodic(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = ReconcileEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return ReconcilePayoutsArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

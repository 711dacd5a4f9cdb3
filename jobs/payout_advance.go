package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// PayoutAdvanceArgs moves one payout on with WeChat Pay (create the bill, query it, cancel
// it). Unique per payout while waiting or running: a second enqueue is a no-op. A member's
// cancel asked for during a run is still carried out at once: Advance reads the payout again
// before it returns and sends a pending cancel; anything else waits for the periodic sweep.
type PayoutAdvanceArgs struct {
	BrandID  string `json:"brand_id"`
	PayoutID string `json:"payout_id" river:"unique"`
}

func (PayoutAdvanceArgs) Kind() string { return "payout_advance" }

// payoutAdvanceAttempts: with the client's backoff an unknown outcome is queried again for
// hours; after the last attempt the periodic sweep still finds the open payout.
const payoutAdvanceAttempts = 12

func (PayoutAdvanceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: payoutAdvanceAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// PayoutQueue implements payouts.SendQueue on River.
type PayoutQueue struct{ Runner *Runner }

// EnqueuePayoutAdvance inserts the job in the transaction carried by ctx.
func (q PayoutQueue) EnqueuePayoutAdvance(ctx context.Context, brandID, payoutID string, after time.Duration) error {
	var opts *river.InsertOpts
	if after > 0 {
		o := PayoutAdvanceArgs{}.InsertOpts()
		o.ScheduledAt = time.Now().Add(after)
		opts = &o
	}
	_, err := q.Runner.Insert(ctx, PayoutAdvanceArgs{BrandID: brandID, PayoutID: payoutID}, opts)
	return err
}

// PayoutAdvancer is the work (payouts.Payouts).
type PayoutAdvancer interface {
	Advance(ctx context.Context, brandID, payoutID string) error
	Sweep(ctx context.Context, limit int) (int, error)
}

// NewPayoutAdvanceWorker works PayoutAdvanceArgs.
func NewPayoutAdvanceWorker(p PayoutAdvancer, timeout time.Duration) river.Worker[PayoutAdvanceArgs] {
	return &payoutAdvanceWorker{p: p, timeout: timeout}
}

type payoutAdvanceWorker struct {
	river.WorkerDefaults[PayoutAdvanceArgs]
	p       PayoutAdvancer
	timeout time.Duration
}

func (w *payoutAdvanceWorker) Timeout(*river.Job[PayoutAdvanceArgs]) time.Duration {
	if w.timeout > 0 {
		return w.timeout
	}
	return 30 * time.Second
}

func (w *payoutAdvanceWorker) Work(ctx context.Context, j *river.Job[PayoutAdvanceArgs]) error {
	return w.p.Advance(ctx, j.Args.BrandID, j.Args.PayoutID)
}

// PayoutSweepArgs enqueues Advance for open payouts (the periodic query of open bills).
type PayoutSweepArgs struct{}

func (PayoutSweepArgs) Kind() string { return "payout_sweep" }

// InsertOpts keep one sweep queued or running at a time.
func (PayoutSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// NewPayoutSweepWorker works PayoutSweepArgs.
func NewPayoutSweepWorker(p PayoutAdvancer) river.Worker[PayoutSweepArgs] {
	return &payoutSweepWorker{p: p}
}

type payoutSweepWorker struct {
	river.WorkerDefaults[PayoutSweepArgs]
	p PayoutAdvancer
}

func (w *payoutSweepWorker) Work(ctx context.Context, _ *river.Job[PayoutSweepArgs]) error {
	_, err := w.p.Sweep(ctx, 500)
	return err
}

// PayoutSweepPeriodic schedules the sweep every interval of wall time (≤ 0 → 30 s).
func PayoutSweepPeriodic(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return PayoutSweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sharecast/sharecast/liveops"
)

// The live-operations jobs: the notice sync (a tick that queues one sync per brand, unique
// per brand within a period) and the shortfall round (a tick that checks due lives; one job
// per round action, unique per action). The work lives in liveops.Service.

// LiveOpsTickEvery is the ticks' wall-time period: periodic jobs tick every ≤ 60 s and decide
// what is due by the application clock.
const LiveOpsTickEvery = 30 * time.Second

// NoticeSyncTickArgs queues the notice sync of every brand with a Channels shop.
type NoticeSyncTickArgs struct{}

func (NoticeSyncTickArgs) Kind() string { return "liveops_notice_sync_tick" }

// NoticeSyncArgs syncs one brand's notices. Unique per brand while one is waiting or running
// (ticks never pile syncs up; a finished sync does not block the next tick's).
type NoticeSyncArgs struct {
	BrandID string `json:"brand_id" river:"unique"`
}

func (NoticeSyncArgs) Kind() string { return "liveops_notice_sync" }

func (NoticeSyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled}}}
}

// OutreachTickArgs checks every live whose shortfall round is due.
type OutreachTickArgs struct{}

func (OutreachTickArgs) Kind() string { return "liveops_outreach_tick" }

// OutreachActionArgs works one action of a shortfall round. Unique per action.
type OutreachActionArgs struct {
	BrandID  string `json:"brand_id"`
	ActionID string `json:"action_id" river:"unique"`
}

func (OutreachActionArgs) Kind() string { return "liveops_outreach_action" }

func (OutreachActionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// LiveOpsQueue implements liveops.Queue on River.
type LiveOpsQueue struct{ Runner *Runner }

// EnqueueNoticeSync inserts a brand's notice sync.
func (q LiveOpsQueue) EnqueueNoticeSync(ctx context.Context, brandID string) error {
	_, err := q.Runner.Insert(ctx, NoticeSyncArgs{BrandID: brandID}, nil)
	return err
}

// EnqueueOutreachAction inserts an action's job in the transaction carried by ctx.
func (q LiveOpsQueue) EnqueueOutreachAction(ctx context.Context, brandID, actionID string) error {
	_, err := q.Runner.Insert(ctx, OutreachActionArgs{BrandID: brandID, ActionID: actionID}, nil)
	return err
}

var _ liveops.Queue = LiveOpsQueue{}

// AddLiveOpsWorkers registers the live-operations workers and ticks (every 0 → LiveOpsTickEvery).
func AddLiveOpsWorkers(r *Runner, svc *liveops.Service, every time.Duration) {
	w := r.Workers()
	if w == nil {
		return
	}
	if every <= 0 {
		every = LiveOpsTickEvery
	}
	river.AddWorker(w, &noticeSyncTickWorker{svc: svc})
	river.AddWorker(w, &noticeSyncWorker{svc: svc})
	river.AddWorker(w, &outreachTickWorker{svc: svc})
	river.AddWorker(w, &outreachActionWorker{svc: svc})
	r.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return NoticeSyncTickArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	r.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return OutreachTickArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
}

type noticeSyncTickWorker struct {
	river.WorkerDefaults[NoticeSyncTickArgs]
	svc *liveops.Service
}

func (w *noticeSyncTickWorker) Work(ctx context.Context, _ *river.Job[NoticeSyncTickArgs]) error {
	_, err := w.svc.QueueNoticeSyncs(ctx)
	return err
}

type noticeSyncWorker struct {
	river.WorkerDefaults[NoticeSyncArgs]
	svc *liveops.Service
}

func (w *noticeSyncWorker) Work(ctx context.Context, j *river.Job[NoticeSyncArgs]) error {
	_, err := w.svc.SyncNotices(ctx, j.Args.BrandID)
	return err
}

type outreachTickWorker struct {
	river.WorkerDefaults[OutreachTickArgs]
	svc *liveops.Service
}

func (w *outreachTickWorker) Work(ctx context.Context, _ *river.Job[OutreachTickArgs]) error {
	_, err := w.svc.QueueDueRounds(ctx)
	return err
}

type outreachActionWorker struct {
	river.WorkerDefaults[OutreachActionArgs]
	svc *liveops.Service
}

// Timeout covers a round's fan-out to a few thousand members.
func (w *outreachActionWorker) Timeout(*river.Job[OutreachActionArgs]) time.Duration {
	return 5 * time.Minute
}

func (w *outreachActionWorker) Work(ctx context.Context, j *river.Job[OutreachActionArgs]) error {
	return w.svc.RunAction(ctx, j.Args.BrandID, j.Args.ActionID)
}

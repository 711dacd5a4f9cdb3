package demo

import (
	"context"
	"sync/atomic"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
)

// PulseArgs is the periodic job that keeps the demo board moving (embedded default only).
type PulseArgs struct{}

// Kind names the job.
func (PulseArgs) Kind() string { return "demo_pulse" }

// InsertOpts: one pulse at a time is enough; a missed tick is not worth a retry.
func (PulseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PulseWorker runs Pulse.
type PulseWorker struct {
	river.WorkerDefaults[PulseArgs]
	Store   *store.Store
	Sharing *referral.Sharing
	n       atomic.Int64
}

// Work adds one demo reservation; the counter restarts with the process, and Pulse skips
// viewers that already reserved, so a restart only replays no-ops up to where it was.
func (w *PulseWorker) Work(ctx context.Context, _ *river.Job[PulseArgs]) error {
	return Pulse(ctx, w.Store, w.Sharing, int(w.n.Add(1)-1))
}

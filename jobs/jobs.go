// Package jobs wires River onto the service's database: riverdatabasesql over the same *sql.DB
// on PostgreSQL, riversqlite on the embedded SQLite. Insert joins the business transaction
// carried in the context (store.WithTx), so a job exists exactly when its transaction commits.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/store"
)

// Options tune River. Zero values are production defaults; tests shorten them.
type Options struct {
	MaxWorkers        int           // per replica; 0 → 8
	FetchPollInterval time.Duration // 0 → 1 s
	RescueStuckAfter  time.Duration // 0 → 15 min (River's default is an hour)
	// RetryBase scales the retry backoff: attempt⁴ × RetryBase; 0 → 1 s (River's default).
	RetryBase time.Duration
	// NoWork builds an insert-only client (CLI commands that enqueue but do not work).
	NoWork bool
}

// Runner owns the River client.
type Runner struct {
	client  *river.Client[*sql.Tx]
	workers *river.Workers // nil for an insert-only client
}

// Deps are what the workers need.
type Deps struct {
	Store  *store.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Retention of touches and client IPs (zero: keep forever).
	Retention Retention
}

type backoff struct{ base time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	n := time.Duration(job.Attempt)
	return time.Now().Add(n * n * n * n * b.base)
}

// New builds the client and registers every worker and periodic job.
func New(d Deps, o Options) (*Runner, error) {
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = 8
	}
	if o.FetchPollInterval <= 0 {
		o.FetchPollInterval = time.Second
	}
	if o.RescueStuckAfter <= 0 {
		o.RescueStuckAfter = 15 * time.Minute
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	var drv riverdriver.Driver[*sql.Tx]
	if d.Store.IsPostgres() {
		drv = riverdatabasesql.New(d.Store.DB())
	} else {
		drv = riversqlite.New(d.Store.DB())
	}
	cfg := &river.Config{
		Logger:               d.Logger,
		FetchPollInterval:    o.FetchPollInterval,
		FetchCooldown:        min(o.FetchPollInterval, 100*time.Millisecond),
		RescueStuckJobsAfter: o.RescueStuckAfter,
		// A job may run at most until it would be rescued; River requires JobTimeout ≤ rescue.
		JobTimeout:  min(o.RescueStuckAfter, time.Minute),
		RetryPolicy: backoff{base: o.RetryBase},
	}
	var workers *river.Workers
	if !o.NoWork {
		workers = river.NewWorkers()
		river.AddWorker(workers, &purgeTokensWorker{store: d.Store, clock: d.Clock})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.MaxWorkers}}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeTokensArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		}
		if d.Retention != (Retention{}) {
			river.AddWorker(workers, &retentionWorker{store: d.Store, clock: d.Clock, policy: d.Retention, log: d.Logger})
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(RetentionEvery),
				func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
		}
	}
	c, err := river.NewClient(drv, cfg)
	if err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	return &Runner{client: c, workers: workers}, nil
}

// Workers is the bundle the composition root adds each area's workers to, after New and
// before Start: services need the Runner to enqueue, and workers need the services, so the
// bundle is filled once both exist. It is nil for an insert-only client (NoWork).
func (r *Runner) Workers() *river.Workers { return r.workers }

// AddPeriodic schedules a periodic job on this replica (River elects one leader to insert
// it). A no-op on an insert-only client.
func (r *Runner) AddPeriodic(j *river.PeriodicJob) {
	if r.workers == nil {
		return
	}
	r.client.PeriodicJobs().Add(j)
}

// Start starts working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (bounded by ctx).
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }

// Client exposes River for tests (subscriptions).
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// Insert enqueues args inside the transaction carried by ctx, or on its own when there is none.
func (r *Runner) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if tx, ok := store.Tx(ctx); ok {
		return r.client.InsertTx(ctx, tx, args, opts)
	}
	return r.client.Insert(ctx, args, opts)
}

package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// A job inserted inside a rolled-back transaction never exists; one inside a committed
// transaction exists and is worked.
func TestInsertJoinsTheBusinessTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r, err := jobs.New(jobs.Deps{Store: s, Clock: clock.System{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
			jobs.Options{FetchPollInterval: 50 * time.Millisecond, RescueStuckAfter: 5 * time.Second, RetryBase: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err = s.WithTx(ctx, func(ctx context.Context) error {
			if _, err := r.Insert(ctx, jobs.PurgeTokensArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{}}); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back insert left %d jobs", n)
		}

		events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
		defer cancel()
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, c := context.WithTimeout(ctx, 10*time.Second)
			defer c()
			_ = r.Stop(sctx)
		}()
		// The periodic purge runs on start; wait for a completion with a deadline.
		select {
		case ev := <-events:
			if ev.Job.Kind != "purge_expired_tokens" {
				t.Fatalf("unexpected job %s", ev.Job.Kind)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no job completed within 20s")
		}
	})
}

type echoArgs struct{ N int }

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	seen chan int
}

func (w *echoWorker) Work(_ context.Context, j *river.Job[echoArgs]) error {
	w.seen <- j.Args.N
	return nil
}

// Workers added after New (as the composition root does once the services exist) are run.
func TestWorkersAddedAfterNew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r, err := jobs.New(jobs.Deps{Store: s, Clock: clock.System{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
			jobs.Options{FetchPollInterval: 50 * time.Millisecond, RescueStuckAfter: 5 * time.Second, RetryBase: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		w := &echoWorker{seen: make(chan int, 1)}
		river.AddWorker(r.Workers(), w)
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, c := context.WithTimeout(ctx, 10*time.Second)
			defer c()
			_ = r.Stop(sctx)
		}()
		if _, err := r.Insert(ctx, echoArgs{N: 7}, nil); err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-w.seen:
			if n != 7 {
				t.Fatalf("worked %d, want 7", n)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the late-registered worker never ran")
		}
	})
}

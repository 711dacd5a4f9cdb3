package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

type fakeTicker struct {
	calls int
	err   error
}

func (f *fakeTicker) Tick(context.Context) (int, error) { f.calls++; return 0, f.err }

// DESIGN §3.5: the periodic jobs tick every ≤ 60 s of wall time and decide by the app clock.
func TestReleaseCommissionsTicksOftenEnough(t *testing.T) {
	if ReleaseCommissionsInterval <= 0 || ReleaseCommissionsInterval > time.Minute {
		t.Fatalf("interval %v", ReleaseCommissionsInterval)
	}
	if ReleaseCommissionsPeriodic() == nil {
		t.Fatal("no periodic job")
	}
	f := &fakeTicker{}
	w := NewReleaseCommissionsWorker(f)
	if err := w.Work(context.Background(), &river.Job[ReleaseCommissionsArgs]{}); err != nil || f.calls != 1 {
		t.Fatalf("work: %v, %d calls", err, f.calls)
	}
	f.err = errors.New("database down")
	if err := w.Work(context.Background(), &river.Job[ReleaseCommissionsArgs]{}); err == nil {
		t.Fatal("a failed tick must fail the job so River retries it")
	}
	if opts := (ReleaseCommissionsArgs{}).InsertOpts(); len(opts.UniqueOpts.ByState) == 0 {
		t.Fatal("ticks must not pile up")
	}
}

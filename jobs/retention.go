package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/store"
)

// Retention is how long personal data is kept (config SHARECAST_TOUCH_RETENTION_DAYS and
// SHARECAST_IP_RETENTION_DAYS; README "Retention"). A zero duration keeps that data forever.
type Retention struct {
	Touches time.Duration // touches older than this are deleted
	IPs     time.Duration // client IPs of touches and reservations older than this are blanked
}

// RetentionArgs applies the retention once, brand by brand.
type RetentionArgs struct{}

func (RetentionArgs) Kind() string { return "retention" }

func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// RetentionEvery is the job's wall-time period; the cut-offs follow the service clock.
const RetentionEvery = time.Hour

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	store  *store.Store
	clock  clock.Clock
	policy Retention
	log    *slog.Logger
}

func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	_, _, err := ApplyRetention(ctx, w.store, w.clock.Now(), w.policy, w.log)
	return err
}

// ApplyRetention deletes old touches and blanks old client IPs for every brand and answers
// how many touches and addresses it removed. Each brand's rows go in one statement per table
// (store methods are per brand); running it again removes nothing more.
func ApplyRetention(ctx context.Context, st *store.Store, now time.Time, p Retention, log *slog.Logger) (touches, ips int64, err error) {
	list, err := st.ListBrands(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, b := range list {
		if p.Touches > 0 {
			n, err := st.PurgeTouchesBefore(ctx, b.ID, now.Add(-p.Touches))
			if err != nil {
				return touches, ips, fmt.Errorf("retention of brand %s touches: %w", b.ID, err)
			}
			touches += n
		}
		if p.IPs > 0 {
			n, err := st.ForgetClientIPsBefore(ctx, b.ID, now.Add(-p.IPs))
			if err != nil {
				return touches, ips, fmt.Errorf("retention of brand %s addresses: %w", b.ID, err)
			}
			ips += n
		}
	}
	if log != nil && touches+ips > 0 {
		log.Info("retention applied", slog.Int64("touches_deleted", touches), slog.Int64("ips_blanked", ips))
	}
	return touches, ips, nil
}

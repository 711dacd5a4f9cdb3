package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// The retention job is scheduled by jobs.New when a policy is set and runs at start: the
// touch older than the touch retention is gone, the address of the one older than the IP
// retention is blank, the recent one is untouched.
func TestRetentionJobRunsAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b, err := s.CreateBrand(ctx, brands.Brand{Slug: "ret", Name: "Ret", OutBillPrefix: "RET", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for _, age := range []time.Duration{500, 100, 1} {
			if err := s.CreateTouch(ctx, referral.Touch{BrandID: b.ID, LiveID: "l", LinkID: "k", InviterID: "i", VisitorID: "v",
				Channel: "group", ClientIP: "198.51.100.9", CreatedAt: now.Add(-age * 24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := jobs.New(jobs.Deps{Store: s, Clock: clock.System{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Retention: jobs.Retention{Touches: 400 * 24 * time.Hour, IPs: 30 * 24 * time.Hour}},
			jobs.Options{FetchPollInterval: 50 * time.Millisecond, RescueStuckAfter: 5 * time.Second, RetryBase: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := r.Start(rctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
			defer c()
			_ = r.Stop(sctx)
		})
		var total, withIP int
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN client_ip <> '' THEN 1 ELSE 0 END), 0)
				FROM touches WHERE brand_id = $1`, b.ID).Scan(&total, &withIP); err != nil {
				t.Fatal(err)
			}
			if total == 2 && withIP == 1 {
				return
			}
		}
		t.Fatalf("after the retention job: %d touches, %d with an address; want 2 and 1", total, withIP)
	})
}

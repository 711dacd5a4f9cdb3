package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

func TestLeaderboardOutputsStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b1, err := s.CreateBrand(ctx, brands.Brand{Slug: "one", Name: "One", OutBillPrefix: "ONE", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		b2, err := s.CreateBrand(ctx, brands.Brand{Slug: "two", Name: "Two", OutBillPrefix: "TWO", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		q := leaderboard.BoardQuery{Window: "live", Privacy: "nickname", TopN: 10}

		// A push that reached an end never changes again.
		now := time.Now()
		p, err := s.CreatePush(ctx, leaderboard.Push{BrandID: b1.ID, LiveID: "l", RobotID: "r", Kind: "markdown", Query: q,
			Status: leaderboard.PushQueued, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		sent, failed := leaderboard.PushSent, leaderboard.PushFailed
		if err := s.UpdatePush(ctx, b1.ID, p.ID, leaderboard.PushPatch{Status: &sent}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdatePush(ctx, b1.ID, p.ID, leaderboard.PushPatch{Status: &failed}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Push(ctx, b1.ID, p.ID); got.Status != leaderboard.PushSent {
			t.Fatalf("a sent push became %s", got.Status)
		}
		if _, err := s.Push(ctx, b2.ID, p.ID); !errors.Is(err, leaderboard.ErrOutputNotFound) {
			t.Fatalf("another brand reads the push: %v", err)
		}

		// Share tokens are global and unique; revocation is brand-scoped.
		hash := []byte("0123456789abcdef0123456789abcdef")
		if _, err := s.CreateShare(ctx, leaderboard.Share{BrandID: b1.ID, LiveID: "l", TokenHash: hash, Query: q, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateShare(ctx, leaderboard.Share{BrandID: b2.ID, LiveID: "l", TokenHash: hash, Query: q, CreatedAt: now}); err == nil {
			t.Fatal("two shares with one token hash")
		}
		if _, err := s.RevokeShare(ctx, b2.ID, hash, now); !errors.Is(err, leaderboard.ErrOutputNotFound) {
			t.Fatalf("another brand revokes: %v", err)
		}

		// N replicas claim one slot: exactly one wins.
		sc, err := s.CreateSchedule(ctx, leaderboard.Schedule{BrandID: b1.ID, LiveID: "l", RobotIDs: []string{"r"}, Format: "both",
			Query: q, Phases: []leaderboard.Phase{{FromMinutes: 0, ToMinutes: 10, EveryMinutes: 5}}, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		slot := now.Truncate(time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Go(func() {
				ok, err := s.ClaimScheduleSlot(ctx, b1.ID, sc.ID, slot)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d claimers won one slot", wins)
		}
		if ok, _ := s.ClaimScheduleSlot(ctx, b1.ID, sc.ID, slot.Add(-time.Minute)); ok {
			t.Fatal("an older slot was claimed after a newer one")
		}
		if ok, _ := s.ClaimScheduleSlot(ctx, b2.ID, sc.ID, slot.Add(time.Minute)); ok {
			t.Fatal("another brand claimed the slot")
		}
		list, err := s.EnabledSchedules(ctx, "", 10)
		if err != nil || len(list) != 1 || list[0].LastSlotAt == nil || !list[0].LastSlotAt.Equal(slot) {
			t.Fatalf("enabled schedules: %+v %v", list, err)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

func TestLiveOpsStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b1, err := s.CreateBrand(ctx, brands.Brand{Slug: "lo1", Name: "One", OutBillPrefix: "LO1", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		b2, err := s.CreateBrand(ctx, brands.Brand{Slug: "lo2", Name: "Two", OutBillPrefix: "LO2", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		start := now.Add(20 * time.Minute)
		liveID, err := s.CreateLive(ctx, store.NewLive{BrandID: b1.ID, Title: "L", NoticeID: "n1", PlannedStartAt: start,
			TargetReservations: 10, Status: referral.LiveReservable})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateLive(ctx, store.NewLive{BrandID: b1.ID, Title: "later", NoticeID: "n2", PlannedStartAt: now.Add(5 * time.Hour),
			Status: referral.LiveReservable}); err != nil {
			t.Fatal(err)
		}

		// Notices: insert, update, tenant scope.
		n, err := s.PutNotice(ctx, liveops.Notice{BrandID: b1.ID, NoticeID: "n1", Status: 0, StartAt: start, State: liveops.NoticeAvailable,
			LiveID: liveID, FirstSeenAt: now, SyncedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		n.State, n.Status, n.Change, n.ChangedAt = liveops.NoticeRevoked, 1, liveops.ChangeRevoked, &now
		if _, err := s.PutNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
		got, err := s.NoticeByNoticeID(ctx, b1.ID, "n1")
		if err != nil || got.State != liveops.NoticeRevoked || got.ChangedAt == nil || !got.ChangedAt.Equal(now) || got.LiveID != liveID {
			t.Fatalf("notice after update: %+v %v", got, err)
		}
		if _, err := s.NoticeByNoticeID(ctx, b2.ID, "n1"); !errors.Is(err, liveops.ErrNotFound) {
			t.Fatalf("another brand reads the notice: %v", err)
		}
		if _, err := s.PutNotice(ctx, liveops.Notice{BrandID: b1.ID, NoticeID: "n1", StartAt: start, State: "available",
			FirstSeenAt: now, SyncedAt: now}); !errors.Is(err, liveops.ErrDuplicate) {
			t.Fatalf("a second row for one notice: %v", err)
		}

		// Recipients: reservers, openers without a reservation, top inviters, group owners.
		member := func(i int) string {
			m, err := s.CreateMember(ctx, referral.Member{BrandID: b1.ID, OpenID: fmt.Sprintf("o%d", i), Nickname: fmt.Sprint(i),
				Status: "active", LeaderboardVisible: true})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		inviterA, inviterB := member(1), member(2)
		linkA := storetest.SeedShareLink(t, s, b1.ID, liveID, inviterA, "codeA")
		storetest.SeedShareLink(t, s, b1.ID, liveID, inviterB, "codeB")
		var viewers []string
		for i := 0; i < 5; i++ {
			viewers = append(viewers, member(10+i))
		}
		reserve := func(viewer, inviter, status string, counted bool, at time.Time) {
			r := referral.Reservation{BrandID: b1.ID, LiveID: liveID, ViewerID: viewer, InviterID: inviter, Status: status,
				Risk: "clear", Counted: counted, CreatedAt: at, UpdatedAt: at}
			if counted {
				r.CountedAt = &at
			}
			if _, err := s.CreateReservation(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		reserve(viewers[0], inviterA, "reserved", true, now)
		reserve(viewers[1], inviterB, "reserved", true, now.Add(-time.Minute))
		reserve(viewers[2], inviterA, "reserved", true, now.Add(time.Second))
		reserve(viewers[3], inviterB, "cancelled", false, now)
		opener := member(20)
		storetest.SeedTouch(t, s, b1.ID, liveID, linkA, inviterA, opener, now)
		storetest.SeedTouch(t, s, b1.ID, liveID, linkA, inviterA, opener, now.Add(time.Second))
		storetest.SeedTouch(t, s, b1.ID, liveID, linkA, inviterA, viewers[0], now) // reserved: not an opener
		storetest.SeedTouch(t, s, b1.ID, liveID, linkA, inviterA, viewers[3], now) // cancelled: not an opener

		reserved, counted, err := s.ReservationCounts(ctx, b1.ID, liveID)
		if err != nil || reserved != 3 || counted != 3 {
			t.Fatalf("counts %d %d %v, want 3 3", reserved, counted, err)
		}
		if r, c, _ := s.ReservationCounts(ctx, b2.ID, liveID); r != 0 || c != 0 {
			t.Fatalf("another brand counts %d %d", r, c)
		}
		rs, err := s.Reservers(ctx, b1.ID, liveID)
		if err != nil || len(rs) != 3 || rs[0].Nickname == "" {
			t.Fatalf("reservers %v %v", rs, err)
		}
		op, err := s.Openers(ctx, b1.ID, liveID)
		if err != nil || len(op) != 1 || op[0].MemberID != opener || op[0].Nickname != "20" {
			t.Fatalf("openers %v %v, want [%s]", op, err, opener)
		}
		top, err := s.TopInviters(ctx, b1.ID, liveID, 10)
		if err != nil || len(top) != 2 || top[0].MemberID != inviterA || top[0].Code != "codeA" || top[0].Nickname != "1" || top[1].MemberID != inviterB {
			t.Fatalf("top inviters %+v %v", top, err)
		}
		if top1, _ := s.TopInviters(ctx, b1.ID, liveID, 1); len(top1) != 1 {
			t.Fatalf("limit 1 answered %d", len(top1))
		}
		owners, err := s.GroupOwners(ctx, b1.ID, liveID)
		if err != nil || len(owners) != 2 || owners[0].Code == "" || owners[0].Nickname == "" {
			t.Fatalf("group owners %+v %v", owners, err)
		}

		// Due lives: only those starting in the window.
		due, err := s.LivesStartingBetween(ctx, now, now.Add(time.Hour))
		if err != nil || len(due) != 1 || due[0].ID != liveID {
			t.Fatalf("due lives %+v %v", due, err)
		}

		// A round is unique per (brand, live, round), and a duplicate keeps the transaction usable.
		var first liveops.Round
		err = s.WithTx(ctx, func(ctx context.Context) error {
			r, ins, err := s.InsertRound(ctx, liveops.Round{BrandID: b1.ID, LiveID: liveID, Round: liveops.RoundShortfall, LeadMinutes: 30,
				Counted: 3, Target: 10, Outcome: liveops.OutcomeShortfall, CreatedAt: now})
			if err != nil || !ins {
				return fmt.Errorf("first insert %v %v", ins, err)
			}
			first = r
			r2, ins, err := s.InsertRound(ctx, liveops.Round{BrandID: b1.ID, LiveID: liveID, Round: liveops.RoundShortfall, LeadMinutes: 30,
				Counted: 9, Target: 10, Outcome: liveops.OutcomeShortfall, CreatedAt: now})
			if err != nil || ins || r2.ID != r.ID || r2.Counted != 3 {
				return fmt.Errorf("second insert %+v %v %v", r2, ins, err)
			}
			_, err = s.InsertAction(ctx, liveops.Action{BrandID: b1.ID, RoundID: r.ID, LiveID: liveID, Kind: liveops.ActionWeComPush,
				Status: liveops.ActionPending, CreatedAt: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		acts, err := s.Actions(ctx, b1.ID, first.ID)
		if err != nil || len(acts) != 1 {
			t.Fatalf("actions %+v %v", acts, err)
		}
		ch := liveops.ActionChange{Status: liveops.ActionDone, Recipients: 2, Queued: 2, Note: "x", At: now}
		if ok, err := s.FinishAction(ctx, b2.ID, acts[0].ID, ch); err != nil || ok {
			t.Fatalf("another brand finished the action: %v %v", ok, err)
		}
		if ok, err := s.FinishAction(ctx, b1.ID, acts[0].ID, ch); err != nil || !ok {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, err := s.FinishAction(ctx, b1.ID, acts[0].ID, ch); err != nil || ok {
			t.Fatalf("finished twice: %v %v", ok, err)
		}
		a, err := s.ActionByID(ctx, b1.ID, acts[0].ID)
		if err != nil || a.Status != liveops.ActionDone || a.Queued != 2 || a.DoneAt == nil {
			t.Fatalf("action %+v %v", a, err)
		}
		if _, err := s.RoundByID(ctx, b2.ID, first.ID); !errors.Is(err, liveops.ErrNotFound) {
			t.Fatalf("another brand reads the round: %v", err)
		}

		// Risk snapshots.
		if _, err := s.InsertRiskSnapshot(ctx, liveops.RiskSnapshot{BrandID: b1.ID, LiveID: liveID, Risks: []string{liveops.RiskNoticeRemoved},
			Reserved: 3, Counted: 3, NoticeID: "n1", PlannedStartAt: start, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		snaps, err := s.RiskSnapshots(ctx, b1.ID, liveID)
		if err != nil || len(snaps) != 1 || snaps[0].Risks[0] != liveops.RiskNoticeRemoved || snaps[0].Counted != 3 {
			t.Fatalf("snapshots %+v %v", snaps, err)
		}
		if other, _ := s.RiskSnapshots(ctx, b2.ID, liveID); len(other) != 0 {
			t.Fatalf("another brand reads %d snapshots", len(other))
		}
	})
}

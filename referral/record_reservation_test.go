package referral_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// world is a brand with a reservable live on a real store and Redis.
type world struct {
	st      *store.Store
	r       *kv.Store
	sharing *referral.Sharing
	boards  *leaderboard.Service
	clk     *clock.Fixed
	brandID string
	live    referral.Live
}

func newWorld(t testing.TB, st *store.Store, r *kv.Store) *world {
	t.Helper()
	ctx := context.Background()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(time.Now())
	bs := &brands.Service{Store: st, Sealer: box, Clock: clk}
	b, err := bs.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "world", Name: "World"})
	if err != nil {
		t.Fatal(err)
	}
	boards := &leaderboard.Service{Board: r.Board(), Source: st.BoardSource(), Lives: st, Clock: clk}
	// A long admission wait: these tests race writers on purpose and must not be shed.
	sh := &referral.Sharing{Store: st, Brands: bs, Boards: boards, Windows: r, Clock: clk, Limits: referral.Limits{AdmitWait: time.Minute}}
	title, notice, start := "live", "notice-w", clk.Now().Add(time.Hour)
	l, err := sh.CreateLive(ctx, brands.CLIActor, b.ID, referral.LiveChange{Title: &title, NoticeID: &notice, PlannedStartAt: &start})
	if err != nil {
		t.Fatal(err)
	}
	return &world{st: st, r: r, sharing: sh, boards: boards, clk: clk, brandID: b.ID, live: l}
}

func (w *world) member(t testing.TB) string {
	t.Helper()
	m, err := w.st.CreateMember(context.Background(), referral.Member{BrandID: w.brandID, OpenID: fmt.Sprintf("o%d", time.Now().UnixNano()),
		Status: referral.StatusActive, LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (w *world) code(t testing.TB, memberID, channel, group string) string {
	t.Helper()
	links, err := w.sharing.Links(context.Background(), w.brandID, memberID, w.live.ID, referral.LinksInput{Channels: []string{channel}, Group: group})
	if err != nil {
		t.Fatal(err)
	}
	return links[0].Code
}

func (w *world) reserve(t *testing.T, viewer, code string, state int) *referral.Reservation {
	t.Helper()
	r, err := w.sharing.RecordReservation(context.Background(), referral.ReservationInput{BrandID: w.brandID, ViewerID: viewer,
		Code: code, NoticeID: "notice-w", State: state})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (w *world) score(t *testing.T, k leaderboard.Key, memberID string) int64 {
	t.Helper()
	_, score, ok, err := w.r.Board().Rank(context.Background(), k, memberID)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return 0
	}
	n, _ := leaderboard.Unpack(score)
	return n
}

func eachWorld(t *testing.T, fn func(t *testing.T, w *world)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rs := storetest.RedisEngines(t)
		fn(t, newWorld(t, st, storetest.Redis(t, rs[len(rs)-1])))
	})
}

// N goroutines report the same first reservation with no rate limit in the way: exactly one
// row wins, the rest read it, and the inviter's score is exactly 1.
func TestConcurrentFirstReportsMakeOneReservation(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		inviter, viewer := w.member(t), w.member(t)
		code := w.code(t, inviter, referral.ChannelGroup, "g1")
		var wg sync.WaitGroup
		ids := make([]string, 24)
		errs := make([]error, len(ids))
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := w.sharing.RecordReservation(context.Background(), referral.ReservationInput{BrandID: w.brandID,
					ViewerID: viewer, Code: code, NoticeID: "notice-w", State: referral.StateReserved})
				errs[i] = err
				if r != nil {
					ids[i] = r.ID
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("report %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Fatalf("two reservations: %s and %s", ids[0], ids[i])
			}
		}
		list, _, err := w.st.ListReservations(context.Background(), w.brandID, w.live.ID, referral.ReservationFilter{}, referral.Page{})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d reservations, %v", len(list), err)
		}
		if n := w.score(t, leaderboard.Key{LiveID: w.live.ID, Window: leaderboard.WindowLive}, inviter); n != 1 {
			t.Fatalf("score %d", n)
		}
		if n := w.score(t, leaderboard.Key{LiveID: w.live.ID, Window: leaderboard.WindowLive, Group: "g1"}, inviter); n != 1 {
			t.Fatalf("group score %d", n)
		}
	})
}

// The rules of DESIGN §3.2, step by step, with the board checked after each.
func TestReservationRules(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		a, b, c, v := w.member(t), w.member(t), w.member(t), w.member(t)
		aCode, bCode := w.code(t, a, referral.ChannelMoments, ""), w.code(t, b, referral.ChannelMoments, "")
		live := leaderboard.Key{LiveID: w.live.ID, Window: leaderboard.WindowLive}
		steps := []struct {
			name             string
			viewer, code     string
			state            int
			status, reason   string
			counted          bool
			inviter          string
			scoreA, scoreB   int64
			nilReservation   bool
			wantLastState    int
			wantSameInviterA bool
		}{
			{name: "7 before any 6 stores nothing", viewer: v, code: aCode, state: 7, nilReservation: true},
			{name: "3 before any 6 stores nothing", viewer: v, code: aCode, state: 3, nilReservation: true},
			{name: "first inviter A", viewer: v, code: aCode, state: 6, status: "reserved", counted: true, inviter: a, scoreA: 1, wantLastState: 6},
			{name: "B's code later: A keeps it", viewer: v, code: bCode, state: 6, status: "reserved", counted: true, inviter: a, scoreA: 1, wantLastState: 6},
			{name: "8 only lands in last_state", viewer: v, code: "", state: 8, status: "reserved", counted: true, inviter: a, scoreA: 1, wantLastState: 8},
			{name: "7 cancels", viewer: v, code: bCode, state: 7, status: "cancelled", reason: "CANCELLED", inviter: a, wantLastState: 7},
			{name: "7 again: replay", viewer: v, code: bCode, state: 7, status: "cancelled", reason: "CANCELLED", inviter: a, wantLastState: 7},
			{name: "6 restores A", viewer: v, code: bCode, state: 6, status: "reserved", counted: true, inviter: a, scoreA: 1, wantLastState: 6},
			{name: "self invite kept, not counted", viewer: b, code: bCode, state: 6, status: "reserved", reason: "SELF_INVITE", inviter: b, scoreA: 1, wantLastState: 6},
			{name: "organic", viewer: c, code: "", state: 6, status: "reserved", reason: "NO_INVITER", scoreA: 1, wantLastState: 6},
		}
		for _, s := range steps {
			r := w.reserve(t, s.viewer, s.code, s.state)
			if s.nilReservation {
				if r != nil {
					t.Fatalf("%s: want no reservation, got %+v", s.name, r)
				}
				continue
			}
			if r == nil || r.Status != s.status || r.Reason != s.reason || r.Counted != s.counted || r.InviterID != s.inviter || r.LastState != s.wantLastState {
				t.Fatalf("%s: got %+v", s.name, r)
			}
			if got := w.score(t, live, a); got != s.scoreA {
				t.Fatalf("%s: A's score %d, want %d", s.name, got, s.scoreA)
			}
			if got := w.score(t, live, b); got != s.scoreB {
				t.Fatalf("%s: B's score %d, want %d", s.name, got, s.scoreB)
			}
		}
		// Void sticks: a later 6 does not restore it.
		r := w.reserve(t, v, "", 8)
		voided, err := w.sharing.VoidReservation(context.Background(), brands.CLIActor, w.brandID, r.ID)
		if err != nil || voided.Status != "void" || voided.Reason != "VOIDED" || w.score(t, live, a) != 0 {
			t.Fatalf("void: %+v %v", voided, err)
		}
		if again := w.reserve(t, v, "", 6); again.Status != "void" || again.Counted {
			t.Fatalf("6 after void: %+v", again)
		}
	})
}

// The burst rule: more than N reservations for one inviter within seconds from members
// created minutes ago go to review; older members are never caught by it.
func TestBurstOfNewMembersGoesToReview(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		burst, seconds, minutes := 3, 60, 10
		rules := brands.RulesPatch{RiskInviterBurstCount: &burst, RiskInviterBurstSeconds: &seconds, RiskNewMemberMinutes: &minutes}
		b, err := (&brands.Service{Store: w.st, Clock: w.clk}).UpdateSettings(ctx, brands.CLIActor, w.brandID, brands.SettingsInput{Rules: &rules})
		if err != nil || b.Rules.RiskInviterBurstCount != 3 {
			t.Fatalf("rules: %v", err)
		}
		inviter := w.member(t)
		code := w.code(t, inviter, referral.ChannelOther, "")
		var risks []string
		for range 5 {
			risks = append(risks, w.reserve(t, w.member(t), code, 6).Risk)
		}
		if fmt.Sprint(risks) != "[clear clear clear review review]" {
			t.Fatalf("risks %v", risks)
		}
		// Eleven minutes on, the same members are no longer new: a sixth of them is clear.
		w.clk.Advance(11 * time.Minute)
		old := w.member(t) // created now by the wall clock, which is 11 minutes behind the service's
		if r := w.reserve(t, old, code, 6); r.Risk != "clear" {
			t.Fatalf("an old member's reservation: %+v", r)
		}
	})
}

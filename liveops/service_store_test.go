package liveops_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

type notices struct{ list []liveops.RemoteNotice }

func (n *notices) LiveNotices(context.Context, string) ([]liveops.RemoteNotice, error) {
	return n.list, nil
}

type queue struct{ actions []string }

func (q *queue) EnqueueNoticeSync(context.Context, string) error { return nil }
func (q *queue) EnqueueOutreachAction(_ context.Context, _, id string) error {
	q.actions = append(q.actions, id)
	return nil
}

// pusher counts pushes the way leaderboard.Outputs queues them: in the caller's transaction.
type pusher struct{ robots, pushes atomic.Int32 }

func (p *pusher) PushBoardToAllRobots(context.Context, string, string) (int, int, error) {
	p.pushes.Add(int32(p.robots.Load()))
	return int(p.robots.Load()), int(p.robots.Load()), nil
}

type noReminders struct{}

func (noReminders) Send(context.Context, reminders.Request) (reminders.Result, error) {
	return reminders.Result{}, fmt.Errorf("not expected")
}
func (noReminders) Templates(context.Context, string) ([]reminders.Template, error) { return nil, nil }
func (noReminders) BatchSummary(context.Context, string, string) (map[reminders.Status]int, error) {
	return nil, nil
}

type storeBrands struct{ st *store.Store }

func (b storeBrands) Brand(ctx context.Context, id string) (brands.Brand, error) {
	return b.st.BrandByID(ctx, id)
}

type fixture struct {
	s       *liveops.Service
	st      *store.Store
	clk     *clock.Fixed
	src     *notices
	q       *queue
	push    *pusher
	brandID string
}

var brandSeq atomic.Int64

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	n := brandSeq.Add(1)
	b, err := st.CreateBrand(context.Background(), brands.Brand{Slug: fmt.Sprintf("lo%d", n), Name: "LO", OutBillPrefix: fmt.Sprintf("LO%d", n),
		Timezone: "Asia/Shanghai", Rules: brands.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, clk: clock.NewFixed(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)), src: &notices{}, q: &queue{},
		push: &pusher{}, brandID: b.ID}
	f.s = &liveops.Service{Store: st, Lives: st, Brands: storeBrands{st}, AllBrands: st, Notices: f.src, Queue: f.q, Reminders: noReminders{},
		Pusher: f.push, Clock: f.clk}
	return f
}

func (f *fixture) live(t *testing.T, notice string, start time.Time, target int64) referral.Live {
	t.Helper()
	id, err := f.st.CreateLive(context.Background(), store.NewLive{BrandID: f.brandID, Title: "L", NoticeID: notice,
		PlannedStartAt: start, TargetReservations: target, Status: referral.LiveReservable})
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.st.LiveByID(context.Background(), f.brandID, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// One notice through its life: seen and linked, moved, revoked, gone from the list, back.
func TestSyncNoticesDetectsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		start := f.clk.Now().Add(3 * time.Hour)
		l := f.live(t, "n1", start, 0)
		steps := []struct {
			name       string
			list       []liveops.RemoteNotice
			wantState  string
			wantChange string
			changed    int
		}{
			{"first sight", []liveops.RemoteNotice{{NoticeID: "n1", StartAt: start}, {NoticeID: "other", StartAt: start}}, liveops.NoticeAvailable, "", 0},
			{"same again", []liveops.RemoteNotice{{NoticeID: "n1", StartAt: start}}, liveops.NoticeAvailable, "", 1}, // "other" went missing
			{"moved", []liveops.RemoteNotice{{NoticeID: "n1", StartAt: start.Add(time.Hour)}}, liveops.NoticeAvailable, liveops.ChangeStartMoved, 1},
			{"revoked", []liveops.RemoteNotice{{NoticeID: "n1", Status: 1, StartAt: start.Add(time.Hour)}}, liveops.NoticeRevoked, liveops.ChangeRevoked, 1},
			{"gone", nil, liveops.NoticeMissing, liveops.ChangeMissing, 1},
			{"still gone", nil, liveops.NoticeMissing, liveops.ChangeMissing, 0},
			{"back", []liveops.RemoteNotice{{NoticeID: "n1", StartAt: start}}, liveops.NoticeAvailable, liveops.ChangeRestored, 1},
		}
		for _, s := range steps {
			f.clk.Advance(time.Minute)
			f.src.list = s.list
			res, err := f.s.SyncNotices(ctx, f.brandID)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			n, err := f.s.LiveNotice(ctx, l)
			if err != nil || n == nil {
				t.Fatalf("%s: notice %v %v", s.name, n, err)
			}
			if n.State != s.wantState || n.Change != s.wantChange || res.Changed != s.changed || n.LiveID != l.ID {
				t.Fatalf("%s: state %s change %s changed %d live %q; want %s %s %d", s.name, n.State, n.Change, res.Changed, n.LiveID,
					s.wantState, s.wantChange, s.changed)
			}
			if s.wantChange == liveops.ChangeStartMoved && (n.PreviousStartAt == nil || !n.PreviousStartAt.Equal(start)) {
				t.Fatalf("moved: previous start %v", n.PreviousStartAt)
			}
		}
	})
}

// The check records one round per live: a live at its target or without one sends nothing;
// a short live queues its three actions once; an action's push goes out once however often
// its job runs.
func TestCheckRoundOutcomesAndRunOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		start := f.clk.Now().Add(20 * time.Minute)
		cases := []struct {
			target  int64
			outcome string
			actions int
		}{
			{0, liveops.OutcomeNoTarget, 0},
			{5, liveops.OutcomeShortfall, 3},
		}
		for i, c := range cases {
			l := f.live(t, fmt.Sprintf("nr%d", i), start, c.target)
			before := len(f.q.actions)
			r, inserted, err := f.s.CheckRound(ctx, l, 30)
			if err != nil || !inserted || r.Outcome != c.outcome || len(f.q.actions)-before != c.actions {
				t.Fatalf("target %d: %+v %v %v, %d actions", c.target, r, inserted, err, len(f.q.actions)-before)
			}
			if _, again, err := f.s.CheckRound(ctx, l, 30); err != nil || again || len(f.q.actions)-before != c.actions {
				t.Fatalf("target %d: the second check inserted %v (%v)", c.target, again, err)
			}
		}
		// Target met: a live whose counted reservations reach the target.
		met := f.live(t, "met", start, 1)
		viewer, err := st.CreateMember(ctx, referral.Member{BrandID: f.brandID, OpenID: "v", Status: "active"})
		if err != nil {
			t.Fatal(err)
		}
		inviter, err := st.CreateMember(ctx, referral.Member{BrandID: f.brandID, OpenID: "i", Status: "active"})
		if err != nil {
			t.Fatal(err)
		}
		now := f.clk.Now()
		if _, err := st.CreateReservation(ctx, referral.Reservation{BrandID: f.brandID, LiveID: met.ID, ViewerID: viewer.ID, InviterID: inviter.ID,
			Status: "reserved", Risk: "clear", Counted: true, CountedAt: &now, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if r, _, err := f.s.CheckRound(ctx, met, 30); err != nil || r.Outcome != liveops.OutcomeTargetMet || r.Counted != 1 {
			t.Fatalf("met: %+v %v", r, err)
		}

		// The short live's actions: no templates → skipped with the reason; the push once.
		f.push.robots.Store(2)
		for _, id := range f.q.actions {
			for range 3 { // a job that runs again changes nothing
				if err := f.s.RunAction(ctx, f.brandID, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n := f.push.pushes.Load(); n != 2 {
			t.Fatalf("%d pushes queued, want 2 (once to each of 2 robots)", n)
		}
		for _, id := range f.q.actions {
			a, err := st.ActionByID(ctx, f.brandID, id)
			if err != nil {
				t.Fatal(err)
			}
			switch a.Kind {
			case liveops.ActionWeComPush:
				if a.Status != liveops.ActionDone || a.Recipients != 2 || a.Queued != 2 {
					t.Fatalf("push action %+v", a)
				}
			default:
				if a.Status != liveops.ActionSkipped || a.Note == "" {
					t.Fatalf("%s without templates: %+v", a.Kind, a)
				}
			}
		}
	})
}

// Due rounds: only lives within their brand's lead before the start are checked.
func TestQueueDueRoundsHonoursTheLead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		now := f.clk.Now()
		soon := f.live(t, "soon", now.Add(29*time.Minute), 10)
		later := f.live(t, "later", now.Add(31*time.Minute), 10)
		n, err := f.s.QueueDueRounds(ctx)
		if err != nil || n < 1 {
			t.Fatalf("due: %d %v", n, err)
		}
		if r, _ := st.Rounds(ctx, f.brandID, soon.ID); len(r) != 1 {
			t.Fatalf("the live due in 29 min has %d rounds", len(r))
		}
		if r, _ := st.Rounds(ctx, f.brandID, later.ID); len(r) != 0 {
			t.Fatalf("the live due in 31 min has %d rounds", len(r))
		}
		f.clk.Advance(2 * time.Minute)
		if _, err := f.s.QueueDueRounds(ctx); err != nil {
			t.Fatal(err)
		}
		if r, _ := st.Rounds(ctx, f.brandID, later.ID); len(r) != 1 || r[0].LeadMinutes != 30 {
			t.Fatalf("the later live: %+v", r)
		}
		if r, _ := st.Rounds(ctx, f.brandID, soon.ID); len(r) != 1 {
			t.Fatalf("the first live got %d rounds", len(r))
		}
	})
}

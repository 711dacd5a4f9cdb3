package leaderboard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// fakeBoard answers snapshots of the lives it holds, per brand.
type fakeBoard struct {
	mu    sync.Mutex
	lives map[string]leaderboard.Snapshot // brandID/liveID
}

func (f *fakeBoard) put(brandID, liveID string, s leaderboard.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lives == nil {
		f.lives = map[string]leaderboard.Snapshot{}
	}
	s.LiveID = liveID
	f.lives[brandID+"/"+liveID] = s
}

func (f *fakeBoard) Snapshot(_ context.Context, r leaderboard.SnapshotRequest) (leaderboard.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.lives[r.BrandID+"/"+r.LiveID]
	if !ok {
		return leaderboard.Snapshot{}, apperr.NotFoundf("no such live")
	}
	s.Window, s.Group = r.Window, r.Group
	if len(s.Rows) > r.TopN {
		s.Rows = s.Rows[:r.TopN]
	}
	return s, nil
}

// fakeSender answers each send with the next scripted error (nil when the script is done).
type fakeSender struct {
	mu     sync.Mutex
	script []error
	sent   []leaderboard.RobotMessage
	keys   []string
}

func (f *fakeSender) Send(_ context.Context, key string, m leaderboard.RobotMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	f.keys = append(f.keys, key)
	if len(f.script) == 0 {
		return nil
	}
	err := f.script[0]
	f.script = f.script[1:]
	return err
}

type fakeLimiter struct{ deny bool }

func (f *fakeLimiter) AllowRobot(context.Context, string) (bool, time.Duration, error) {
	if f.deny {
		return false, 3 * time.Second, nil
	}
	return true, 0, nil
}

// fakeQueue records enqueued pushes and insists on being inside the business transaction.
type fakeQueue struct {
	mu  sync.Mutex
	ids []string
}

func (q *fakeQueue) EnqueuePush(ctx context.Context, _, pushID string) error {
	if _, ok := store.Tx(ctx); !ok {
		return errors.New("enqueued outside the transaction")
	}
	q.mu.Lock()
	q.ids = append(q.ids, pushID)
	q.mu.Unlock()
	return nil
}

type fonts struct{ f *leaderboard.Font }

func (f fonts) Font(context.Context) (*leaderboard.Font, error) { return f.f, nil }

var loadFont = sync.OnceValues(func() (*leaderboard.Font, error) {
	data, err := os.ReadFile("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
	if p := os.Getenv("SHARECAST_FONT_PATH"); p != "" {
		data, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, fmt.Errorf("install fonts-wqy-zenhei (.ci/run does): %w", err)
	}
	return leaderboard.ParseFont(data)
})

type env struct {
	t      *testing.T
	st     *store.Store
	out    *leaderboard.Outputs
	board  *fakeBoard
	sender *fakeSender
	limit  *fakeLimiter
	queue  *fakeQueue
	clk    *clock.Fixed
	brand  string
	other  string
	live   string
	admin  brands.Actor
}

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	f, err := loadFont()
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	b1, err := st.CreateBrand(ctx, brands.Brand{Slug: "b1", Name: "品牌一", OutBillPrefix: "B1", Timezone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	b2, err := st.CreateBrand(ctx, brands.Brand{Slug: "b2", Name: "品牌二", OutBillPrefix: "B2", Timezone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, board: &fakeBoard{}, sender: &fakeSender{}, limit: &fakeLimiter{}, queue: &fakeQueue{},
		clk: clock.NewFixed(t0), brand: b1.ID, other: b2.ID, live: "live-1",
		admin: brands.Actor{Type: "admin", ID: "admin-1", RequestID: "req-1"}}
	e.out = &leaderboard.Outputs{Snapshots: e.board, Store: st, Sealer: box, Fonts: fonts{f}, Sender: e.sender,
		Limiter: e.limit, Queue: e.queue, Clock: e.clk, RateLimitBackoff: 70 * time.Second}
	e.board.put(e.brand, e.live, leaderboard.Snapshot{BrandName: "品牌一", LiveTitle: "新品直播", StartAt: t0.Add(time.Hour),
		TakenAt: t0, Target: 100, Total: 3, Rows: []leaderboard.Row{{Rank: 1, Name: "张三", Count: 2}, {Rank: 2, Name: "李四", Count: 1}}})
	return e
}

func (e *env) robot(brandID, name string) leaderboard.Robot {
	e.t.Helper()
	r, err := e.out.CreateRobot(context.Background(), e.admin, brandID, leaderboard.RobotInput{Name: name, WebhookKey: robotKey(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// robotKey is a well-formed webhook key per robot name.
func robotKey(name string) string { return fmt.Sprintf("k%x-0123456789", name) }

func (e *env) push(r leaderboard.Robot, format string) []leaderboard.Push {
	e.t.Helper()
	ps, err := e.out.PushNow(context.Background(), e.admin, e.brand, e.live, leaderboard.PushRequest{RobotIDs: []string{r.ID}, Format: format})
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

func (e *env) reload(p leaderboard.Push) leaderboard.Push {
	e.t.Helper()
	got, err := e.st.Push(context.Background(), e.brand, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func TestDeliverHandlesWeComAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		type want struct {
			status, robotStatus string
			errcode, sends      int
			snoozes             []time.Duration // one per Deliver call before the end
		}
		cases := []struct {
			name   string
			kind   string
			script []error
			want   want
		}{
			{"sent", leaderboard.PushMarkdown, nil, want{status: leaderboard.PushSent, robotStatus: leaderboard.RobotOK, sends: 1}},
			{"image sent", leaderboard.PushImage, nil, want{status: leaderboard.PushSent, robotStatus: leaderboard.RobotOK, sends: 1}},
			{"93000 is shown, not retried", leaderboard.PushMarkdown, []error{&leaderboard.RobotError{Code: 93000}},
				want{status: leaderboard.PushFailed, robotStatus: leaderboard.RobotBroken, errcode: 93000, sends: 1}},
			{"45009 waits, then goes", leaderboard.PushMarkdown, []error{&leaderboard.RobotError{Code: 45009}, &leaderboard.RobotError{Code: 45009}},
				want{status: leaderboard.PushSent, robotStatus: leaderboard.RobotOK, sends: 3, snoozes: []time.Duration{70 * time.Second, 70 * time.Second}}},
			{"45009 six times gives up", leaderboard.PushMarkdown, []error{&leaderboard.RobotError{Code: 45009}, &leaderboard.RobotError{Code: 45009},
				&leaderboard.RobotError{Code: 45009}, &leaderboard.RobotError{Code: 45009}, &leaderboard.RobotError{Code: 45009}, &leaderboard.RobotError{Code: 45009}},
				want{status: leaderboard.PushFailed, robotStatus: leaderboard.RobotOK, errcode: 45009, sends: 6,
					snoozes: []time.Duration{70 * time.Second, 70 * time.Second, 70 * time.Second, 70 * time.Second, 70 * time.Second}}},
			{"40058 retries once shorter", leaderboard.PushMarkdown, []error{&leaderboard.RobotError{Code: 40058}},
				want{status: leaderboard.PushSent, robotStatus: leaderboard.RobotOK, sends: 2, snoozes: []time.Duration{0}}},
			{"40058 twice fails", leaderboard.PushMarkdown, []error{&leaderboard.RobotError{Code: 40058}, &leaderboard.RobotError{Code: 40058}},
				want{status: leaderboard.PushFailed, robotStatus: leaderboard.RobotOK, errcode: 40058, sends: 2, snoozes: []time.Duration{0}}},
			{"40058 on an image fails", leaderboard.PushImage, []error{&leaderboard.RobotError{Code: 40058}},
				want{status: leaderboard.PushFailed, robotStatus: leaderboard.RobotOK, errcode: 40058, sends: 1}},
			{"other errcodes fail", leaderboard.PushMarkdown, []error{&leaderboard.RobotError{Code: 40008}},
				want{status: leaderboard.PushFailed, robotStatus: leaderboard.RobotOK, errcode: 40008, sends: 1}},
		}
		e := newEnv(t, st)
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e.t = t
				rb := e.robot(e.brand, fmt.Sprintf("群%d", i))
				*e.sender = fakeSender{script: tc.script}
				p := e.push(rb, tc.kind)[0]
				var snoozes []time.Duration
				for range 10 {
					err := e.out.Deliver(ctx, e.brand, p.ID, false)
					var sn *leaderboard.SnoozeError
					if errors.As(err, &sn) {
						snoozes = append(snoozes, sn.After)
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					break
				}
				got := e.reload(p)
				robot, _ := e.st.Robot(ctx, e.brand, rb.ID)
				if got.Status != tc.want.status || got.Errcode != tc.want.errcode || robot.Status != tc.want.robotStatus ||
					len(e.sender.sent) != tc.want.sends || fmt.Sprint(snoozes) != fmt.Sprint(tc.want.snoozes) {
					t.Fatalf("push %+v robot %s, %d sends, snoozes %v; want %+v", got, robot.Status, len(e.sender.sent), snoozes, tc.want)
				}
				if got.Status == leaderboard.PushFailed && got.Error == "" {
					t.Error("a failed push says nothing to the admin")
				}
				if e.sender.keys[0] != robotKey(rb.Name) {
					t.Errorf("sent with key %q", e.sender.keys[0])
				}
				if tc.name == "40058 retries once shorter" && len(e.sender.sent[1].Markdown) > 2048 {
					t.Errorf("the retry after 40058 is %d bytes", len(e.sender.sent[1].Markdown))
				}
				if tc.kind == leaderboard.PushImage && !bytes.HasPrefix(e.sender.sent[0].Image, []byte("\x89PNG")) {
					t.Error("image push sent no PNG")
				}
				// A replayed job after the end sends nothing more.
				n := len(e.sender.sent)
				if err := e.out.Deliver(ctx, e.brand, p.ID, false); err != nil || len(e.sender.sent) != n {
					t.Fatalf("replay: %v, %d sends", err, len(e.sender.sent))
				}
			})
		}
	})
}

func TestDeliverRetriesTransientFailuresThenGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		rb := e.robot(e.brand, "群")
		netErr := errors.New("wecom: send: connection refused")
		e.sender.script = []error{netErr, &leaderboard.RobotError{Code: -1}, netErr}
		p := e.push(rb, leaderboard.PushMarkdown)[0]
		if err := e.out.Deliver(ctx, e.brand, p.ID, false); !errors.Is(err, netErr) {
			t.Fatalf("transport failure: %v", err)
		}
		if got := e.reload(p); got.Status != leaderboard.PushRetrying || got.Attempts != 1 {
			t.Fatalf("after a transport failure: %+v", got)
		}
		var re *leaderboard.RobotError
		if err := e.out.Deliver(ctx, e.brand, p.ID, false); !errors.As(err, &re) || re.Code != -1 {
			t.Fatalf("busy: %v", err)
		}
		if err := e.out.Deliver(ctx, e.brand, p.ID, true); err != nil {
			t.Fatalf("last try: %v", err)
		}
		if got := e.reload(p); got.Status != leaderboard.PushFailed {
			t.Fatalf("after the last try: %+v", got)
		}

		// Our own limiter queues without counting a try.
		p2 := e.push(rb, leaderboard.PushMarkdown)[0]
		e.limit.deny = true
		var sn *leaderboard.SnoozeError
		if err := e.out.Deliver(ctx, e.brand, p2.ID, false); !errors.As(err, &sn) || sn.After != 3*time.Second {
			t.Fatalf("limited: %v", err)
		}
		if got := e.reload(p2); got.Status != leaderboard.PushQueued || got.Attempts != 0 {
			t.Fatalf("a local wait counted: %+v", got)
		}

		// A robot deleted or disabled before the send: failed, with the reason.
		e.limit.deny = false
		p3 := e.push(rb, leaderboard.PushMarkdown)[0]
		if err := e.out.DeleteRobot(ctx, e.admin, e.brand, rb.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.out.Deliver(ctx, e.brand, p3.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := e.reload(p3); got.Status != leaderboard.PushFailed || !strings.Contains(got.Error, "deleted") {
			t.Fatalf("deleted robot: %+v", got)
		}
	})
}

func TestPushValidationAndTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		mine := e.robot(e.brand, "我的群")
		theirs := e.robot(e.other, "别人的群")
		cases := []struct {
			name string
			live string
			req  leaderboard.PushRequest
			kind apperr.Kind
			code string
		}{
			{"another brand's robot", e.live, leaderboard.PushRequest{RobotIDs: []string{theirs.ID}}, apperr.NotFound, "NOT_FOUND"},
			{"unknown robot", e.live, leaderboard.PushRequest{RobotIDs: []string{"nope"}}, apperr.NotFound, "NOT_FOUND"},
			{"unknown live", "live-x", leaderboard.PushRequest{RobotIDs: []string{mine.ID}}, apperr.NotFound, "NOT_FOUND"},
			{"no robots", e.live, leaderboard.PushRequest{}, apperr.Invalid, "INVALID_ARGUMENT"},
			{"duplicate robots", e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID, mine.ID}}, apperr.Invalid, "INVALID_ARGUMENT"},
			{"bad format", e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}, Format: "gif"}, apperr.Invalid, "INVALID_ARGUMENT"},
			{"bad window", e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}, Query: leaderboard.BoardQuery{Window: "week"}}, apperr.Invalid, "INVALID_ARGUMENT"},
			{"group with ignition", e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}, Query: leaderboard.BoardQuery{Window: "ignition", Group: "g"}}, apperr.Invalid, "INVALID_ARGUMENT"},
			{"top_n too big", e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}, Query: leaderboard.BoardQuery{TopN: 101}}, apperr.Invalid, "INVALID_ARGUMENT"},
			{"bad privacy", e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}, Query: leaderboard.BoardQuery{Privacy: "real"}}, apperr.Invalid, "INVALID_ARGUMENT"},
		}
		for _, tc := range cases {
			_, err := e.out.PushNow(ctx, e.admin, e.brand, tc.live, tc.req)
			if apperr.KindOf(err) != tc.kind || apperr.CodeOf(err) != tc.code {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		if len(e.queue.ids) != 0 {
			t.Fatal("a refused push enqueued a job")
		}
		ps, err := e.out.PushNow(ctx, e.admin, e.brand, e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}, Format: "both"})
		if err != nil || len(ps) != 2 || len(e.queue.ids) != 2 || ps[0].Kind != "markdown" || ps[1].Kind != "image" {
			t.Fatalf("both: %+v %v, queued %v", ps, err, e.queue.ids)
		}
		// Robots of another brand are invisible and untouchable.
		if _, err := e.out.UpdateRobot(ctx, e.admin, e.brand, theirs.ID, leaderboard.RobotChange{Enabled: new(bool)}); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("update another brand's robot: %v", err)
		}
		if err := e.out.DeleteRobot(ctx, e.admin, e.brand, theirs.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("delete another brand's robot: %v", err)
		}
		list, _ := e.out.Robots(ctx, e.brand)
		if len(list) != 1 || list[0].ID != mine.ID {
			t.Fatalf("robots: %+v", list)
		}
		// Disabled robots take no pushes.
		off := false
		if _, err := e.out.UpdateRobot(ctx, e.admin, e.brand, mine.ID, leaderboard.RobotChange{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.out.PushNow(ctx, e.admin, e.brand, e.live, leaderboard.PushRequest{RobotIDs: []string{mine.ID}}); apperr.CodeOf(err) != "ROBOT_DISABLED" {
			t.Fatalf("disabled robot: %v", err)
		}
	})
}

func TestRobotKeysAreSealedAndParsed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		key := "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
		r, err := e.out.CreateRobot(ctx, e.admin, e.brand, leaderboard.RobotInput{Name: "  运营群\n",
			WebhookKey: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key})
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != "运营群" || bytes.Contains(r.KeySealed, []byte(key)) || len(r.KeySealed) == 0 {
			t.Fatalf("robot %+v", r)
		}
		p := e.push(r, leaderboard.PushMarkdown)[0]
		if err := e.out.Deliver(ctx, e.brand, p.ID, false); err != nil || e.sender.keys[0] != key {
			t.Fatalf("sent with %v, %v", e.sender.keys, err)
		}
		for _, bad := range []string{"", "short", "has space in it", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=", strings.Repeat("k", 200)} {
			if _, err := leaderboard.ParseWebhookKey(bad); apperr.CodeOf(err) != "INVALID_WEBHOOK_KEY" {
				t.Errorf("key %q: %v", bad, err)
			}
		}
		// A new key heals a broken robot.
		e.sender.script = []error{&leaderboard.RobotError{Code: 93000}}
		p = e.push(r, leaderboard.PushMarkdown)[0]
		_ = e.out.Deliver(ctx, e.brand, p.ID, false)
		if got, _ := e.st.Robot(ctx, e.brand, r.ID); got.Status != leaderboard.RobotBroken || got.LastErrcode != 93000 {
			t.Fatalf("after 93000: %+v", got)
		}
		newKey := "abcdef12-3456-7890-abcd-ef1234567890"
		healed, err := e.out.UpdateRobot(ctx, e.admin, e.brand, r.ID, leaderboard.RobotChange{WebhookKey: &newKey})
		if err != nil || healed.Status != leaderboard.RobotOK || healed.LastErrcode != 0 {
			t.Fatalf("re-keyed: %+v %v", healed, err)
		}
	})
}

func TestSharesShowThePublicBoardUntilRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		token, sh, err := e.out.CreateShare(ctx, e.admin, e.brand, e.live, leaderboard.BoardQuery{Privacy: leaderboard.PrivacyMasked, TopN: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 43 || bytes.Contains(sh.TokenHash, []byte(token)) {
			t.Fatalf("token %q, stored %x", token, sh.TokenHash)
		}
		b, err := e.out.PublicBoard(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Rows) != 2 || b.Rows[0].Name != "张*" || b.Total != 3 || b.Remaining != 97 || b.RefreshSeconds != 15 {
			t.Fatalf("public board %+v", b)
		}
		if _, _, err := e.out.CreateShare(ctx, e.admin, e.brand, "live-x", leaderboard.BoardQuery{}); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("share of an unknown live: %v", err)
		}
		// Another brand cannot revoke it; junk and unknown tokens are 404.
		if err := e.out.RevokeShare(ctx, e.admin, e.other, token); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("revoke by another brand: %v", err)
		}
		for _, bad := range []string{"", "x", strings.Repeat("A", 43), token + "x"} {
			if _, err := e.out.PublicBoard(ctx, bad); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		if err := e.out.RevokeShare(ctx, e.admin, e.brand, token); err != nil {
			t.Fatal(err)
		}
		if err := e.out.RevokeShare(ctx, e.admin, e.brand, token); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if _, err := e.out.PublicBoard(ctx, token); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("revoked token: %v", err)
		}
		audit, _, _ := st.ListAudit(ctx, e.brand, brands.Page{Limit: 10})
		actions := []string{}
		for _, a := range audit {
			actions = append(actions, a.Action)
		}
		if !strings.Contains(strings.Join(actions, ","), "leaderboard.share.revoke,leaderboard.share.revoke,leaderboard.share.create") {
			t.Fatalf("audit: %v", actions)
		}
	})
}

func TestLatestSlot(t *testing.T) {
	start := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	phases := []leaderboard.Phase{{FromMinutes: -180, ToMinutes: 0, EveryMinutes: 30}, {FromMinutes: 0, ToMinutes: 20, EveryMinutes: 5}}
	cases := []struct {
		now  time.Time
		want time.Time
		ok   bool
	}{
		{start.Add(-4 * time.Hour), time.Time{}, false},
		{start.Add(-180 * time.Minute), start.Add(-180 * time.Minute), true},
		{start.Add(-151 * time.Minute), start.Add(-180 * time.Minute), true},
		{start.Add(-1 * time.Minute), start.Add(-30 * time.Minute), true},
		{start, start, true},
		{start.Add(7 * time.Minute), start.Add(5 * time.Minute), true},
		{start.Add(19 * time.Minute), start.Add(15 * time.Minute), true},
		{start.Add(3 * time.Hour), start.Add(15 * time.Minute), true},
	}
	for _, tc := range cases {
		got, ok := leaderboard.LatestSlot(phases, start, tc.now)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("now %s: %s %v, want %s %v", tc.now.Sub(start), got.Sub(start), ok, tc.want.Sub(start), tc.ok)
		}
	}
}

func TestSchedulesPushEachSlotOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		r1, r2 := e.robot(e.brand, "一群"), e.robot(e.brand, "二群")
		start := t0.Add(time.Hour) // the fake board's start
		sc, err := e.out.CreateSchedule(ctx, e.admin, e.brand, e.live, leaderboard.ScheduleInput{RobotIDs: []string{r1.ID, r2.ID},
			Format: "markdown", Phases: []leaderboard.Phase{{FromMinutes: -30, ToMinutes: 0, EveryMinutes: 15}, {FromMinutes: 0, ToMinutes: 20, EveryMinutes: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		run := func() int {
			n, err := e.out.RunDueSchedules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := run(); n != 0 {
			t.Fatalf("an hour before the start: %d pushes", n)
		}
		e.clk.Advance(start.Add(-30*time.Minute).Sub(e.clk.Now()) + time.Second)
		if n := run(); n != 2 {
			t.Fatalf("first slot: %d pushes, want one per robot", n)
		}
		if n := run(); n != 0 {
			t.Fatalf("same slot again: %d pushes", n)
		}
		// Concurrent ticks (replicas): exactly one pushes the next slot.
		e.clk.Advance(15 * time.Minute)
		var wg sync.WaitGroup
		counts := make(chan int, 8)
		for range 8 {
			wg.Go(func() {
				n, err := e.out.RunDueSchedules(ctx)
				if err != nil {
					t.Error(err)
				}
				counts <- n
			})
		}
		wg.Wait()
		close(counts)
		total := 0
		for n := range counts {
			total += n
		}
		if total != 2 {
			t.Fatalf("8 concurrent ticks queued %d pushes, want 2", total)
		}
		// A slot found long after it came (downtime) is skipped; the next one goes.
		e.clk.Advance(15*time.Minute + 12*time.Minute) // start+12m: the slot start+10m is only 2 min old
		if n := run(); n != 2 {
			t.Fatalf("in-live slot: %d", n)
		}
		e.clk.Advance(3 * time.Hour)
		if n := run(); n != 0 {
			t.Fatalf("stale slot pushed: %d", n)
		}
		pushes, _, err := st.Pushes(ctx, e.brand, e.live, brands.Page{Limit: 50})
		if err != nil || len(pushes) != 6 || pushes[0].ScheduleID != sc.ID {
			t.Fatalf("pushes %d %v", len(pushes), err)
		}
		// Deleting a robot takes it off the schedule; with none left the schedule stops.
		if err := e.out.DeleteRobot(ctx, e.admin, e.brand, r1.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := st.Schedule(ctx, e.brand, sc.ID)
		if len(got.RobotIDs) != 1 || got.RobotIDs[0] != r2.ID || !got.Enabled {
			t.Fatalf("after deleting a robot: %+v", got)
		}
		if err := e.out.DeleteRobot(ctx, e.admin, e.brand, r2.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Schedule(ctx, e.brand, sc.ID); got.Enabled {
			t.Fatalf("a schedule without robots stays enabled: %+v", got)
		}
	})
}

func TestScheduleValidationAndTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		mine, theirs := e.robot(e.brand, "群"), e.robot(e.other, "别人的群")
		ok := []leaderboard.Phase{{FromMinutes: -60, ToMinutes: 0, EveryMinutes: 30}}
		bad := map[string][]leaderboard.Phase{
			"none":          {},
			"backwards":     {{FromMinutes: 10, ToMinutes: 0, EveryMinutes: 5}},
			"zero interval": {{FromMinutes: 0, ToMinutes: 10, EveryMinutes: 0}},
			"too early":     {{FromMinutes: -20000, ToMinutes: 0, EveryMinutes: 5}},
		}
		for name, ph := range bad {
			if _, err := e.out.CreateSchedule(ctx, e.admin, e.brand, e.live, leaderboard.ScheduleInput{RobotIDs: []string{mine.ID}, Phases: ph}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("phases %s: %v", name, err)
			}
		}
		if _, err := e.out.CreateSchedule(ctx, e.admin, e.brand, e.live, leaderboard.ScheduleInput{RobotIDs: []string{theirs.ID}, Phases: ok}); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("another brand's robot: %v", err)
		}
		sc, err := e.out.CreateSchedule(ctx, e.admin, e.brand, e.live, leaderboard.ScheduleInput{RobotIDs: []string{mine.ID}, Phases: ok})
		if err != nil || sc.Format != "both" || !sc.Enabled || sc.Query.TopN != 10 {
			t.Fatalf("create: %+v %v", sc, err)
		}
		if _, err := e.out.UpdateSchedule(ctx, e.admin, e.other, sc.ID, leaderboard.ScheduleChange{}); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("another brand updates: %v", err)
		}
		if err := e.out.DeleteSchedule(ctx, e.admin, e.other, sc.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("another brand deletes: %v", err)
		}
		topN, off := 3, false
		up, err := e.out.UpdateSchedule(ctx, e.admin, e.brand, sc.ID, leaderboard.ScheduleChange{TopN: &topN, Enabled: &off})
		if err != nil || up.Query.TopN != 3 || up.Enabled {
			t.Fatalf("update: %+v %v", up, err)
		}
		list, err := e.out.Schedules(ctx, e.brand, e.live)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %+v %v", list, err)
		}
		if _, err := e.out.Schedules(ctx, e.other, e.live); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("another brand lists: %v", err)
		}
		if err := e.out.DeleteSchedule(ctx, e.admin, e.brand, sc.ID); err != nil {
			t.Fatal(err)
		}
	})
}

package reminders_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

var t0 = time.Date(2026, 11, 11, 11, 0, 0, 0, time.UTC)

const tmplLive = "tmplLive-0001"

// queue records what Send enqueued (inside the transaction: a rolled-back send enqueues
// nothing, because the real queue joins it; here the test checks the rows instead).
type queue struct {
	mu  sync.Mutex
	ids []string
}

func (q *queue) EnqueueSubscribeSend(_ context.Context, _, sendID string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ids = append(q.ids, sendID)
	return nil
}

func (q *queue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ids)
}

// messenger answers err and records what it was asked to send.
type messenger struct {
	mu   sync.Mutex
	err  error
	sent []reminders.Message
}

func (m *messenger) SendSubscribeMessage(_ context.Context, msg reminders.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return m.err
}

var brandSeq atomic.Int64

type fixture struct {
	svc     *reminders.Service
	st      *store.Store
	q       *queue
	msgr    *messenger
	clk     *clock.Fixed
	brandID string
	member  referral.Member
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	n := brandSeq.Add(1)
	b, err := st.CreateBrand(ctx, brands.Brand{Slug: fmt.Sprintf("b%d", n), Name: "B", City: "上海",
		Timezone: "Asia/Shanghai", OutBillPrefix: fmt.Sprintf("B%d", n), Rules: brands.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, q: &queue{}, msgr: &messenger{}, clk: clock.NewFixed(t0), brandID: b.ID}
	f.member = f.newMember(t, b.ID)
	f.svc = &reminders.Service{Store: st, Queue: f.q, Messenger: f.msgr, Members: st, Audit: st, Clock: f.clk}
	return f
}

func (f *fixture) newMember(t *testing.T, brandID string) referral.Member {
	t.Helper()
	m, err := f.st.CreateMember(context.Background(), referral.Member{BrandID: brandID, OpenID: "o" + fmt.Sprint(time.Now().UnixNano()),
		Nickname: "m", Status: "active", LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) putLiveTemplate(t *testing.T) {
	t.Helper()
	_, err := f.svc.PutTemplate(context.Background(), brands.CLIActor, f.brandID, reminders.LiveReminder, reminders.TemplateInput{
		TemplateID: tmplLive, Page: "pages/live/index?live_id={live_id}",
		Fields: map[string]string{"thing1": "{live_title}", "time2": "{start_time}", "thing3": "快来预约"}})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) grant(t *testing.T, memberID string, n int) {
	t.Helper()
	for range n {
		if _, err := f.svc.RecordResults(context.Background(), f.brandID, memberID, map[string]string{tmplLive: "accept"}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) available(t *testing.T, memberID string) int {
	t.Helper()
	n, err := f.st.CountSubscribeCredits(context.Background(), f.brandID, memberID, []string{tmplLive})
	if err != nil {
		t.Fatal(err)
	}
	return n[tmplLive]
}

func (f *fixture) request(memberID, key string) reminders.Request {
	return reminders.Request{BrandID: f.brandID, MemberID: memberID, Purpose: reminders.LiveReminder, Key: key, Batch: "live:1",
		Values: map[string]string{"live_id": "L 1", "live_title": "双十一直播", "start_time": "2026-11-11 20:00"}}
}

func (f *fixture) send(t *testing.T, memberID, key string) reminders.Result {
	t.Helper()
	r, err := f.svc.Send(context.Background(), f.request(memberID, key))
	if err != nil {
		t.Fatalf("Send(%s): %v", key, err)
	}
	return r
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	if apperr.KindOf(err) != kind || apperr.CodeOf(err) != code {
		t.Fatalf("want %v %s, got %v", kind, code, err)
	}
}

// One accept is one message: a second send finds no credit, a repeated key sends nothing.
func TestSendSpendsOneCreditPerMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.putLiveTemplate(t)
		f.grant(t, f.member.ID, 1)

		first := f.send(t, f.member.ID, "live:1:a")
		if first.Status != reminders.StatusQueued || first.Duplicate {
			t.Fatalf("first send %+v", first)
		}
		if got := f.send(t, f.member.ID, "live:1:b"); got.Status != reminders.StatusNoCredit {
			t.Fatalf("second send without a credit %+v", got)
		}
		again := f.send(t, f.member.ID, "live:1:a")
		if !again.Duplicate || again.SendID != first.SendID || again.Status != reminders.StatusQueued {
			t.Fatalf("repeated key %+v", again)
		}
		if f.q.count() != 1 || f.available(t, f.member.ID) != 0 {
			t.Fatalf("enqueued %d, credits left %d", f.q.count(), f.available(t, f.member.ID))
		}
		// What will be sent was rendered and recorded at once; the page's values are escaped.
		sd, err := st.SubscribeSend(context.Background(), f.brandID, first.SendID)
		if err != nil {
			t.Fatal(err)
		}
		if sd.Page != "pages/live/index?live_id=L+1" || sd.Data["thing1"] != "双十一直播" || sd.Data["thing3"] != "快来预约" || sd.CreditID == "" {
			t.Fatalf("recorded send %+v", sd)
		}
		sum, err := f.svc.BatchSummary(context.Background(), f.brandID, "live:1")
		if err != nil || sum[reminders.StatusQueued] != 1 || sum[reminders.StatusNoCredit] != 1 {
			t.Fatalf("summary %v %v", sum, err)
		}
	})
}

// Concurrent sends: N credits → exactly N messages, whatever the interleaving; concurrent
// sends of one key → one message.
func TestConcurrentSendsSpendEachCreditOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.putLiveTemplate(t)
		f.grant(t, f.member.ID, 3)

		results := make(chan reminders.Result, 24)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				r, err := f.svc.Send(context.Background(), f.request(f.member.ID, fmt.Sprintf("k%d", i)))
				if err != nil {
					t.Error(err)
					return
				}
				results <- r
			})
		}
		wg.Wait()
		close(results)
		queued := 0
		for r := range results {
			if r.Status == reminders.StatusQueued {
				queued++
			}
		}
		if queued != 3 || f.q.count() != 3 || f.available(t, f.member.ID) != 0 {
			t.Fatalf("queued %d, enqueued %d, left %d; want 3, 3, 0", queued, f.q.count(), f.available(t, f.member.ID))
		}

		other := f.newMember(t, f.brandID)
		f.grant(t, other.ID, 2)
		ids := make(chan string, 8)
		for range 8 {
			wg.Go(func() {
				r, err := f.svc.Send(context.Background(), f.request(other.ID, "same-key"))
				if err != nil {
					t.Error(err)
					return
				}
				ids <- r.SendID
			})
		}
		wg.Wait()
		close(ids)
		first := ""
		for id := range ids {
			if first != "" && id != first {
				t.Fatalf("one key made two sends: %s, %s", first, id)
			}
			first = id
		}
		if f.q.count() != 4 || f.available(t, other.ID) != 1 {
			t.Fatalf("one key: enqueued %d (want 4 in all), credits left %d (want 1)", f.q.count(), f.available(t, other.ID))
		}
	})
}

// A send that found no credit is tried again under its key once the member grants one.
func TestNoCreditSendIsRetriedAfterAGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.putLiveTemplate(t)
		first := f.send(t, f.member.ID, "k")
		if first.Status != reminders.StatusNoCredit {
			t.Fatalf("%+v", first)
		}
		f.grant(t, f.member.ID, 1)
		again := f.send(t, f.member.ID, "k")
		if again.Status != reminders.StatusQueued || again.SendID != first.SendID || !again.Duplicate {
			t.Fatalf("%+v", again)
		}
		if third := f.send(t, f.member.ID, "k"); third.Status != reminders.StatusQueued || f.q.count() != 1 {
			t.Fatalf("%+v, enqueued %d", third, f.q.count())
		}
	})
}

func TestSendRefusesBadInputAndRecordsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.grant(t, f.member.ID, 1)
		_, err := f.svc.Send(ctx, f.request(f.member.ID, "k"))
		if !errors.Is(err, reminders.ErrNoTemplate) {
			t.Fatalf("no template: %v", err)
		}
		wantCode(t, err, apperr.Rule, "SUBSCRIBE_TEMPLATE_MISSING")

		f.putLiveTemplate(t)
		long := f.request(f.member.ID, "k")
		long.Values["live_title"] = strings.Repeat("长", 21)
		_, err = f.svc.Send(ctx, long)
		wantCode(t, err, apperr.Invalid, "SUBSCRIBE_FIELD_INVALID")
		if e, _ := apperr.As(err); e.Details["field"] != "thing1" || !strings.Contains(e.Message, "thing1") {
			t.Fatalf("error does not name the field: %v %v", e.Message, e.Details)
		}
		badTime := f.request(f.member.ID, "k")
		badTime.Values["start_time"] = "tonight"
		_, err = f.svc.Send(ctx, badTime)
		wantCode(t, err, apperr.Invalid, "SUBSCRIBE_FIELD_INVALID")

		missing := f.request(f.member.ID, "k")
		delete(missing.Values, "start_time")
		_, err = f.svc.Send(ctx, missing)
		wantCode(t, err, apperr.Invalid, "SUBSCRIBE_VALUE_MISSING")

		for _, key := range []string{"", "has space", strings.Repeat("k", 129)} {
			_, err = f.svc.Send(ctx, f.request(f.member.ID, key))
			wantCode(t, err, apperr.Invalid, "INVALID_ARGUMENT")
		}
		list, _, err := f.svc.Sends(ctx, f.brandID, reminders.SendFilter{}, brands.Page{})
		if err != nil || len(list) != 0 || f.available(t, f.member.ID) != 1 {
			t.Fatalf("refused sends left %d rows, %d credits (err %v)", len(list), f.available(t, f.member.ID), err)
		}

		// The key belongs to one member and purpose.
		f.send(t, f.member.ID, "k")
		other := f.newMember(t, f.brandID)
		_, err = f.svc.Send(ctx, f.request(other.ID, "k"))
		wantCode(t, err, apperr.Conflict, "IDEMPOTENCY_KEY_REUSED")
	})
}

// A send inside the caller's transaction rolls back with it: no row, no spent credit.
func TestSendJoinsTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.putLiveTemplate(t)
		f.grant(t, f.member.ID, 1)
		boom := errors.New("round failed")
		err := st.WithTx(ctx, func(ctx context.Context) error {
			if r, err := f.svc.Send(ctx, f.request(f.member.ID, "k")); err != nil || r.Status != reminders.StatusQueued {
				t.Fatalf("%+v %v", r, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if f.available(t, f.member.ID) != 1 {
			t.Fatal("a rolled-back send spent the credit")
		}
		if r := f.send(t, f.member.ID, "k"); r.Duplicate || r.Status != reminders.StatusQueued {
			t.Fatalf("after rollback: %+v", r)
		}
	})
}

// What WeChat answers decides the send's status and the credit's fate.
func TestDeliverOutcomes(t *testing.T) {
	transient := errors.New("WeChat busy")
	cases := []struct {
		name       string
		err        error
		final      bool
		wantStatus reminders.Status
		wantRetry  bool
		// wantLeft is the member's available credits after (they granted 2, one was spent).
		wantLeft int
	}{
		{"sent", nil, false, reminders.StatusSent, false, 1},
		{"43101 voids every credit", reminders.ErrRefused, false, reminders.StatusRefused, false, 0},
		{"47003 gives the credit back", fmt.Errorf("%w: thing1", reminders.ErrBadData), false, reminders.StatusInvalid, false, 2},
		{"rejected gives the credit back", reminders.ErrRejected, false, reminders.StatusFailed, false, 2},
		{"unknown keeps it spent", reminders.ErrOutcomeUnknown, false, reminders.StatusUnknown, false, 1},
		{"transient retries", transient, false, reminders.StatusQueued, true, 1},
		{"transient on the last attempt gives up", transient, true, reminders.StatusFailed, false, 2},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				f := newFixture(t, st)
				f.putLiveTemplate(t)
				f.grant(t, f.member.ID, 2)
				r := f.send(t, f.member.ID, "k")
				f.msgr.err = tc.err
				err := f.svc.Deliver(ctx, f.brandID, r.SendID, 1, tc.final)
				if (err != nil) != tc.wantRetry {
					t.Fatalf("Deliver error %v, want retry=%v", err, tc.wantRetry)
				}
				sd, err := st.SubscribeSend(ctx, f.brandID, r.SendID)
				if err != nil {
					t.Fatal(err)
				}
				if sd.Status != tc.wantStatus || f.available(t, f.member.ID) != tc.wantLeft {
					t.Fatalf("status %s, credits %d; want %s, %d", sd.Status, f.available(t, f.member.ID), tc.wantStatus, tc.wantLeft)
				}
				if tc.err != nil && sd.Error == "" {
					t.Fatal("the failure is not recorded")
				}
				msg := f.msgr.sent[0]
				if msg.OpenID != f.member.OpenID || msg.TemplateID != tmplLive || msg.Data["time2"] != "2026-11-11 20:00" {
					t.Fatalf("message %+v", msg)
				}
				// A repeated job sends nothing once the send is decided.
				f.msgr.err = nil
				if err := f.svc.Deliver(ctx, f.brandID, r.SendID, 2, false); err != nil {
					t.Fatal(err)
				}
				if want := 1 + map[bool]int{true: 1}[tc.wantRetry]; len(f.msgr.sent) != want {
					t.Fatalf("messenger called %d times, want %d", len(f.msgr.sent), want)
				}
			})
		}
	})
}

// A run that finds the send still "sending" (the previous run died during the WeChat call)
// must not call again: the message may be out.
func TestDeliverNeverRepeatsAnInterruptedCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.putLiveTemplate(t)
		f.grant(t, f.member.ID, 2)
		r := f.send(t, f.member.ID, "k")
		// What the first run committed before it called WeChat and died.
		if ok, err := st.ChangeSubscribeSend(ctx, f.brandID, r.SendID, reminders.StatusQueued,
			reminders.SendChange{Status: reminders.StatusSending, Attempts: 1, At: t0}); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := f.svc.Deliver(ctx, f.brandID, r.SendID, 2, false); err != nil {
			t.Fatal(err)
		}
		sd, _ := st.SubscribeSend(ctx, f.brandID, r.SendID)
		if sd.Status != reminders.StatusUnknown || len(f.msgr.sent) != 0 || f.available(t, f.member.ID) != 1 {
			t.Fatalf("status %s, calls %d, credits %d", sd.Status, len(f.msgr.sent), f.available(t, f.member.ID))
		}
	})
}

func TestDeliverAfterTheDeadlineExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.putLiveTemplate(t)
		f.grant(t, f.member.ID, 1)
		req := f.request(f.member.ID, "k")
		req.ExpiresAt = t0.Add(30 * time.Minute)
		r, err := f.svc.Send(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(31 * time.Minute)
		if err := f.svc.Deliver(ctx, f.brandID, r.SendID, 1, false); err != nil {
			t.Fatal(err)
		}
		sd, _ := st.SubscribeSend(ctx, f.brandID, r.SendID)
		if sd.Status != reminders.StatusExpired || len(f.msgr.sent) != 0 || f.available(t, f.member.ID) != 1 {
			t.Fatalf("status %s, sent %d, credits %d", sd.Status, len(f.msgr.sent), f.available(t, f.member.ID))
		}
	})
}

// Another brand's send is invisible: its job does nothing, its log is empty.
func TestSendsAreTenantScoped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		g := newFixture(t, st)
		f.putLiveTemplate(t)
		f.grant(t, f.member.ID, 1)
		r := f.send(t, f.member.ID, "k")
		if err := g.svc.Deliver(ctx, g.brandID, r.SendID, 1, false); err != nil || len(g.msgr.sent) != 0 {
			t.Fatalf("another brand delivered it: %v %d", err, len(g.msgr.sent))
		}
		if list, _, _ := g.svc.Sends(ctx, g.brandID, reminders.SendFilter{}, brands.Page{}); len(list) != 0 {
			t.Fatal("another brand sees the send")
		}
		if ts, _ := g.svc.Templates(ctx, g.brandID); len(ts) != 0 {
			t.Fatal("another brand sees the template")
		}
	})
}

func TestRecordResults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		res := map[string]string{tmplLive: "accept", "tmplOther": "reject", "errMsg": "requestSubscribeMessage:ok"}
		counts, err := f.svc.RecordResults(ctx, f.brandID, f.member.ID, res)
		if err != nil || len(counts) != 2 || counts[0].TemplateID != tmplLive || counts[0].Available != 1 || counts[1].Available != 0 {
			t.Fatalf("%+v %v", counts, err)
		}
		if _, ok := res["errMsg"]; !ok {
			t.Fatal("RecordResults changed the caller's map")
		}
		f.grant(t, f.member.ID, 1)
		if f.available(t, f.member.ID) != 2 {
			t.Fatal("accepts do not add up")
		}
		if _, err := f.svc.RecordResults(ctx, f.brandID, f.member.ID, map[string]string{tmplLive: "ban"}); err != nil || f.available(t, f.member.ID) != 0 {
			t.Fatalf("ban: %v, left %d", err, f.available(t, f.member.ID))
		}
		for range 60 {
			f.grant(t, f.member.ID, 1)
		}
		if f.available(t, f.member.ID) != 50 {
			t.Fatalf("credits are capped at 50, have %d", f.available(t, f.member.ID))
		}
		for _, bad := range []map[string]string{
			{}, {"errMsg": "ok"}, {tmplLive: "yes"}, {"bad id!": "accept"},
			{"a": "accept", "b": "accept", "c": "accept", "d": "accept", "e": "accept", "f": "accept", "g": "accept", "h": "accept", "i": "accept", "j": "accept", "k": "accept"},
		} {
			_, err := f.svc.RecordResults(ctx, f.brandID, f.member.ID, bad)
			wantCode(t, err, apperr.Invalid, "INVALID_ARGUMENT")
		}
	})
}

func TestPutTemplateValidates(t *testing.T) {
	good := reminders.TemplateInput{TemplateID: tmplLive, Fields: map[string]string{"thing1": "{live_title}"}}
	cases := []struct {
		name    string
		purpose reminders.Purpose
		edit    func(*reminders.TemplateInput)
		kind    apperr.Kind
		code    string
	}{
		{"unknown purpose", "lottery", func(*reminders.TemplateInput) {}, apperr.NotFound, "NOT_FOUND"},
		{"bad template id", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.TemplateID = "a b" }, apperr.Invalid, "INVALID_ARGUMENT"},
		{"no fields", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.Fields = nil }, apperr.Invalid, "INVALID_ARGUMENT"},
		{"bad key", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.Fields = map[string]string{"title": "x"} }, apperr.Invalid, "INVALID_ARGUMENT"},
		{"variable of another purpose", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.Fields = map[string]string{"thing1": "{amount}"} }, apperr.Invalid, "INVALID_ARGUMENT"},
		{"unclosed placeholder", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.Fields = map[string]string{"thing1": "{live_title"} }, apperr.Invalid, "INVALID_ARGUMENT"},
		{"fixed text over its limit", reminders.LiveReminder, func(in *reminders.TemplateInput) {
			in.Fields = map[string]string{"thing1": strings.Repeat("字", 21)}
		}, apperr.Invalid, "SUBSCRIBE_FIELD_INVALID"},
		{"page with a leading slash", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.Page = "/pages/x" }, apperr.Invalid, "INVALID_ARGUMENT"},
		{"bad state", reminders.LiveReminder, func(in *reminders.TemplateInput) { in.MiniprogramState = "beta" }, apperr.Invalid, "INVALID_ARGUMENT"},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		for _, tc := range cases {
			in := good
			in.Fields = map[string]string{"thing1": "{live_title}"}
			tc.edit(&in)
			_, err := f.svc.PutTemplate(context.Background(), brands.CLIActor, f.brandID, tc.purpose, in)
			if apperr.KindOf(err) != tc.kind || apperr.CodeOf(err) != tc.code {
				t.Errorf("%s: got %v, want %v %s", tc.name, err, tc.kind, tc.code)
			}
		}
		// A put replaces; delete removes; deleting again is 404.
		f.putLiveTemplate(t)
		in := good
		in.Fields = map[string]string{"thing1": "{live_title}", "phrase2": "已开播"}
		t1, err := f.svc.PutTemplate(context.Background(), brands.CLIActor, f.brandID, reminders.LiveReminder, in)
		if err != nil || len(t1.Fields) != 2 || t1.Page != "" || t1.MiniprogramState != "formal" || t1.Lang != "zh_CN" {
			t.Fatalf("%+v %v", t1, err)
		}
		if err := f.svc.DeleteTemplate(context.Background(), brands.CLIActor, f.brandID, reminders.LiveReminder); err != nil {
			t.Fatal(err)
		}
		err = f.svc.DeleteTemplate(context.Background(), brands.CLIActor, f.brandID, reminders.LiveReminder)
		wantCode(t, err, apperr.NotFound, "NOT_FOUND")
	})
}

func TestFormatHelpers(t *testing.T) {
	at := time.Date(2026, 11, 11, 12, 0, 0, 0, time.UTC)
	if got := reminders.FormatTime(at, "Asia/Shanghai"); got != "2026-11-11 20:00" {
		t.Fatal(got)
	}
	if got := reminders.FormatTime(at, "Nowhere/Else"); got != "2026-11-11 20:00" {
		t.Fatal(got)
	}
	for fen, want := range map[int64]string{1250: "¥12.50", 5: "¥0.05", 0: "¥0.00", 123456789: "¥1234567.89"} {
		if got := reminders.FormatFen(fen); got != want || reminders.CheckField("amount1", got) != nil {
			t.Errorf("FormatFen(%d) = %q (%v)", fen, got, reminders.CheckField("amount1", got))
		}
	}
	if err := reminders.CheckField("time1", reminders.FormatTime(at, "UTC")); err != nil {
		t.Fatal(err)
	}
}

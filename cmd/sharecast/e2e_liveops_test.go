package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/demo"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/webhooks"
)

// poll calls cond until it holds, failing after 30 s.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !within(30*time.Second, cond) {
		t.Fatalf("%s: not within 30s", what)
	}
}

// within calls cond every 50 ms until it holds (true) or d has passed (false), so that the
// caller can fail with what it saw last, which poll cannot say.
func within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

func (s *svc) simSubscribeMessages(openid string) []any {
	s.t.Helper()
	r := s.do("GET", "/_sim/control/subscribe/messages?openid="+openid, "", nil)
	if r.status != 200 {
		s.t.Fatalf("sim messages: %d %s", r.status, r.raw)
	}
	list, _ := r.body["messages"].([]any)
	return list
}

func (s *svc) subscribeMessages(admin, query string) []any {
	s.t.Helper()
	r := s.do("GET", "/admin/v1/subscribe-messages"+query, admin, nil)
	expect(s.t, r, 200, "")
	list, _ := r.body["messages"].([]any)
	return list
}

// A member grants a credit in the simulated WeChat and reports it; a sender elsewhere in
// sharecast sends a reminder through the Go API; the simulator records exactly one message,
// and a second send with the same key sends nothing.
func TestSubscribeReminderEndToEnd(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		owner := s.adminLogin("admin", s.password)
		login := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": s.password})
		brandID := login.str("brand_id")

		// The operator configures the live-reminder template.
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "olive", "password": "operator-pass-1", "role": "operator"}), 201, "")
		op := s.adminLogin("olive", "operator-pass-1")
		put := s.do("PUT", "/admin/v1/subscribe-templates/live_reminder", op, map[string]any{
			"template_id": "tmplLiveReminder01", "page": "pages/live/index?live_id={live_id}",
			"fields": map[string]any{"thing1": "{live_title}", "time2": "{start_time}", "thing3": "开播提醒"}})
		expect(t, put, 200, "")
		expect(t, s.do("PUT", "/admin/v1/subscribe-templates/live_reminder", op, map[string]any{
			"template_id": "tmplLiveReminder01", "fields": map[string]any{"thing1": strings.Repeat("长", 21)}}), 400, "SUBSCRIBE_FIELD_INVALID")
		expect(t, s.do("PUT", "/admin/v1/subscribe-templates/live_reminder", op, map[string]any{
			"template_id": "tmplLiveReminder01", "fields": map[string]any{"thing1": "{amount}"}}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("PUT", "/admin/v1/subscribe-templates/lottery", op, map[string]any{
			"template_id": "x", "fields": map[string]any{"thing1": "x"}}), 404, "NOT_FOUND")
		list := s.do("GET", "/admin/v1/subscribe-templates", op, nil)
		expect(t, list, 200, "")
		// The demo brand comes with its shortfall templates (demo.DemoTemplates); live_reminder is ours now.
		if len(list.body["templates"].([]any)) != len(demo.DemoTemplates) || len(list.body["purposes"].([]any)) != 4 {
			t.Fatalf("templates: %s", list.raw)
		}
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "fiona", "password": "finance-pass-1", "role": "finance"}), 201, "")
		expect(t, s.do("GET", "/admin/v1/subscribe-templates", s.adminLogin("fiona", "finance-pass-1"), nil), 403, "FORBIDDEN")

		// The member: wx.login, session, the templates to request.
		code, openid := s.wxLogin(demoAppID, "")
		sess := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": demoAppID, "code": code})
		expect(t, sess, 200, "")
		access, memberID := sess.str("access_token"), sess.str("member.id")
		tpl := s.do("GET", "/mp/v1/subscriptions", access, nil)
		expect(t, tpl, 200, "")
		if !strings.Contains(string(tpl.raw), `"template_id":"tmplLiveReminder01","available":0`) {
			t.Fatalf("member templates: %s", tpl.raw)
		}

		// The tap in wx.requestSubscribeMessage (WeChat keeps the credit), then the report.
		if g := s.do("POST", "/_sim/control/subscribe/grants", "", map[string]any{"appid": demoAppID, "openid": openid,
			"results": map[string]any{"tmplLiveReminder01": "accept"}}); g.status != 200 {
			t.Fatalf("grant: %d %s", g.status, g.raw)
		}
		rep := s.do("POST", "/mp/v1/subscriptions", access, map[string]any{"results": map[string]any{
			"tmplLiveReminder01": "accept", "errMsg": "requestSubscribeMessage:ok"}})
		expect(t, rep, 200, "")
		if !strings.Contains(string(rep.raw), `"available":1`) {
			t.Fatalf("report: %s", rep.raw)
		}
		expect(t, s.do("POST", "/mp/v1/subscriptions", access, map[string]any{"results": map[string]any{"tmplLiveReminder01": "maybe"}}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/mp/v1/subscriptions", access, map[string]any{}), 400, "INVALID_ARGUMENT")

		// Another area sends (e.g. the T-30 round), twice with the same key.
		req := reminders.Request{BrandID: brandID, MemberID: memberID, Purpose: reminders.LiveReminder, Key: "e2e:live1:" + memberID,
			Batch: "e2e:live1", Values: map[string]string{"live_id": "live1", "live_title": "双十一直播",
				"start_time": reminders.FormatTime(time.Date(2026, 11, 11, 12, 0, 0, 0, time.UTC), "Asia/Shanghai")}}
		first, err := s.app.reminders.Send(ctx, req)
		if err != nil || first.Status != reminders.StatusQueued {
			t.Fatalf("send: %+v %v", first, err)
		}
		poll(t, "the simulator received the message", func() bool { return len(s.simSubscribeMessages(openid)) == 1 })
		m := s.simSubscribeMessages(openid)[0].(map[string]any)
		data := m["data"].(map[string]any)
		if m["template_id"] != "tmplLiveReminder01" || m["page"] != "pages/live/index?live_id=live1" ||
			data["thing1"] != "双十一直播" || data["time2"] != "2026-11-11 20:00" || data["thing3"] != "开播提醒" {
			t.Fatalf("sent %v", m)
		}
		poll(t, "the send log says sent", func() bool {
			l := s.subscribeMessages(op, "?member_id="+memberID)
			return len(l) == 1 && l[0].(map[string]any)["status"] == "sent"
		})

		again, err := s.app.reminders.Send(ctx, req)
		if err != nil || !again.Duplicate || again.SendID != first.SendID {
			t.Fatalf("repeat: %+v %v", again, err)
		}
		// A new key finds no credit: the one accept was spent by the one message.
		req.Key = "e2e:live1:again"
		if r, err := s.app.reminders.Send(ctx, req); err != nil || r.Status != reminders.StatusNoCredit {
			t.Fatalf("second key: %+v %v", r, err)
		}
		sum, err := s.app.reminders.BatchSummary(ctx, brandID, "e2e:live1")
		if err != nil || sum[reminders.StatusSent] != 1 || sum[reminders.StatusNoCredit] != 1 {
			t.Fatalf("summary %v %v", sum, err)
		}
		if n := len(s.simSubscribeMessages(openid)); n != 1 {
			t.Fatalf("the simulator holds %d messages, want 1", n)
		}

		// A value over its limit is refused before anything is recorded, naming the field.
		req.Key = "e2e:live1:long"
		req.Values["live_title"] = strings.Repeat("长", 25)
		if _, err := s.app.reminders.Send(ctx, req); err == nil || !strings.Contains(err.Error(), "thing1") {
			t.Fatalf("long title: %v", err)
		}

		// A forged accept (WeChat holds no credit): WeChat answers 43101, the send is refused
		// and sharecast stops counting the member's credits for the template.
		rep = s.do("POST", "/mp/v1/subscriptions", access, map[string]any{"results": map[string]any{"tmplLiveReminder01": "accept"}})
		expect(t, rep, 200, "")
		req.Key, req.Values["live_title"] = "e2e:live1:forged", "双十一直播"
		if r, err := s.app.reminders.Send(ctx, req); err != nil || r.Status != reminders.StatusQueued {
			t.Fatalf("forged: %+v %v", r, err)
		}
		poll(t, "the forged credit is refused", func() bool {
			l := s.subscribeMessages(op, "?status=refused")
			return len(l) == 1 && l[0].(map[string]any)["errcode"] == float64(43101)
		})
		if !strings.Contains(string(s.do("GET", "/mp/v1/subscriptions", access, nil).raw), `"available":0`) {
			t.Fatal("credits still counted after 43101")
		}
		if n := len(s.simSubscribeMessages(openid)); n != 1 {
			t.Fatalf("the simulator holds %d messages, want 1", n)
		}

		expect(t, s.do("DELETE", "/admin/v1/subscribe-templates/live_reminder", op, nil), 204, "")
		expect(t, s.do("DELETE", "/admin/v1/subscribe-templates/live_reminder", op, nil), 404, "NOT_FOUND")
		if _, err := s.app.reminders.Send(ctx, req); err != reminders.ErrNoTemplate {
			t.Fatalf("without a template: %v", err)
		}
	})
}

// brandReceiver is a brand's webhook endpoint that checks every signature.
type brandReceiver struct {
	srv    *httptest.Server
	secret atomic.Value
	status atomic.Int32
	mu     sync.Mutex
	events []string // Sharecast-Event-Id of every request
	bad    int
}

func newBrandReceiver(t *testing.T) *brandReceiver {
	b := &brandReceiver{}
	b.secret.Store("")
	b.status.Store(200)
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.events = append(b.events, r.Header.Get(webhooks.HeaderEventID))
		if webhooks.Verify(b.secret.Load().(string), r.Header.Get(webhooks.HeaderTimestamp), r.Header.Get(webhooks.HeaderSignature), body, time.Now(), 0) != nil {
			b.bad++
		}
		b.mu.Unlock()
		w.WriteHeader(int(b.status.Load()))
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *brandReceiver) count() (n, bad int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.events), b.bad
}

func (s *svc) deliveries(admin, webhookID, query string) []any {
	s.t.Helper()
	r := s.do("GET", "/admin/v1/webhooks/"+webhookID+"/deliveries"+query, admin, nil)
	expect(s.t, r, 200, "")
	list, _ := r.body["deliveries"].([]any)
	return list
}

// Outgoing webhooks through the admin API, the Emitter and River: signed deliveries, retries
// of a failing endpoint, dead after 24 hours on the service clock, replay, tenancy.
func TestWebhooksEndToEnd(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		login := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": s.password})
		owner, brandID := login.str("token"), login.str("brand_id")
		emit := func(typ string, data any) {
			t.Helper()
			if err := s.app.store.WithTx(ctx, func(ctx context.Context) error { return s.app.events.Emit(ctx, brandID, typ, data) }); err != nil {
				t.Fatal(err)
			}
		}

		good := newBrandReceiver(t)
		created := s.do("POST", "/admin/v1/webhooks", owner, map[string]any{"url": good.srv.URL + "/hooks",
			"description": "ERP", "event_types": []string{events.ReservationCreated}})
		expect(t, created, 201, "")
		goodID, secret := created.str("id"), created.str("secret")
		good.secret.Store(secret)
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("create: %s", created.raw)
		}
		list := s.do("GET", "/admin/v1/webhooks", owner, nil)
		expect(t, list, 200, "")
		if !strings.Contains(string(list.raw), goodID) || strings.Contains(string(list.raw), secret) {
			t.Fatalf("list: %s", list.raw)
		}
		expect(t, s.do("POST", "/admin/v1/webhooks", owner, map[string]any{"url": "ftp://x"}), 400, "INVALID_WEBHOOK_URL")
		expect(t, s.do("POST", "/admin/v1/webhooks", owner, map[string]any{"url": good.srv.URL, "event_types": []string{"nope"}}), 400, "INVALID_ARGUMENT")

		emit(events.ReservationCreated, map[string]any{"reservation_id": "r1", "live_id": "l1"})
		emit(events.PayoutPaid, map[string]any{"payout_id": "p1"}) // not subscribed
		poll(t, "the signed delivery succeeds", func() bool {
			l := s.deliveries(owner, goodID, "")
			return len(l) == 1 && l[0].(map[string]any)["status"] == "succeeded"
		})
		if n, bad := good.count(); n != 1 || bad != 0 {
			t.Fatalf("receiver got %d requests, %d badly signed", n, bad)
		}

		// A failing endpoint: retried with backoff, dead once 24 h pass, then replayed.
		failing := newBrandReceiver(t)
		failing.status.Store(http.StatusInternalServerError)
		c2 := s.do("POST", "/admin/v1/webhooks", owner, map[string]any{"url": failing.srv.URL})
		expect(t, c2, 201, "")
		failingID := c2.str("id")
		failing.secret.Store(c2.str("secret"))
		emit(events.PayoutFailed, map[string]any{"payout_id": "p2", "reason": "NAME_MISMATCH"})
		poll(t, "the failing endpoint is retried", func() bool { n, _ := failing.count(); return n >= 2 })
		d := s.deliveries(owner, failingID, "")[0].(map[string]any)
		if d["status"] != "pending" || d["last_status_code"] != float64(500) || d["next_attempt_at"] == nil {
			t.Fatalf("pending delivery %v", d)
		}
		expect(t, s.do("POST", "/admin/v1/webhooks/deliveries/"+d["id"].(string)+"/replay", owner, nil), 409, "DELIVERY_PENDING")

		// Another brand sees none of it.
		other, err := s.app.brands.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, other.ID, brands.NewAdminInput{Username: "admin", Password: "other-owner-pass", Role: "owner"}); err != nil {
			t.Fatal(err)
		}
		stranger := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "other", "username": "admin", "password": "other-owner-pass"}).str("token")
		expect(t, s.do("GET", "/admin/v1/webhooks/"+goodID+"/deliveries", stranger, nil), 404, "NOT_FOUND")
		expect(t, s.do("DELETE", "/admin/v1/webhooks/"+goodID, stranger, nil), 404, "NOT_FOUND")
		expect(t, s.do("POST", "/admin/v1/webhooks/deliveries/"+d["id"].(string)+"/replay", stranger, nil), 404, "NOT_FOUND")
		if l := s.do("GET", "/admin/v1/webhooks", stranger, nil); strings.Contains(string(l.raw), goodID) {
			t.Fatal("another brand's webhook is listed")
		}
		expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": "olive", "password": "operator-pass-1", "role": "operator"}), 201, "")
		expect(t, s.do("GET", "/admin/v1/webhooks", s.adminLogin("olive", "operator-pass-1"), nil), 403, "FORBIDDEN")

		s.advanceClock(25 * time.Hour)
		owner = s.adminLogin("admin", s.password) // the old session expired with the clock
		poll(t, "the delivery is dead after 24 h", func() bool {
			return len(s.deliveries(owner, failingID, "?status=dead")) == 1
		})
		failing.status.Store(http.StatusOK)
		re := s.do("POST", "/admin/v1/webhooks/deliveries/"+d["id"].(string)+"/replay", owner, nil)
		expect(t, re, 202, "")
		if re.str("delivery.replay_of") != d["id"] || re.str("delivery.event_id") != d["event_id"] {
			t.Fatalf("replay: %s", re.raw)
		}
		poll(t, "the replay succeeds", func() bool {
			l := s.deliveries(owner, failingID, "?status=succeeded")
			return len(l) == 1 && l[0].(map[string]any)["id"] == re.str("delivery.id")
		})
		if _, bad := failing.count(); bad != 0 {
			t.Fatalf("%d badly signed requests", bad)
		}

		expect(t, s.do("DELETE", "/admin/v1/webhooks/"+goodID, owner, nil), 204, "")
		expect(t, s.do("GET", "/admin/v1/webhooks/"+goodID+"/deliveries", owner, nil), 404, "NOT_FOUND")
		emit(events.ReservationCreated, map[string]any{"reservation_id": "r2"})
		if n, _ := good.count(); n != 1 {
			t.Fatalf("a deleted webhook got %d requests", n)
		}
	})
}

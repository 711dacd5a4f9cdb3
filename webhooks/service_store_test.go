package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
	"github.com/sharecast/sharecast/webhooks"
)

var t0 = time.Date(2026, 11, 11, 11, 0, 0, 0, time.UTC)

// job is one attempt the service enqueued.
type job struct {
	deliveryID string
	attempt    int
	after      time.Duration
}

type queue struct {
	mu   sync.Mutex
	jobs []job
}

func (q *queue) EnqueueWebhookDelivery(_ context.Context, _, deliveryID string, attempt int, after time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, job{deliveryID, attempt, after})
	return nil
}

func (q *queue) all() []job {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]job(nil), q.jobs...)
}

// receiver is a brand's endpoint: it verifies every signature with the secret it is given
// and answers what the test says.
type receiver struct {
	srv     *httptest.Server
	secret  atomic.Value // string
	status  atomic.Int32
	delay   atomic.Int64 // nanoseconds
	mu      sync.Mutex
	got     []http.Header
	bodies  [][]byte
	badSigs int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.status.Store(http.StatusOK)
	r.secret.Store("")
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, req.Header.Clone())
		r.bodies = append(r.bodies, body)
		if webhooks.Verify(r.secret.Load().(string), req.Header.Get(webhooks.HeaderTimestamp), req.Header.Get(webhooks.HeaderSignature), body, time.Now(), 0) != nil {
			r.badSigs++
		}
		r.mu.Unlock()
		if d := time.Duration(r.delay.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(int(r.status.Load()))
		_, _ = w.Write([]byte("answer from the brand"))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type fixture struct {
	svc     *webhooks.Service
	st      *store.Store
	q       *queue
	clk     *clock.Fixed
	brandID string
}

var brandSeq atomic.Int64

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	n := brandSeq.Add(1)
	b, err := st.CreateBrand(context.Background(), brands.Brand{Slug: fmt.Sprintf("w%d", n), Name: "W", City: "上海",
		Timezone: "Asia/Shanghai", OutBillPrefix: fmt.Sprintf("W%d", n), Rules: brands.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, q: &queue{}, clk: clock.NewFixed(t0), brandID: b.ID}
	f.svc = &webhooks.Service{Store: st, Queue: f.q, Sealer: box, Audit: st, Clock: f.clk,
		Sender: webhooks.NewHTTPSender(2*time.Second, true), AllowInsecure: true,
		Schedule: []time.Duration{time.Minute, time.Hour}}
	return f
}

func (f *fixture) endpoint(t *testing.T, r *receiver, types ...string) webhooks.Endpoint {
	t.Helper()
	e, secret, err := f.svc.CreateEndpoint(context.Background(), brands.CLIActor, f.brandID,
		webhooks.EndpointInput{URL: r.srv.URL + "/hooks", EventTypes: types})
	if err != nil {
		t.Fatal(err)
	}
	r.secret.Store(secret)
	return e
}

func (f *fixture) deliveries(t *testing.T, endpointID string) []webhooks.Delivery {
	t.Helper()
	list, _, err := f.svc.Deliveries(context.Background(), f.brandID, endpointID, "", brands.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (f *fixture) emit(t *testing.T, typ string, data any) {
	t.Helper()
	if err := f.svc.Emit(context.Background(), f.brandID, typ, data); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	if apperr.KindOf(err) != kind || apperr.CodeOf(err) != code {
		t.Fatalf("want %v %s, got %v", kind, code, err)
	}
}

// Emit writes one delivery per endpoint that wants the type, and enqueues its first attempt.
func TestEmitFansOutToSubscribedEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.emit(t, events.ReservationCreated, map[string]any{"reservation_id": "r0"}) // nobody listens: nothing
		all := f.endpoint(t, newReceiver(t))
		payouts := f.endpoint(t, newReceiver(t), events.PayoutPaid, events.PayoutFailed)
		gone := f.endpoint(t, newReceiver(t))
		if err := f.svc.DeleteEndpoint(ctx, brands.CLIActor, f.brandID, gone.ID); err != nil {
			t.Fatal(err)
		}
		f.emit(t, events.ReservationCreated, map[string]any{"reservation_id": "r1"})
		f.emit(t, events.PayoutPaid, map[string]any{"payout_id": "p1", "amount_fen": 1250})
		if n := len(f.deliveries(t, all.ID)); n != 2 {
			t.Fatalf("catch-all endpoint has %d deliveries, want 2", n)
		}
		pd := f.deliveries(t, payouts.ID)
		if len(pd) != 1 || pd[0].EventType != events.PayoutPaid || pd[0].Status != webhooks.StatusPending {
			t.Fatalf("payout endpoint deliveries %+v", pd)
		}
		if !pd[0].DeadlineAt.Equal(t0.Add(24 * time.Hour)) {
			t.Fatalf("deadline %v", pd[0].DeadlineAt)
		}
		jobs := f.q.all()
		if len(jobs) != 3 || jobs[0].attempt != 1 || jobs[0].after != 0 {
			t.Fatalf("jobs %+v", jobs)
		}
		_, _, err := f.svc.Deliveries(ctx, f.brandID, gone.ID, "", brands.Page{})
		wantCode(t, err, apperr.NotFound, "NOT_FOUND")

		if err := f.svc.Emit(ctx, f.brandID, "reservation.exploded", nil); err == nil {
			t.Fatal("an unknown event type was accepted")
		}
	})
}

// The event exists exactly when the business change commits.
func TestEmitJoinsTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		ep := f.endpoint(t, newReceiver(t))
		boom := errors.New("the reservation failed")
		err := st.WithTx(ctx, func(ctx context.Context) error {
			if err := f.svc.Emit(ctx, f.brandID, events.ReservationCreated, map[string]any{"reservation_id": "r1"}); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n := len(f.deliveries(t, ep.ID)); n != 0 {
			t.Fatalf("a rolled-back change left %d deliveries", n)
		}
	})
}

// A delivery is signed as API.md says and carries the envelope.
func TestDeliverSignsTheEnvelope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		r := newReceiver(t)
		ep := f.endpoint(t, r)
		f.emit(t, events.OrderAttributed, map[string]any{"order_id": "o1", "member_id": "m1"})
		d := f.deliveries(t, ep.ID)[0]
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		if r.calls() != 1 || r.badSigs != 0 {
			t.Fatalf("calls %d, bad signatures %d", r.calls(), r.badSigs)
		}
		var raw map[string]any
		if err := json.Unmarshal(r.bodies[0], &raw); err != nil {
			t.Fatal(err)
		}
		if raw["id"] != d.EventID || raw["type"] != events.OrderAttributed || raw["brand_id"] != f.brandID ||
			raw["created_at"] != "2026-11-11T11:00:00Z" || raw["data"].(map[string]any)["order_id"] != "o1" {
			t.Fatalf("envelope %s", r.bodies[0])
		}
		h := r.got[0]
		if h.Get(webhooks.HeaderEventID) != d.EventID || h.Get("Content-Type") != "application/json" ||
			!strings.HasPrefix(h.Get(webhooks.HeaderSignature), "v1=") {
			t.Fatalf("headers %v", h)
		}
		got := f.deliveries(t, ep.ID)[0]
		if got.Status != webhooks.StatusSucceeded || got.Attempts != 1 || got.LastStatusCode != 200 || got.DeliveredAt == nil || got.NextAttemptAt != nil {
			t.Fatalf("delivery %+v", got)
		}
		// A repeated job for the recorded attempt posts nothing.
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 1); err != nil || r.calls() != 1 {
			t.Fatalf("repeated job: %v, calls %d", err, r.calls())
		}
	})
}

// A failing endpoint is retried on the schedule until its 24 hours end, then the delivery is
// dead; a replay makes a new delivery of the same event.
func TestRetryBackoffDeadAndReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		r := newReceiver(t)
		r.status.Store(http.StatusInternalServerError)
		ep := f.endpoint(t, r)
		f.emit(t, events.CommissionAvailable, map[string]any{"commission_id": "c1"})
		d := f.deliveries(t, ep.ID)[0]

		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		got := f.deliveries(t, ep.ID)[0]
		if got.Status != webhooks.StatusPending || got.Attempts != 1 || got.LastStatusCode != 500 ||
			!strings.Contains(got.LastError, "HTTP 500: answer from the brand") || !got.NextAttemptAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("after a 500: %+v", got)
		}
		f.clk.Advance(time.Minute)
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 2); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Hour)
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 3); err != nil {
			t.Fatal(err)
		}
		// The schedule's last step repeats; the last attempt lands on the deadline.
		f.clk.Advance(22*time.Hour + 30*time.Minute)
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 4); err != nil {
			t.Fatal(err)
		}
		jobs := f.q.all()
		wantAfter := []time.Duration{0, time.Minute, time.Hour, time.Hour, 29 * time.Minute}
		if len(jobs) != len(wantAfter) {
			t.Fatalf("jobs %+v", jobs)
		}
		for i, j := range jobs {
			if j.attempt != i+1 || j.after != wantAfter[i] {
				t.Fatalf("job %d is %+v, want attempt %d after %v", i, j, i+1, wantAfter[i])
			}
		}
		f.clk.Advance(29 * time.Minute)
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 5); err != nil {
			t.Fatal(err)
		}
		got = f.deliveries(t, ep.ID)[0]
		if got.Status != webhooks.StatusDead || got.Attempts != 5 || got.NextAttemptAt != nil || len(f.q.all()) != 5 {
			t.Fatalf("after 24 h: %+v, jobs %d", got, len(f.q.all()))
		}

		// Replay: a new delivery, same event, its own 24 hours.
		r.status.Store(http.StatusNoContent)
		re, err := f.svc.Replay(ctx, brands.CLIActor, f.brandID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if re.ID == d.ID || re.EventID != d.EventID || re.ReplayOf != d.ID || re.Status != webhooks.StatusPending {
			t.Fatalf("replay %+v", re)
		}
		_, err = f.svc.Replay(ctx, brands.CLIActor, f.brandID, re.ID)
		wantCode(t, err, apperr.Conflict, "DELIVERY_PENDING")
		if err := f.svc.Deliver(ctx, f.brandID, re.ID, 1); err != nil {
			t.Fatal(err)
		}
		list := f.deliveries(t, ep.ID)
		if len(list) != 2 || list[0].ID != re.ID || list[0].Status != webhooks.StatusSucceeded || list[1].Status != webhooks.StatusDead {
			t.Fatalf("log %+v", list)
		}
		if r.badSigs != 0 || r.got[0].Get(webhooks.HeaderEventID) != r.got[5].Get(webhooks.HeaderEventID) {
			t.Fatal("a replay must carry the same event id, correctly signed")
		}
		dead, _, err := f.svc.Deliveries(ctx, f.brandID, ep.ID, webhooks.StatusDead, brands.Page{})
		if err != nil || len(dead) != 1 {
			t.Fatalf("status filter: %d %v", len(dead), err)
		}
		_, _, err = f.svc.Deliveries(ctx, f.brandID, ep.ID, "lost", brands.Page{})
		wantCode(t, err, apperr.Invalid, "INVALID_ARGUMENT")
	})
}

// An endpoint that does not answer in time counts as failed and is retried.
func TestTimeoutIsRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.svc.Sender = webhooks.NewHTTPSender(100*time.Millisecond, true)
		r := newReceiver(t)
		r.delay.Store(int64(5 * time.Second))
		ep := f.endpoint(t, r)
		f.emit(t, events.PayoutFailed, map[string]any{"payout_id": "p1"})
		d := f.deliveries(t, ep.ID)[0]
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		got := f.deliveries(t, ep.ID)[0]
		if got.Status != webhooks.StatusPending || got.Attempts != 1 || got.LastStatusCode != 0 || got.LastError == "" {
			t.Fatalf("after a timeout: %+v", got)
		}
		if jobs := f.q.all(); len(jobs) != 2 || jobs[1].attempt != 2 {
			t.Fatalf("no retry scheduled: %+v", jobs)
		}
	})
}

func TestDeletedEndpointStopsItsDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		r := newReceiver(t)
		ep := f.endpoint(t, r)
		f.emit(t, events.PayoutPaid, map[string]any{"payout_id": "p1"})
		d := f.deliveries(t, ep.ID)[0]
		if err := f.svc.DeleteEndpoint(ctx, brands.CLIActor, f.brandID, ep.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		if r.calls() != 0 {
			t.Fatal("a deleted webhook was called")
		}
		got, err := st.WebhookDelivery(ctx, f.brandID, d.ID)
		if err != nil || got.Status != webhooks.StatusDead {
			t.Fatalf("%+v %v", got, err)
		}
		_, err = f.svc.Replay(ctx, brands.CLIActor, f.brandID, d.ID)
		wantCode(t, err, apperr.NotFound, "NOT_FOUND")
		wantCode(t, f.svc.DeleteEndpoint(ctx, brands.CLIActor, f.brandID, ep.ID), apperr.NotFound, "NOT_FOUND")
	})
}

// Another brand's webhook and delivery ids answer 404 and change nothing.
func TestWebhooksAreTenantScoped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		g := newFixture(t, st)
		r := newReceiver(t)
		ep := f.endpoint(t, r)
		r.status.Store(http.StatusBadGateway)
		f.emit(t, events.PayoutPaid, map[string]any{"payout_id": "p1"})
		d := f.deliveries(t, ep.ID)[0]
		if err := f.svc.Deliver(ctx, f.brandID, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		_, _, err := g.svc.Deliveries(ctx, g.brandID, ep.ID, "", brands.Page{})
		wantCode(t, err, apperr.NotFound, "NOT_FOUND")
		wantCode(t, g.svc.DeleteEndpoint(ctx, brands.CLIActor, g.brandID, ep.ID), apperr.NotFound, "NOT_FOUND")
		_, err = g.svc.Replay(ctx, brands.CLIActor, g.brandID, d.ID)
		wantCode(t, err, apperr.NotFound, "NOT_FOUND")
		if err := g.svc.Deliver(ctx, g.brandID, d.ID, 2); err != nil || r.calls() != 1 {
			t.Fatalf("another brand's job delivered: %v, calls %d", err, r.calls())
		}
		if list, _ := g.svc.Endpoints(ctx, g.brandID); len(list) != 0 {
			t.Fatal("another brand's webhook is listed")
		}
		// g's events go to g's endpoints only.
		g.emit(t, events.PayoutPaid, map[string]any{"payout_id": "p2"})
		if n := len(f.deliveries(t, ep.ID)); n != 1 {
			t.Fatalf("f's endpoint got %d deliveries", n)
		}
	})
}

func TestCreateEndpointValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.svc.AllowInsecure = false // production rules
		for _, u := range []string{"", "example.com/hook", "http://example.com/hook", "ftp://example.com",
			"https://user:pw@example.com/", "https://localhost/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook",
			"https://[::1]/hook", "https://169.254.169.254/latest", "https://100.64.0.1/x", "https://example.com/#frag",
			"https://" + strings.Repeat("a", 2050) + ".com"} {
			_, _, err := f.svc.CreateEndpoint(ctx, brands.CLIActor, f.brandID, webhooks.EndpointInput{URL: u})
			if apperr.CodeOf(err) != "INVALID_WEBHOOK_URL" {
				t.Errorf("url %.60q: got %v", u, err)
			}
		}
		_, _, err := f.svc.CreateEndpoint(ctx, brands.CLIActor, f.brandID, webhooks.EndpointInput{URL: "https://example.com/h", EventTypes: []string{"order.exploded"}})
		wantCode(t, err, apperr.Invalid, "INVALID_ARGUMENT")
		_, _, err = f.svc.CreateEndpoint(ctx, brands.CLIActor, f.brandID, webhooks.EndpointInput{URL: "https://example.com/h", Description: strings.Repeat("描", 257)})
		wantCode(t, err, apperr.Invalid, "INVALID_ARGUMENT")
		e, secret, err := f.svc.CreateEndpoint(ctx, brands.CLIActor, f.brandID, webhooks.EndpointInput{URL: "https://example.com/h",
			EventTypes: []string{events.PayoutPaid, events.PayoutPaid}})
		if err != nil || !strings.HasPrefix(secret, "whsec_") || len(e.EventTypes) != 1 {
			t.Fatalf("%+v %q %v", e, secret, err)
		}
		if bytes.Contains(e.SecretSealed, []byte(secret)) {
			t.Fatal("the secret is stored in the clear")
		}
		for i := 1; i < 20; i++ {
			if _, _, err := f.svc.CreateEndpoint(ctx, brands.CLIActor, f.brandID, webhooks.EndpointInput{URL: fmt.Sprintf("https://example.com/%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, _, err = f.svc.CreateEndpoint(ctx, brands.CLIActor, f.brandID, webhooks.EndpointInput{URL: "https://example.com/21"})
		wantCode(t, err, apperr.Rule, "WEBHOOK_LIMIT")
	})
}

// In production the sender refuses to connect to a private address, whatever the name.
func TestSenderRefusesPrivateAddresses(t *testing.T) {
	r := newReceiver(t)
	_, err := webhooks.NewHTTPSender(time.Second, false).Send(context.Background(), webhooks.Request{URL: r.srv.URL, Body: []byte("{}")})
	if err == nil || !strings.Contains(err.Error(), "non-public") || r.calls() != 0 {
		t.Fatalf("got %v, calls %d", err, r.calls())
	}
	// Redirects are not followed: the answer is the 3xx itself.
	redirect := httptest.NewServer(http.RedirectHandler(r.srv.URL, http.StatusFound))
	defer redirect.Close()
	resp, err := webhooks.NewHTTPSender(time.Second, true).Send(context.Background(), webhooks.Request{URL: redirect.URL, Body: []byte("{}")})
	if err != nil || resp.StatusCode != http.StatusFound || r.calls() != 0 {
		t.Fatalf("redirect: %+v %v, calls %d", resp, err, r.calls())
	}
}

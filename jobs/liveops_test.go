package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
	"github.com/sharecast/sharecast/webhooks"
)

var liveopsBrandSeq atomic.Int64

func newBrand(t *testing.T, s *store.Store) string {
	t.Helper()
	n := liveopsBrandSeq.Add(1)
	b, err := s.CreateBrand(context.Background(), brands.Brand{Slug: fmt.Sprintf("j%d", n), Name: "J", City: "上海",
		Timezone: "Asia/Shanghai", OutBillPrefix: fmt.Sprintf("J%d", n), Rules: brands.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

func startRunner(t *testing.T, s *store.Store, register func(r *jobs.Runner)) *jobs.Runner {
	t.Helper()
	ctx := context.Background()
	r, err := jobs.New(jobs.Deps{Store: s, Clock: clock.System{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		jobs.Options{FetchPollInterval: 50 * time.Millisecond, RescueStuckAfter: 5 * time.Second, RetryBase: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{jobs.QueueWebhooks, jobs.QueueReminders} {
		if err := r.AddQueue(q, 4); err != nil {
			t.Fatal(err)
		}
	}
	register(r)
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(ctx, 15*time.Second)
		defer c()
		_ = r.Stop(sctx)
	})
	return r
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("%s: not within 30s", what)
		case <-tick.C:
		}
	}
}

// The request that causes an event commits while the brand's endpoint is still hanging: the
// endpoint is called by the job, never by the request. A hanging endpoint (timeout) and a 500
// are retried from the queue until one attempt succeeds.
func TestSlowEndpointNeverHoldsTheCausingChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		brandID := newBrand(t, s)
		var calls atomic.Int32
		firstArrived := make(chan struct{})
		release := make(chan struct{})
		endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch calls.Add(1) {
			case 1: // hangs until the sender gives up
				close(firstArrived)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			case 2:
				w.WriteHeader(http.StatusInternalServerError)
			default:
				w.WriteHeader(http.StatusOK)
			}
		}))
		defer endpoint.Close()
		defer close(release)

		box, _ := secrets.New(bytes.Repeat([]byte{3}, 32))
		svc := &webhooks.Service{Store: s, Sealer: box, Audit: s, Clock: clock.System{}, AllowInsecure: true,
			Sender: webhooks.NewHTTPSender(300*time.Millisecond, true), Schedule: []time.Duration{20 * time.Millisecond}}
		r := startRunner(t, s, func(r *jobs.Runner) {
			river.AddWorker(r.Workers(), jobs.NewDeliverWebhookWorker(svc, 300*time.Millisecond))
		})
		svc.Queue = jobs.WebhookQueue{Runner: r}
		ep, _, err := svc.CreateEndpoint(ctx, brands.CLIActor, brandID, webhooks.EndpointInput{URL: endpoint.URL})
		if err != nil {
			t.Fatal(err)
		}

		// The business change: emit, then commit. Both return without waiting on the endpoint.
		if err := s.WithTx(ctx, func(ctx context.Context) error {
			return svc.Emit(ctx, brandID, events.ReservationCreated, map[string]any{"reservation_id": "r1"})
		}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-firstArrived:
		case <-time.After(30 * time.Second):
			t.Fatal("the delivery job never called the endpoint")
		}
		// The change committed and a second one commits while the first call is still hanging.
		if err := s.WithTx(ctx, func(ctx context.Context) error {
			return svc.Emit(ctx, brandID, events.ReservationCancelled, map[string]any{"reservation_id": "r1"})
		}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "both deliveries succeed after a timeout and a 500", func() bool {
			list, _, err := svc.Deliveries(ctx, brandID, ep.ID, webhooks.StatusSucceeded, brands.Page{})
			return err == nil && len(list) == 2
		})
		list, _, _ := svc.Deliveries(ctx, brandID, ep.ID, "", brands.Page{})
		attempts := 0
		for _, d := range list {
			attempts += d.Attempts
		}
		if attempts != 4 || calls.Load() != 4 {
			t.Fatalf("attempts %d, calls %d; want 4 (timeout, 500, then one success each)", attempts, calls.Load())
		}
	})
}

type flakyMessenger struct {
	mu    sync.Mutex
	fails int
	sent  int
}

func (m *flakyMessenger) SendSubscribeMessage(context.Context, reminders.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fails > 0 {
		m.fails--
		return errors.New("WeChat busy")
	}
	m.sent++
	return nil
}

// The send job retries a busy WeChat with River's backoff and sends once.
func TestSubscribeSendJobRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		brandID := newBrand(t, s)
		m, err := s.CreateMember(ctx, referral.Member{BrandID: brandID, OpenID: "o-jobs", Nickname: "m", Status: "active"})
		if err != nil {
			t.Fatal(err)
		}
		msgr := &flakyMessenger{fails: 2}
		svc := &reminders.Service{Store: s, Messenger: msgr, Members: s, Audit: s, Clock: clock.System{}}
		r := startRunner(t, s, func(r *jobs.Runner) {
			river.AddWorker(r.Workers(), jobs.NewSendSubscribeMessageWorker(svc))
		})
		svc.Queue = jobs.ReminderQueue{Runner: r}
		if _, err := svc.PutTemplate(ctx, brands.CLIActor, brandID, reminders.PayoutConfirmation, reminders.TemplateInput{
			TemplateID: "tmplPay", Fields: map[string]string{"amount1": "{amount}", "thing2": "请确认收款"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordResults(ctx, brandID, m.ID, map[string]string{"tmplPay": "accept"}); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Send(ctx, reminders.Request{BrandID: brandID, MemberID: m.ID, Purpose: reminders.PayoutConfirmation,
			Key: "payout:p1:confirm", Values: map[string]string{"amount": reminders.FormatFen(1250)}})
		if err != nil || res.Status != reminders.StatusQueued {
			t.Fatalf("%+v %v", res, err)
		}
		eventually(t, "the send job succeeds", func() bool {
			sd, err := s.SubscribeSend(ctx, brandID, res.SendID)
			return err == nil && sd.Status == reminders.StatusSent
		})
		sd, _ := s.SubscribeSend(ctx, brandID, res.SendID)
		if msgr.sent != 1 || sd.Attempts != 3 {
			t.Fatalf("sent %d, attempts %d", msgr.sent, sd.Attempts)
		}
	})
}

// Package webhooks owns outgoing webhooks (API.md "Outgoing webhooks"): a brand's endpoints
// and their signing secrets, the events business changes emit (it implements events.Emitter),
// one delivery per event and endpoint, retried with backoff from a durable queue for up to
// 24 hours and then dead, the delivery log and replays.
//
// Emit only writes rows and enqueues jobs in the caller's transaction; the HTTP calls happen
// in the delivery job, so a slow or failing endpoint never slows the request that caused the
// event. Delivery is at least once: receivers deduplicate on Sharecast-Event-Id.
//
// It declares what it needs (Store, Queue, Sender, Sealer) and never imports SQL or Redis
// packages.
package webhooks

import (
	"context"
	"errors"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
)

// Endpoint is a brand's webhook URL.
type Endpoint struct {
	ID, BrandID  string
	URL          string
	Description  string
	EventTypes   []string // empty: every type
	SecretSealed []byte
	CreatedAt    time.Time
	DeletedAt    *time.Time
}

// Wants reports whether the endpoint subscribes to eventType.
func (e Endpoint) Wants(eventType string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, t := range e.EventTypes {
		if t == eventType {
			return true
		}
	}
	return false
}

// Event is one emitted business event.
type Event struct {
	ID, BrandID, Type string
	Data              []byte // JSON
	CreatedAt         time.Time
}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusSucceeded = "succeeded"
	StatusDead      = "dead"
)

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID, BrandID, EndpointID, EventID, EventType string
	Status                                      string
	Attempts                                    int
	NextAttemptAt, LastAttemptAt, DeliveredAt   *time.Time
	LastStatusCode                              int
	LastError                                   string
	ReplayOf                                    string
	DeadlineAt, CreatedAt                       time.Time
}

// AttemptResult is what one attempt changes on a pending delivery.
type AttemptResult struct {
	Status         string // pending (retry at NextAttemptAt), succeeded or dead
	Attempts       int
	At             time.Time
	NextAttemptAt  *time.Time
	StatusCode     int
	Error          string
	DeliveredAtSet bool
}

// ErrNotFound is what Store implementations answer for a missing row.
var ErrNotFound = errors.New("webhooks: not found")

// Page is a cursor page request.
type Page = brands.Page

// Store is the storage the package needs. Methods take brand_id explicitly.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreateWebhookEndpoint(ctx context.Context, e Endpoint) (Endpoint, error)
	// WebhookEndpoints lists the brand's endpoints that are not deleted, oldest first.
	WebhookEndpoints(ctx context.Context, brandID string) ([]Endpoint, error)
	// WebhookEndpoint reads one endpoint; a deleted one only when withDeleted.
	WebhookEndpoint(ctx context.Context, brandID, id string, withDeleted bool) (Endpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, brandID, id string, at time.Time) error

	CreateWebhookEvent(ctx context.Context, e Event) (Event, error)
	WebhookEvent(ctx context.Context, brandID, id string) (Event, error)

	CreateWebhookDelivery(ctx context.Context, d Delivery) (Delivery, error)
	WebhookDelivery(ctx context.Context, brandID, id string) (Delivery, error)
	// WebhookDeliveries pages an endpoint's deliveries, newest first (status "" = any).
	WebhookDeliveries(ctx context.Context, brandID, endpointID, status string, p Page) ([]Delivery, string, error)
	// RecordWebhookAttempt applies r if the delivery is pending with attempts == prevAttempts;
	// it reports whether it did (a repeated job finds it already recorded).
	RecordWebhookAttempt(ctx context.Context, brandID, id string, prevAttempts int, r AttemptResult) (bool, error)
}

// Queue enqueues a delivery attempt inside the transaction in ctx; after delays it.
type Queue interface {
	EnqueueWebhookDelivery(ctx context.Context, brandID, deliveryID string, attempt int, after time.Duration) error
}

// Request is one POST to an endpoint.
type Request struct {
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is what an endpoint answered.
type Response struct {
	StatusCode int
	// Body is the start of the answer, for the delivery log.
	Body string
}

// Sender posts to endpoints. Its error means no HTTP answer (refused, timed out, …).
type Sender interface {
	Send(ctx context.Context, r Request) (Response, error)
}

// Sealer seals endpoint secrets at rest (secrets.Box).
type Sealer interface {
	Seal(owner, field string, plaintext []byte) ([]byte, error)
	Open(owner, field string, sealed []byte) ([]byte, error)
}

// Auditor records admin actions (store.Store satisfies it).
type Auditor interface {
	AppendAudit(ctx context.Context, e brands.AuditEntry) error
}

// Defaults.
const (
	// DefaultWindow: a delivery is retried for up to 24 hours (API.md), then dead.
	DefaultWindow = 24 * time.Hour
	// maxAttempts bounds the attempts of one delivery whatever the schedule.
	maxAttempts = 30
	// maxEndpoints per brand.
	maxEndpoints = 20
	// maxDataBytes bounds one event's data.
	maxDataBytes = 64 << 10
)

// DefaultSchedule is the wait after the 1st, 2nd, … failed attempt; the last entry repeats.
// With the 24-hour window that is 10 attempts, at about 0, 10 s, 1 min, 6 min, 36 min, 2.6 h,
// 6.6 h, 12.6 h and 18.6 h after the event, and a last one at 24 h.
var DefaultSchedule = []time.Duration{10 * time.Second, 50 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 4 * time.Hour, 6 * time.Hour}

// Service is the webhook use cases. It implements events.Emitter.
type Service struct {
	Store  Store
	Queue  Queue
	Sender Sender
	Sealer Sealer
	Audit  Auditor
	// Clock decides event times, deadlines and when a delivery is dead.
	Clock clock.Clock
	// Schedule overrides DefaultSchedule (tests shorten it).
	Schedule []time.Duration
	// Window overrides DefaultWindow.
	Window time.Duration
	// AllowInsecure accepts http:// URLs and private or loopback hosts (the embedded
	// default and tests); production requires https to a public address.
	AllowInsecure bool
	// Now stamps Sharecast-Timestamp; nil → the wall clock, which receivers compare with
	// theirs (the service clock may run ahead in the embedded default).
	Now func() time.Time
}

var _ events.Emitter = (*Service)(nil)

func (s *Service) window() time.Duration {
	if s.Window > 0 {
		return s.Window
	}
	return DefaultWindow
}

// delay is the wait after the n-th failed attempt (n ≥ 1).
func (s *Service) delay(n int) time.Duration {
	sched := s.Schedule
	if len(sched) == 0 {
		sched = DefaultSchedule
	}
	return sched[min(n, len(sched))-1]
}

func (s *Service) wallNow() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

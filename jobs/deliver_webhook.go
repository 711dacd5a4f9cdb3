package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/webhooks"
)

// QueueWebhooks holds webhook delivery attempts: each may wait on a brand's slow endpoint
// for up to the sender's timeout, so they get workers of their own.
const QueueWebhooks = "webhooks"

// DeliverWebhookArgs is one attempt of one webhook delivery. Unique per (delivery, attempt):
// the attempt that failed enqueues the next in the transaction that records the failure, and
// a repeated insert of the same attempt is skipped.
type DeliverWebhookArgs struct {
	BrandID    string `json:"brand_id"`
	DeliveryID string `json:"delivery_id" river:"unique"`
	Attempt    int    `json:"attempt" river:"unique"`
}

func (DeliverWebhookArgs) Kind() string { return "webhook_deliver" }

func (DeliverWebhookArgs) InsertOpts() river.InsertOpts {
	// River's own retries only cover a failure of the job itself (the database); the
	// endpoint's failures are retried by webhooks.Service with its schedule.
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WebhookQueue implements webhooks.Queue on River.
type WebhookQueue struct{ Runner *Runner }

// EnqueueWebhookDelivery inserts the attempt in the transaction carried by ctx.
func (q WebhookQueue) EnqueueWebhookDelivery(ctx context.Context, brandID, deliveryID string, attempt int, after time.Duration) error {
	var opts *river.InsertOpts
	if after > 0 {
		opts = &river.InsertOpts{ScheduledAt: time.Now().Add(after)}
	}
	_, err := q.Runner.Insert(ctx, DeliverWebhookArgs{BrandID: brandID, DeliveryID: deliveryID, Attempt: attempt}, opts)
	return err
}

// NewDeliverWebhookWorker works DeliverWebhookArgs. timeout is the sender's, so the job's
// own limit leaves room for the database work around the call.
func NewDeliverWebhookWorker(svc *webhooks.Service, timeout time.Duration) river.Worker[DeliverWebhookArgs] {
	if timeout <= 0 {
		timeout = webhooks.DefaultTimeout
	}
	return &deliverWebhookWorker{svc: svc, timeout: timeout + 30*time.Second}
}

type deliverWebhookWorker struct {
	river.WorkerDefaults[DeliverWebhookArgs]
	svc     *webhooks.Service
	timeout time.Duration
}

func (w *deliverWebhookWorker) Timeout(*river.Job[DeliverWebhookArgs]) time.Duration {
	return w.timeout
}

func (w *deliverWebhookWorker) Work(ctx context.Context, j *river.Job[DeliverWebhookArgs]) error {
	return w.svc.Deliver(ctx, j.Args.BrandID, j.Args.DeliveryID, j.Args.Attempt)
}

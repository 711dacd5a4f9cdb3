package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/reminders"
)

// QueueReminders holds subscribe-message sends: a shortfall round enqueues thousands at once,
// which must not hold up the default queue's work (payouts, pushes).
const QueueReminders = "reminders"

// subscribeSendAttempts: with the client's backoff (attempt⁴ × 1 s) the last try is about 16
// minutes after the first; a reminder later than that has lost its point.
const subscribeSendAttempts = 6

// SendSubscribeMessageArgs sends one queued subscribe message. Unique per send.
type SendSubscribeMessageArgs struct {
	BrandID string `json:"brand_id"`
	SendID  string `json:"send_id" river:"unique"`
}

func (SendSubscribeMessageArgs) Kind() string { return "subscribe_message_send" }

func (SendSubscribeMessageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueReminders, MaxAttempts: subscribeSendAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReminderQueue implements reminders.Queue on River.
type ReminderQueue struct{ Runner *Runner }

// EnqueueSubscribeSend inserts the send job in the transaction carried by ctx.
func (q ReminderQueue) EnqueueSubscribeSend(ctx context.Context, brandID, sendID string) error {
	_, err := q.Runner.Insert(ctx, SendSubscribeMessageArgs{BrandID: brandID, SendID: sendID}, nil)
	return err
}

// NewSendSubscribeMessageWorker works SendSubscribeMessageArgs.
func NewSendSubscribeMessageWorker(svc *reminders.Service) river.Worker[SendSubscribeMessageArgs] {
	return &sendSubscribeMessageWorker{svc: svc}
}

type sendSubscribeMessageWorker struct {
	river.WorkerDefaults[SendSubscribeMessageArgs]
	svc *reminders.Service
}

func (w *sendSubscribeMessageWorker) Work(ctx context.Context, j *river.Job[SendSubscribeMessageArgs]) error {
	return w.svc.Deliver(ctx, j.Args.BrandID, j.Args.SendID, j.Attempt, j.Attempt >= j.MaxAttempts)
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/webhooks"
	"github.com/sharecast/sharecast/wechat"
)

// Workers of the live-operations queues per replica. Webhook attempts mostly wait on brands'
// endpoints (up to the sender's timeout each), so they get more.
const (
	webhookWorkers  = 10
	reminderWorkers = 4
)

// wireLiveOps builds outgoing webhooks (the events.Emitter the domains call) and the
// subscribe-message reminders, with their River queues and workers.
func (a *app) wireLiveOps(wx *wechat.Client, o buildOptions) error {
	embedded := a.cfg.Mode == config.Embedded
	a.webhooks = &webhooks.Service{
		Store: a.store, Queue: jobs.WebhookQueue{Runner: a.jobs}, Sealer: a.box, Audit: a.store, Clock: a.clock,
		// The embedded default and tests deliver to http:// and local receivers; production
		// only to https on public addresses.
		Sender:        webhooks.NewHTTPSender(webhooks.DefaultTimeout, embedded),
		AllowInsecure: embedded,
		Schedule:      scaledSchedule(o.jobs.RetryBase),
	}
	a.events = a.webhooks
	a.reminders = &reminders.Service{
		Store: a.store, Queue: jobs.ReminderQueue{Runner: a.jobs}, Members: a.store, Audit: a.store, Clock: a.clock,
		Messenger: subscribeMessenger{wx: wx, brands: a.brands},
	}
	if err := a.jobs.AddQueue(jobs.QueueWebhooks, webhookWorkers); err != nil {
		return fmt.Errorf("webhooks queue: %w", err)
	}
	if err := a.jobs.AddQueue(jobs.QueueReminders, reminderWorkers); err != nil {
		return fmt.Errorf("reminders queue: %w", err)
	}
	if w := a.jobs.Workers(); w != nil {
		river.AddWorker(w, jobs.NewDeliverWebhookWorker(a.webhooks, webhooks.DefaultTimeout))
		river.AddWorker(w, jobs.NewSendSubscribeMessageWorker(a.reminders))
	}
	return nil
}

// scaledSchedule shortens the webhook retry schedule in proportion to the River retry base
// the tests set (production: nil, the default schedule).
func scaledSchedule(retryBase time.Duration) []time.Duration {
	if retryBase <= 0 || retryBase == time.Second {
		return nil
	}
	out := make([]time.Duration, len(webhooks.DefaultSchedule))
	for i, d := range webhooks.DefaultSchedule {
		out[i] = d / time.Second * retryBase
	}
	return out
}

// subscribeMessenger sends reminders with the brand's mini-program credentials and turns
// the WeChat client's codes into what reminders declares.
type subscribeMessenger struct {
	wx     *wechat.Client
	brands *brands.Service
}

func (m subscribeMessenger) SendSubscribeMessage(ctx context.Context, msg reminders.Message) error {
	b, err := m.brands.Brand(ctx, msg.BrandID)
	if apperr.KindOf(err) == apperr.NotFound {
		return fmt.Errorf("%w: %w", reminders.ErrRejected, err)
	}
	if err != nil {
		return err
	}
	if b.MPAppID == "" || !b.HasCredential(brands.CredMPAppSecret) {
		return fmt.Errorf("%w: the brand's mini-program appid or app secret is not configured", reminders.ErrRejected)
	}
	secret, err := m.brands.Credential(b, brands.CredMPAppSecret)
	if err != nil {
		return err
	}
	err = m.wx.SendSubscribeMessage(ctx, b.MPAppID, secret, wechat.SubscribeMessage{ToUser: msg.OpenID,
		TemplateID: msg.TemplateID, Page: msg.Page, Data: msg.Data, MiniprogramState: msg.MiniprogramState, Lang: msg.Lang})
	var sentinel error
	switch apperr.CodeOf(err) {
	case "":
		return err
	case wechat.CodeSubscribeRefused:
		sentinel = reminders.ErrRefused
	case wechat.CodeSubscribeDataInvalid:
		sentinel = reminders.ErrBadData
	case wechat.CodeSubscribeRejected:
		sentinel = reminders.ErrRejected
	case wechat.CodeOutcomeUnknown:
		sentinel = reminders.ErrOutcomeUnknown
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

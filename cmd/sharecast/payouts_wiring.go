package main

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/wechat/pay"
)

// wirePayouts builds the payout service on WeChat Pay (per-brand clients at baseURL/mch, or the
// real host), its send worker and the periodic sweep of open bills.
func (a *app) wirePayouts(baseURL string, o buildOptions) {
	payBase := ""
	if baseURL != "" {
		payBase = baseURL + "/mch"
	}
	a.payClients = pay.NewClients(a.brands, pay.Options{BaseURL: payBase})
	// Callbacks come to SHARECAST_PUBLIC_URL (WeChat needs HTTPS) or, in the embedded default,
	// to the service's own address (the simulator accepts loopback http://).
	public := a.cfg.PublicURL
	if public == "" {
		public = o.selfURL
	}
	notify := func(brandID string) string {
		if public == "" {
			return ""
		}
		return public + "/webhooks/wechatpay/" + url.PathEscape(brandID) + "/transfer"
	}
	ps := a.store.Payouts(a.box)
	transfers := &pay.PayoutTransfers{Clients: a.payClients, Brands: a.brands, NotifyURL: notify}
	a.payouts = &payouts.Payouts{Store: ps, Ledger: a.ledger, Payees: ps, Brands: a.brands, Audit: a.store, Events: a.events,
		Queue: jobs.PayoutQueue{Runner: a.jobs}, Transfers: transfers, Merchants: transfers, Alerts: a.store.Reconciliation(),
		Reminder: payoutReminder{r: a.reminders, brands: a.brands, members: a.store}, Clock: a.clock, SweepAfter: o.payoutSweepAfter}
	if w := a.jobs.Workers(); w != nil {
		river.AddWorker(w, jobs.NewPayoutAdvanceWorker(a.payouts, 0))
		river.AddWorker(w, jobs.NewPayoutSweepWorker(a.payouts))
		a.jobs.AddPeriodic(jobs.PayoutSweepPeriodic(o.payoutSweepEvery))
	}
}

// payoutReminder sends the "confirm your transfer" subscribe message through reminders (when
// the brand has a template for it and the member gave a credit; otherwise nothing is sent).
type payoutReminder struct {
	r       *reminders.Service
	brands  *brands.Service
	members interface {
		MemberByID(ctx context.Context, brandID, id string) (referral.Member, error)
	}
}

func (p payoutReminder) RemindPayoutConfirm(ctx context.Context, po payouts.Payout) error {
	if p.r == nil {
		return nil
	}
	b, err := p.brands.Brand(ctx, po.BrandID)
	if err != nil {
		return err
	}
	m, err := p.members.MemberByID(ctx, po.BrandID, po.MemberID)
	if err != nil {
		return err
	}
	_, err = p.r.Send(ctx, reminders.Request{BrandID: po.BrandID, MemberID: po.MemberID, Purpose: reminders.PayoutConfirmation,
		Key: "payout-confirm:" + po.ID, Values: map[string]string{
			"payout_id":       po.ID,
			"amount":          reminders.FormatFen(po.AmountFen),
			"requested_at":    reminders.FormatTime(po.RequestedAt, b.Timezone),
			"expires_at":      reminders.FormatTime(po.TouchedAt.Add(24*time.Hour), b.Timezone),
			"member_nickname": m.Nickname,
		},
		ExpiresAt: po.TouchedAt.Add(24 * time.Hour)})
	// No template for the purpose, or a template the values do not fit: the reminder is a
	// courtesy and must not hold up the payout; the waiting state shows in GET /mp/v1/payouts.
	if errors.Is(err, reminders.ErrNoTemplate) {
		return nil
	}
	if k := apperr.KindOf(err); err != nil && k != apperr.Internal && k != apperr.Unavailable {
		return nil
	}
	return err
}

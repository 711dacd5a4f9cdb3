package channelsorders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/wechat/channels"
)

// EventArgs is the job that applies one stored push.
type EventArgs struct {
	BrandID string `json:"brand_id"`
	EventID string `json:"event_id"`
}

func (EventArgs) Kind() string { return "channels_order_event" }

// maxAttempts bounds the retries: River's backoff here is attempt⁴ × 1 s, so 12 attempts
// span about 14 hours, past a long WeChat outage; a job that still fails is left discarded
// with its last error in the inbox row.
const maxAttempts = 12

func (EventArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: maxAttempts} }

// sharerWaitAttempts: while order/get says the sharer is still being resolved
// (handling_progress 0), the pay job retries this many times before applying the order
// without waiting longer (attribution then falls back to bindings and touches).
const sharerWaitAttempts = 3

// Worker runs EventArgs jobs.
type Worker struct {
	river.WorkerDefaults[EventArgs]
	svc *Service
}

// NewWorker is the River worker of the service's jobs.
func NewWorker(s *Service) *Worker { return &Worker{svc: s} }

// Work applies the event. Unavailable and unclassified errors retry with River's backoff; an
// error the intake or the event itself makes permanent (invalid, rule, conflict, not found)
// cancels the job, keeping the reason in the inbox row.
func (w *Worker) Work(ctx context.Context, job *river.Job[EventArgs]) error {
	err := w.svc.Apply(ctx, job.Args.BrandID, job.Args.EventID, job.Attempt)
	if err == nil {
		return nil
	}
	if permanent(err) {
		w.svc.log().Error("channels: event refused for good", "brand_id", job.Args.BrandID, "event_id", job.Args.EventID, "err", err)
		return river.JobCancel(err)
	}
	w.svc.log().Warn("channels: event will be retried", "brand_id", job.Args.BrandID, "event_id", job.Args.EventID,
		"attempt", job.Attempt, "err", err)
	return err
}

// shopError marks a failure of the WeChat read: the order or after-sale not (yet) readable is
// worth retrying, whatever its kind, unless the request itself was invalid.
type shopError struct{ err error }

func (e shopError) Error() string { return e.err.Error() }
func (e shopError) Unwrap() error { return e.err }

func permanent(err error) bool {
	var se shopError
	if errors.As(err, &se) {
		return apperr.KindOf(err) == apperr.Invalid
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.NotFound, apperr.Rule, apperr.Conflict, apperr.Forbidden:
		return true
	}
	return false
}

// CodeAfterSaleUnapplied marks an after-sale the intake refused for good (its inbox row keeps
// the message; the alert gauge counts it).
const CodeAfterSaleUnapplied = "CHANNELS_AFTERSALE_UNAPPLIED"

// errIntakeMissing: the orders domain is not wired yet; events wait in their jobs.
var errIntakeMissing = apperr.New(apperr.Unavailable, "ORDER_INTAKE_UNAVAILABLE", "the orders domain is not running yet")

// Apply applies one stored event once: a processed event is skipped. attempt is the job's
// (from 1).
func (s *Service) Apply(ctx context.Context, brandID, eventID string, attempt int) error {
	in, err := s.Store.ChannelsEvent(ctx, brandID, eventID)
	if errors.Is(err, ErrNotFound) {
		return apperr.NotFoundf("no Channels event %s", eventID)
	}
	if err != nil {
		return err
	}
	if in.ProcessedAt != nil {
		return nil
	}
	if s.Intake == nil {
		return s.note(ctx, in, errIntakeMissing)
	}
	ev, err := channels.ParseEvent(in.Payload)
	if err != nil {
		// Receive parsed it before storing it; only a changed parser gets here.
		if ferr := s.Store.FinishChannelsEvent(ctx, brandID, eventID, OutcomeInvalid, s.Clock.Now()); ferr != nil {
			return ferr
		}
		return apperr.Wrap(err, apperr.Invalid, "PUSH_INVALID", "stored event no longer parses")
	}
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return s.note(ctx, in, err)
	}
	secret := ""
	if b.HasCredential(brands.CredChannelsAppSecret) {
		if secret, err = s.Brands.Credential(b, brands.CredChannelsAppSecret); err != nil {
			return s.note(ctx, in, misconfigured(err))
		}
	}
	shop := channels.NewClient(s.WeChat, b.ChannelsAppID, secret)
	outcome, err := s.apply(ctx, brandID, shop, ev, attempt)
	if err != nil {
		return s.note(ctx, in, err)
	}
	return s.Store.FinishChannelsEvent(ctx, brandID, eventID, outcome, s.Clock.Now())
}

// note keeps err on the inbox row (best effort) and answers it.
func (s *Service) note(ctx context.Context, in InboxEvent, err error) error {
	msg := err.Error()
	if len(msg) > 500 {
		// The column holds 500 bytes; a cut rune would be invalid UTF-8 to PostgreSQL.
		msg = strings.ToValidUTF8(msg[:500], "")
	}
	if nerr := s.Store.NoteChannelsEventError(ctx, in.BrandID, in.ID, msg); nerr != nil {
		s.log().Warn("channels: keep event error", "event_id", in.ID, "err", nerr)
	}
	return err
}

// shopReader is what apply reads from the shop (channels.Client).
type shopReader interface {
	Order(ctx context.Context, orderID string) (channels.Order, error)
	AfterSale(ctx context.Context, afterSaleOrderID string) (channels.AfterSale, error)
}

// apply translates one event into its OrderIntake call and answers the outcome.
func (s *Service) apply(ctx context.Context, brandID string, shop shopReader, ev channels.Event, attempt int) (string, error) {
	at := s.eventTime(int64(ev.CreateTime))
	switch ev.Event {
	case channels.EventOrderPay:
		o, err := shop.Order(ctx, ev.OrderID())
		if err != nil {
			return "", shopError{err}
		}
		if o.Sharer != nil && !o.Sharer.Resolved && attempt < sharerWaitAttempts {
			return "", apperr.New(apperr.Unavailable, "CHANNELS_SHARER_PENDING", "WeChat is still resolving the order's sharer")
		}
		paid := paidOrder(o, ev)
		if paid.PaidAt.IsZero() {
			paid.PaidAt = at
		}
		return OutcomePaid, s.Intake.Paid(ctx, brandID, paid)

	case channels.EventOrderConfirm:
		return OutcomeConfirmed, s.Intake.Confirmed(ctx, brandID, referral.SourceChannels, ev.OrderID(), at)

	case channels.EventOrderCancel:
		// A cancel before payment (buyer or timeout) has nothing to reverse; one after payment
		// (every item refunded, or the merchant's) reverses the order's commissions.
		if int(ev.Order.CancelType) != channels.CancelAllRefunds {
			o, err := shop.Order(ctx, ev.OrderID())
			if err != nil {
				return "", shopError{err}
			}
			if !o.Paid() {
				return OutcomeUnpaidCancel, nil
			}
		}
		return OutcomeCancelled, s.Intake.Cancelled(ctx, brandID, referral.SourceChannels, ev.OrderID(), at)

	case channels.EventOrderSettle:
		return OutcomeSettled, s.Intake.Settled(ctx, brandID, referral.SourceChannels, ev.OrderID(), s.eventTime(int64(ev.Order.SettleTime), int64(ev.CreateTime)))

	case channels.EventAfterSaleUpdate:
		a, err := shop.AfterSale(ctx, string(ev.AfterSale.AfterSaleOrderID))
		if err != nil {
			return "", shopError{err}
		}
		var products []channels.OrderProduct
		if a.SKUID == "" && channels.StatusOutcome(a.Status) == channels.OutcomeRefunded && a.RefundFen > 0 {
			// No sku_id to name the line: the order's products decide (refundLines).
			orderID := a.OrderID
			if orderID == "" {
				orderID = ev.OrderID()
			}
			o, err := shop.Order(ctx, orderID)
			if err != nil {
				return "", shopError{err}
			}
			products = o.Products
		}
		u := afterSaleUpdate(a, ev, products)
		if u.At.IsZero() {
			u.At = at
		}
		if err := s.Intake.AfterSale(ctx, brandID, u); err != nil {
			if permanent(err) {
				// A refund that cannot be applied leaves a commission unreversed: say so loudly
				// with what an operator needs (the inbox row keeps it and stays unprocessed, so
				// sharecast_channels_events_failing counts it).
				return "", apperr.Wrap(err, apperr.KindOf(err), CodeAfterSaleUnapplied,
					fmt.Sprintf("after-sale %s of order %s (status %s, sku %q, product %q, refund %d fen) could not be applied",
						u.AfterSaleID, u.ExternalID, a.Status, a.SKUID, a.ProductID, a.RefundFen))
			}
			return "", err
		}
		return OutcomeAfterSale, nil
	}
	return "", apperr.InvalidArgument(fmt.Sprintf("event %s is not handled", ev.Event))
}

// eventTime is the first non-zero Unix time of ts, else the application clock's now.
func (s *Service) eventTime(ts ...int64) time.Time {
	for _, t := range ts {
		if t > 0 {
			return time.Unix(t, 0)
		}
	}
	return s.Clock.Now()
}

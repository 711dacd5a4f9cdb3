package webhooks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// maxLogBytes bounds the error or answer text kept on a delivery.
const maxLogBytes = 500

// Deliver makes attempt n (from 1) of a delivery; the delivery job calls it. It posts the
// signed envelope; a 2xx answer makes the delivery succeeded; anything else (another status,
// a timeout, a refused connection) schedules attempt n+1 after the backoff, in the same
// transaction that records the failure, or makes the delivery dead once its 24 hours (on the
// service clock) are over. A deleted endpoint makes it dead at once. It answers an error only
// when the job itself should be retried (the database failed).
func (s *Service) Deliver(ctx context.Context, brandID, deliveryID string, attempt int) error {
	d, err := s.Store.WebhookDelivery(ctx, brandID, deliveryID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Status != StatusPending || d.Attempts != attempt-1 {
		return nil // decided already, or this attempt was recorded (a repeated job)
	}
	ep, err := s.Store.WebhookEndpoint(ctx, brandID, d.EndpointID, true)
	if err != nil {
		return err
	}
	if ep.DeletedAt != nil {
		return s.record(ctx, d, AttemptResult{Status: StatusDead, Attempts: d.Attempts, At: s.Clock.Now(),
			Error: "the webhook was deleted"}, 0)
	}
	ev, err := s.Store.WebhookEvent(ctx, brandID, d.EventID)
	if err != nil {
		return err
	}
	secret, err := s.Sealer.Open(brandID, sealField, ep.SecretSealed)
	if err != nil {
		return fmt.Errorf("webhook %s secret: %w", ep.ID, err)
	}
	body, err := ev.Body()
	if err != nil {
		return err
	}
	ts := s.wallNow().Unix()
	resp, sendErr := s.Sender.Send(ctx, Request{URL: ep.URL, Body: body, Header: map[string]string{
		"Content-Type":  "application/json",
		HeaderEventID:   ev.ID,
		HeaderTimestamp: strconv.FormatInt(ts, 10),
		HeaderSignature: Sign(string(secret), ts, body),
	}})

	// The attempt is recorded even when the job's context ended during the call.
	ctx = context.WithoutCancel(ctx)
	now := s.Clock.Now()
	r := AttemptResult{Attempts: attempt, At: now, StatusCode: resp.StatusCode}
	switch {
	case sendErr == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299:
		r.Status = StatusSucceeded
		r.DeliveredAtSet = true
		return s.record(ctx, d, r, 0)
	case sendErr != nil:
		r.Error = clip(sendErr.Error())
	default:
		r.Error = clip(fmt.Sprintf("HTTP %d: %s", resp.StatusCode, resp.Body))
	}
	if !now.Before(d.DeadlineAt) || attempt >= maxAttempts {
		r.Status = StatusDead
		return s.record(ctx, d, r, 0)
	}
	// The last attempt lands on the deadline rather than past it.
	next := now.Add(s.delay(attempt))
	if next.After(d.DeadlineAt) {
		next = d.DeadlineAt
	}
	r.Status = StatusPending
	r.NextAttemptAt = &next
	return s.record(ctx, d, r, next.Sub(now))
}

// record stores an attempt and, for a pending delivery, enqueues the next one with it.
func (s *Service) record(ctx context.Context, d Delivery, r AttemptResult, after time.Duration) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		ok, err := s.Store.RecordWebhookAttempt(ctx, d.BrandID, d.ID, d.Attempts, r)
		if err != nil || !ok || r.Status != StatusPending {
			return err
		}
		return s.Queue.EnqueueWebhookDelivery(ctx, d.BrandID, d.ID, r.Attempts+1, after)
	})
}

func clip(s string) string {
	if len(s) <= maxLogBytes {
		return s
	}
	for i := maxLogBytes; i > 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return s[:i]
		}
	}
	return s[:maxLogBytes]
}

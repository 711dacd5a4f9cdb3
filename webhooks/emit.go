package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/sharecast/sharecast/events"
)

// Emit records an event for the brand's endpoints that want its type: the event, one
// delivery per endpoint and one job per delivery, all in the transaction carried by ctx (its
// own when there is none), so the event exists exactly when the change it reports commits.
// Nothing is sent here. A brand without a matching endpoint records nothing.
func (s *Service) Emit(ctx context.Context, brandID, eventType string, data any) error {
	if !slices.Contains(events.Types, eventType) {
		return fmt.Errorf("webhooks: unknown event type %q", eventType)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("webhooks: %s data: %w", eventType, err)
	}
	if len(raw) > maxDataBytes {
		return fmt.Errorf("webhooks: %s data is %d bytes, at most %d", eventType, len(raw), maxDataBytes)
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		eps, err := s.Store.WebhookEndpoints(ctx, brandID)
		if err != nil {
			return err
		}
		eps = slices.DeleteFunc(eps, func(e Endpoint) bool { return !e.Wants(eventType) })
		if len(eps) == 0 {
			return nil
		}
		now := s.Clock.Now()
		ev, err := s.Store.CreateWebhookEvent(ctx, Event{BrandID: brandID, Type: eventType, Data: raw, CreatedAt: now})
		if err != nil {
			return err
		}
		for _, ep := range eps {
			if _, err := s.newDelivery(ctx, ep, ev, "", now); err != nil {
				return err
			}
		}
		return nil
	})
}

// newDelivery records a pending delivery and enqueues its first attempt.
func (s *Service) newDelivery(ctx context.Context, ep Endpoint, ev Event, replayOf string, now time.Time) (Delivery, error) {
	d, err := s.Store.CreateWebhookDelivery(ctx, Delivery{BrandID: ep.BrandID, EndpointID: ep.ID, EventID: ev.ID,
		EventType: ev.Type, Status: StatusPending, NextAttemptAt: &now, ReplayOf: replayOf,
		DeadlineAt: now.Add(s.window()), CreatedAt: now})
	if err != nil {
		return Delivery{}, err
	}
	return d, s.Queue.EnqueueWebhookDelivery(ctx, ep.BrandID, d.ID, 1, 0)
}

// envelope is the body of every delivery of an event (API.md).
type envelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt string          `json:"created_at"`
	BrandID   string          `json:"brand_id"`
	Data      json.RawMessage `json:"data"`
}

// Body is the JSON an event is delivered as: the same bytes on every attempt and replay.
func (e Event) Body() ([]byte, error) {
	return json.Marshal(envelope{ID: e.ID, Type: e.Type, CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339),
		BrandID: e.BrandID, Data: e.Data})
}

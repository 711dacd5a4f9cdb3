package webhooks

import (
	"context"
	"errors"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Replay sends a delivery's event to its endpoint again (owner), as a new delivery with its
// own 24 hours of retries, pointing at the one it repeats. A delivery still pending cannot be
// replayed (it is being retried); one of a deleted webhook cannot either.
func (s *Service) Replay(ctx context.Context, a brands.Actor, brandID, deliveryID string) (Delivery, error) {
	var out Delivery
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.Store.WebhookDelivery(ctx, brandID, deliveryID)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("no such delivery")
		}
		if err != nil {
			return err
		}
		if d.Status == StatusPending {
			return apperr.New(apperr.Conflict, "DELIVERY_PENDING", "this delivery is still being retried")
		}
		ep, err := s.Store.WebhookEndpoint(ctx, brandID, d.EndpointID, false)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("the webhook of this delivery was deleted")
		}
		if err != nil {
			return err
		}
		ev, err := s.Store.WebhookEvent(ctx, brandID, d.EventID)
		if err != nil {
			return err
		}
		if out, err = s.newDelivery(ctx, ep, ev, d.ID, s.Clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, a, brandID, "webhook.replay", ep.ID, map[string]any{"delivery_id": d.ID, "replay_id": out.ID})
	})
	return out, err
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/webhookdelivery"
	"github.com/sharecast/sharecast/ent/webhookendpoint"
	"github.com/sharecast/sharecast/ent/webhookevent"
	"github.com/sharecast/sharecast/webhooks"
)

// This file implements webhooks.Store: endpoints, events and the delivery log.

func webhooksErr(err error) error {
	if ent.IsNotFound(err) {
		return webhooks.ErrNotFound
	}
	return err
}

func toEndpoint(r *ent.WebhookEndpoint) (webhooks.Endpoint, error) {
	var types []string
	if err := json.Unmarshal([]byte(r.EventTypes), &types); err != nil {
		return webhooks.Endpoint{}, fmt.Errorf("webhook %s event types: %w", r.ID, err)
	}
	return webhooks.Endpoint{ID: r.ID, BrandID: r.BrandID, URL: r.URL, Description: r.Description,
		EventTypes: types, SecretSealed: r.SecretSealed, CreatedAt: r.CreatedAt, DeletedAt: r.DeletedAt}, nil
}

// CreateWebhookEndpoint inserts an endpoint.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e webhooks.Endpoint) (webhooks.Endpoint, error) {
	if e.EventTypes == nil {
		e.EventTypes = []string{}
	}
	types, err := json.Marshal(e.EventTypes)
	if err != nil {
		return webhooks.Endpoint{}, err
	}
	row, err := s.ent(ctx).WebhookEndpoint.Create().SetBrandID(e.BrandID).SetURL(e.URL).SetDescription(e.Description).
		SetEventTypes(string(types)).SetSecretSealed(e.SecretSealed).SetCreatedAt(e.CreatedAt).Save(ctx)
	if err != nil {
		return webhooks.Endpoint{}, err
	}
	return toEndpoint(row)
}

// WebhookEndpoints lists a brand's endpoints that are not deleted, oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, brandID string) ([]webhooks.Endpoint, error) {
	rows, err := s.ent(ctx).WebhookEndpoint.Query().
		Where(webhookendpoint.BrandID(brandID), webhookendpoint.DeletedAtIsNil()).
		Order(ent.Asc(webhookendpoint.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]webhooks.Endpoint, 0, len(rows))
	for _, r := range rows {
		e, err := toEndpoint(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// WebhookEndpoint reads one endpoint of a brand.
func (s *Store) WebhookEndpoint(ctx context.Context, brandID, id string, withDeleted bool) (webhooks.Endpoint, error) {
	q := s.ent(ctx).WebhookEndpoint.Query().Where(webhookendpoint.BrandID(brandID), webhookendpoint.ID(id))
	if !withDeleted {
		q = q.Where(webhookendpoint.DeletedAtIsNil())
	}
	row, err := q.Only(ctx)
	if err != nil {
		return webhooks.Endpoint{}, webhooksErr(err)
	}
	return toEndpoint(row)
}

// DeleteWebhookEndpoint marks an endpoint deleted.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, brandID, id string, at time.Time) error {
	n, err := s.ent(ctx).WebhookEndpoint.Update().
		Where(webhookendpoint.BrandID(brandID), webhookendpoint.ID(id), webhookendpoint.DeletedAtIsNil()).
		SetDeletedAt(at).Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return webhooks.ErrNotFound
	}
	return nil
}

// CreateWebhookEvent inserts an event.
func (s *Store) CreateWebhookEvent(ctx context.Context, e webhooks.Event) (webhooks.Event, error) {
	row, err := s.ent(ctx).WebhookEvent.Create().SetBrandID(e.BrandID).SetType(e.Type).SetData(string(e.Data)).
		SetCreatedAt(e.CreatedAt).Save(ctx)
	if err != nil {
		return webhooks.Event{}, err
	}
	return toEvent(row), nil
}

func toEvent(r *ent.WebhookEvent) webhooks.Event {
	return webhooks.Event{ID: r.ID, BrandID: r.BrandID, Type: r.Type, Data: []byte(r.Data), CreatedAt: r.CreatedAt}
}

// WebhookEvent reads one event.
func (s *Store) WebhookEvent(ctx context.Context, brandID, id string) (webhooks.Event, error) {
	row, err := s.ent(ctx).WebhookEvent.Query().Where(webhookevent.BrandID(brandID), webhookevent.ID(id)).Only(ctx)
	if err != nil {
		return webhooks.Event{}, webhooksErr(err)
	}
	return toEvent(row), nil
}

func toDelivery(r *ent.WebhookDelivery) webhooks.Delivery {
	d := webhooks.Delivery{ID: r.ID, BrandID: r.BrandID, EndpointID: r.EndpointID, EventID: r.EventID,
		EventType: r.EventType, Status: string(r.Status), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
		LastAttemptAt: r.LastAttemptAt, DeliveredAt: r.DeliveredAt, LastStatusCode: r.LastStatusCode,
		LastError: r.LastError, DeadlineAt: r.DeadlineAt, CreatedAt: r.CreatedAt}
	if r.ReplayOf != nil {
		d.ReplayOf = *r.ReplayOf
	}
	return d
}

// CreateWebhookDelivery inserts a delivery.
func (s *Store) CreateWebhookDelivery(ctx context.Context, d webhooks.Delivery) (webhooks.Delivery, error) {
	c := s.ent(ctx).WebhookDelivery.Create().SetBrandID(d.BrandID).SetEndpointID(d.EndpointID).SetEventID(d.EventID).
		SetEventType(d.EventType).SetStatus(webhookdelivery.Status(d.Status)).SetNillableNextAttemptAt(d.NextAttemptAt).
		SetDeadlineAt(d.DeadlineAt).SetCreatedAt(d.CreatedAt)
	if d.ReplayOf != "" {
		c.SetReplayOf(d.ReplayOf)
	}
	row, err := c.Save(ctx)
	if err != nil {
		return webhooks.Delivery{}, err
	}
	return toDelivery(row), nil
}

// WebhookDelivery reads one delivery.
func (s *Store) WebhookDelivery(ctx context.Context, brandID, id string) (webhooks.Delivery, error) {
	row, err := s.ent(ctx).WebhookDelivery.Query().Where(webhookdelivery.BrandID(brandID), webhookdelivery.ID(id)).Only(ctx)
	if err != nil {
		return webhooks.Delivery{}, webhooksErr(err)
	}
	return toDelivery(row), nil
}

// WebhookDeliveries pages an endpoint's deliveries, newest first; the cursor is the last id.
func (s *Store) WebhookDeliveries(ctx context.Context, brandID, endpointID, status string, p webhooks.Page) ([]webhooks.Delivery, string, error) {
	limit := clampLimit(p.Limit)
	q := s.ent(ctx).WebhookDelivery.Query().
		Where(webhookdelivery.BrandID(brandID), webhookdelivery.EndpointID(endpointID))
	if status != "" {
		q = q.Where(webhookdelivery.StatusEQ(webhookdelivery.Status(status)))
	}
	if p.Cursor != "" {
		q = q.Where(webhookdelivery.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(webhookdelivery.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]webhooks.Delivery, len(rows))
	for i, r := range rows {
		out[i] = toDelivery(r)
	}
	return out, next, nil
}

// RecordWebhookAttempt applies an attempt's result if the delivery is still pending with
// prevAttempts attempts (the guard makes a repeated job's record a no-op).
func (s *Store) RecordWebhookAttempt(ctx context.Context, brandID, id string, prevAttempts int, r webhooks.AttemptResult) (bool, error) {
	u := s.ent(ctx).WebhookDelivery.Update().
		Where(webhookdelivery.BrandID(brandID), webhookdelivery.ID(id),
			webhookdelivery.StatusEQ(webhookdelivery.StatusPending), webhookdelivery.Attempts(prevAttempts)).
		SetStatus(webhookdelivery.Status(r.Status)).SetAttempts(r.Attempts).SetLastStatusCode(r.StatusCode).
		SetLastError(truncate(r.Error, 512))
	if r.Attempts > prevAttempts {
		u.SetLastAttemptAt(r.At)
	}
	if r.NextAttemptAt != nil {
		u.SetNextAttemptAt(*r.NextAttemptAt)
	} else {
		u.ClearNextAttemptAt()
	}
	if r.DeliveredAtSet {
		u.SetDeliveredAt(r.At)
	}
	n, err := u.Save(ctx)
	return n == 1, err
}

var _ webhooks.Store = (*Store)(nil)

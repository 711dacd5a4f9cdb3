package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/channelsorders"
	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/channelsevent"
)

func toChannelsEvent(r *ent.ChannelsEvent) channelsorders.InboxEvent {
	return channelsorders.InboxEvent{ID: r.ID, BrandID: r.BrandID, Event: r.Event, OrderID: r.OrderID, EventKey: r.EventKey,
		Payload: []byte(r.Payload), ReceivedAt: r.ReceivedAt, ProcessedAt: r.ProcessedAt, Outcome: r.Outcome, LastError: r.LastError}
}

// AddChannelsEvent stores a pushed event unless its twin is stored (implements
// channelsorders.Store). The read first keeps resends, the common case, away from a failed
// insert, which would end a PostgreSQL transaction; the unique index settles two first pushes
// racing, and the loser answers ErrDuplicate.
func (s *Store) AddChannelsEvent(ctx context.Context, e channelsorders.InboxEvent) (string, bool, error) {
	c := s.ent(ctx)
	existing, err := c.ChannelsEvent.Query().Where(channelsevent.BrandID(e.BrandID), channelsevent.Event(e.Event),
		channelsevent.OrderID(e.OrderID), channelsevent.EventKey(e.EventKey)).Only(ctx)
	switch {
	case err == nil:
		return existing.ID, false, nil
	case !ent.IsNotFound(err):
		return "", false, err
	}
	row, err := c.ChannelsEvent.Create().SetBrandID(e.BrandID).SetEvent(e.Event).SetOrderID(e.OrderID).
		SetEventKey(e.EventKey).SetPayload(string(e.Payload)).SetReceivedAt(e.ReceivedAt).Save(ctx)
	if ent.IsConstraintError(err) {
		return "", false, fmt.Errorf("%w: %v", channelsorders.ErrDuplicate, err)
	}
	if err != nil {
		return "", false, err
	}
	return row.ID, true, nil
}

// ChannelsEvent reads one stored event of a brand.
func (s *Store) ChannelsEvent(ctx context.Context, brandID, id string) (channelsorders.InboxEvent, error) {
	row, err := s.ent(ctx).ChannelsEvent.Query().Where(channelsevent.BrandID(brandID), channelsevent.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return channelsorders.InboxEvent{}, channelsorders.ErrNotFound
	}
	if err != nil {
		return channelsorders.InboxEvent{}, err
	}
	return toChannelsEvent(row), nil
}

// FinishChannelsEvent marks an event applied; only the first finish counts.
func (s *Store) FinishChannelsEvent(ctx context.Context, brandID, id, outcome string, at time.Time) error {
	_, err := s.ent(ctx).ChannelsEvent.Update().
		Where(channelsevent.BrandID(brandID), channelsevent.ID(id), channelsevent.ProcessedAtIsNil()).
		SetProcessedAt(at).SetOutcome(outcome).SetLastError("").Save(ctx)
	return err
}

// NoteChannelsEventError keeps why the last attempt at an unfinished event failed.
func (s *Store) NoteChannelsEventError(ctx context.Context, brandID, id, message string) error {
	_, err := s.ent(ctx).ChannelsEvent.Update().
		Where(channelsevent.BrandID(brandID), channelsevent.ID(id), channelsevent.ProcessedAtIsNil()).
		SetLastError(truncate(message, 500)).Save(ctx)
	return err
}

// CountChannelsEvents counts a brand's stored events (tests, the admin's backlog view).
func (s *Store) CountChannelsEvents(ctx context.Context, brandID string) (int, error) {
	return s.ent(ctx).ChannelsEvent.Query().Where(channelsevent.BrandID(brandID)).Count(ctx)
}

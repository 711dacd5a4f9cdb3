// Package events names the business events a brand can receive on its outgoing webhooks
// (API.md "Outgoing webhooks") and declares the Emitter the domain packages call. It holds
// no I/O: the webhook edge implements Emitter by writing the event and its deliveries in the
// caller's transaction (store.WithTx), so an event exists exactly when its change commits.
package events

import "context"

// Event types (API.md).
const (
	ReservationCreated   = "reservation.created"
	ReservationCancelled = "reservation.cancelled"
	OrderAttributed      = "order.attributed"
	CommissionAvailable  = "commission.available"
	CommissionReversed   = "commission.reversed"
	PayoutPaid           = "payout.paid"
	PayoutFailed         = "payout.failed"
)

// Types lists every event type, in API.md's order.
var Types = []string{ReservationCreated, ReservationCancelled, OrderAttributed,
	CommissionAvailable, CommissionReversed, PayoutPaid, PayoutFailed}

// Emitter records one event for brandID. Call it inside the transaction of the change it
// reports; data is marshalled to JSON as the envelope's "data".
type Emitter interface {
	Emit(ctx context.Context, brandID, eventType string, data any) error
}

// Nop drops events (tests, and services built before the webhook edge exists).
type Nop struct{}

func (Nop) Emit(context.Context, string, string, any) error { return nil }

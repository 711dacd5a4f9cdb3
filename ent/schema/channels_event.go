package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ChannelsEvent is the inbox of the Channels shop's message push: one row per distinct event,
// stored (decrypted) before sharecast answers "success", so the job that applies it can run
// later and retry. Pushes carry no event id and WeChat resends a message up to ten times, so
// (brand, event, order, the event's own field) is unique: a resend finds the row and changes
// nothing.
type ChannelsEvent struct{ ent.Schema }

func (ChannelsEvent) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (ChannelsEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("event").MaxLen(64).Immutable().NotEmpty(),
		// order_id is the shop's order id as a string: Channels ids exceed 2^53.
		field.String("order_id").MaxLen(64).Immutable().NotEmpty(),
		// event_key is the event's own field (pay_time, cancel_type, confirm_type,
		// settle_time, or after-sale id + status) that tells two events of one order apart.
		field.String("event_key").MaxLen(160).Immutable().NotEmpty(),
		// payload is the decrypted message, as WeChat sent it.
		field.Text("payload").Immutable(),
		field.Time("received_at").Immutable(),
		// processed_at is set once the job applied (or knowingly skipped) the event.
		field.Time("processed_at").Optional().Nillable(),
		field.String("outcome").MaxLen(32).Default(""),
		// last_error is why the last attempt failed, for operators (never shown to clients).
		field.String("last_error").MaxLen(500).Default(""),
	}
}

func (ChannelsEvent) Edges() []ent.Edge {
	return []ent.Edge{
		// Unidirectional (no edge back from Brand): a new entity needs no edit of brand.go.
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (ChannelsEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "event", "order_id", "event_key").Unique(),
		index.Fields("brand_id", "order_id"),
		// the backlog of events not yet applied
		index.Fields("brand_id", "processed_at"),
	}
}

package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// WebhookDelivery is one event on its way to one endpoint: pending while it is retried,
// then succeeded or dead. A replay is a new delivery pointing at the one it repeats.
type WebhookDelivery struct{ ent.Schema }

func (WebhookDelivery) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("endpoint_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("event_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("event_type").MaxLen(64).Immutable().NotEmpty(),
		field.Enum("status").Values("pending", "succeeded", "dead").Default("pending"),
		field.Int("attempts").Default(0).NonNegative(),
		field.Time("next_attempt_at").Optional().Nillable(),
		field.Time("last_attempt_at").Optional().Nillable(),
		field.Int("last_status_code").Default(0),
		field.String("last_error").MaxLen(512).Default(""),
		field.Time("delivered_at").Optional().Nillable(),
		field.String("replay_of").MaxLen(36).Optional().Nillable().Immutable(),
		// After deadline_at a failed attempt makes the delivery dead (24 h after creation).
		field.Time("deadline_at").Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "endpoint_id", "status"),
		index.Fields("brand_id", "event_id"),
	}
}

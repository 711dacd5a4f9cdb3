package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// WebhookEvent is one business event for a brand's webhooks, written in the transaction of
// the change it reports. Immutable: every delivery and replay sends the same envelope.
type WebhookEvent struct{ ent.Schema }

func (WebhookEvent) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (WebhookEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("type").MaxLen(64).Immutable().NotEmpty(),
		// data is the envelope's "data", JSON.
		field.Text("data").Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (WebhookEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (WebhookEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "created_at")}
}

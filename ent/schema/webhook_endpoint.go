package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// WebhookEndpoint is a brand's URL that receives signed events. Deleting one keeps the row
// (its delivery log still names it) and stops its deliveries.
type WebhookEndpoint struct{ ent.Schema }

func (WebhookEndpoint) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("url").MaxLen(2048).Immutable().NotEmpty(),
		field.String("description").MaxLen(256).Immutable().Default(""),
		// event_types is a JSON list; empty means every type.
		field.Text("event_types").Immutable().Default("[]"),
		// The signing secret, sealed (secrets.Box); shown once at creation.
		field.Bytes("secret_sealed").Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("deleted_at").Optional().Nillable(),
	}
}

func (WebhookEndpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (WebhookEndpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "deleted_at")}
}

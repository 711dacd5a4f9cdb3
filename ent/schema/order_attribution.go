package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OrderAttribution is one version of an order's attribution: who, by which rule, why, and who
// decided (the system at payment, an admin on reassign). Append-only: the history answers
// "why did this order go to whom".
type OrderAttribution struct{ ent.Schema }

func (OrderAttribution) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (OrderAttribution) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("order_id").Immutable().NotEmpty(),
		field.Int("version").Immutable().Positive(),
		field.String("member_id").MaxLen(36).Optional().Nillable().Immutable(),
		field.Enum("rule").Values("platform_sharer", "share_code", "binding", "last_touch", "none", "admin").Immutable(),
		field.String("reason").MaxLen(512).Immutable().Default(""),
		field.Enum("actor_type").Values("system", "admin").Immutable(),
		field.String("actor_id").MaxLen(36).Immutable().Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (OrderAttribution) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("order", Order.Type).Field("order_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (OrderAttribution) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "order_id", "version").Unique(),
	}
}

package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ParkedOrderEvent is an order event that arrived before the order's pay event (pushes come
// out of order). It is applied, then deleted, when the order is paid.
type ParkedOrderEvent struct{ ent.Schema }

func (ParkedOrderEvent) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (ParkedOrderEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.Enum("source").Values("channels", "open_api").Immutable(),
		field.String("external_id").MaxLen(64).Immutable().NotEmpty(),
		field.Enum("kind").Values("confirm", "cancel", "settle", "after_sale").Immutable(),
		// key tells events of one kind apart: the after-sale id and state; "" for the others.
		field.String("key").MaxLen(96).Immutable().Default(""),
		field.Text("payload").Immutable().Default("{}"),
		field.Time("at").Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (ParkedOrderEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (ParkedOrderEvent) Indexes() []ent.Index {
	return []ent.Index{
		// A repeated early event parks once.
		index.Fields("brand_id", "source", "external_id", "kind", "key").Unique(),
	}
}

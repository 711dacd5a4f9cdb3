package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Binding is a buyer's current relationship with a sharer (DESIGN §3.4), one row per buyer
// member. sharer_id is empty while the buyer is unbound; touches_through is how far the
// buyer's touches have been folded into it. Every change is a BindingChange row.
type Binding struct{ ent.Schema }

func (Binding) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Binding) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("buyer_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("sharer_id").MaxLen(36).Default(""),
		field.String("mode").MaxLen(16).Default(""),
		field.Time("bound_at").Optional().Nillable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("protected_until").Optional().Nillable(),
		field.Time("touches_through").Optional().Nillable(),
	}
}

func (Binding) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Binding) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "buyer_id").Unique(),
		index.Fields("brand_id", "sharer_id"),
	}
}

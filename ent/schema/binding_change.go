package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// BindingChange is the audit row of one binding change; the rows of a buyer, ordered by at,
// also answer "who was this buyer bound to at time t".
type BindingChange struct{ ent.Schema }

func (BindingChange) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (BindingChange) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("buyer_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("from_sharer_id").MaxLen(36).Immutable().Default(""),
		field.String("to_sharer_id").MaxLen(36).Immutable().Default(""),
		field.String("mode").MaxLen(16).Immutable().Default(""),
		field.Enum("cause").Values("touch", "order", "admin").Immutable(),
		// ref is the touch or order id that caused the change.
		field.String("ref").MaxLen(64).Immutable().Default(""),
		field.String("reason").MaxLen(256).Immutable().Default(""),
		field.Time("at").Immutable(),
		field.Time("expires_at").Optional().Nillable().Immutable(),
		field.Time("protected_until").Optional().Nillable().Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (BindingChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (BindingChange) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "buyer_id", "at"),
	}
}

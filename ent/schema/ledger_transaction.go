package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LedgerTransaction groups ≥ 2 entries that sum to zero. Immutable; ref is unique per brand,
// so a business change can never post the same movement twice.
type LedgerTransaction struct{ ent.Schema }

func (LedgerTransaction) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (LedgerTransaction) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("kind").MaxLen(32).Immutable().NotEmpty(),
		field.String("ref").MaxLen(128).Immutable().NotEmpty(),
		field.String("memo").MaxLen(256).Immutable().Default(""),
		// posted_at is the business clock's time; created_at the database writer's.
		field.Time("posted_at").Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (LedgerTransaction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (LedgerTransaction) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "ref").Unique(),
		index.Fields("brand_id", "posted_at"),
	}
}

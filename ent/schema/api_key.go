package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// APIKey lets a brand's own systems call /open/v1. The key is "<id>.<secret>": the id is
// global (the key is looked up before the brand is known), the secret is kept only as a hash.
type APIKey struct{ ent.Schema }

func (APIKey) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("name").MaxLen(64).Immutable().Default(""),
		field.Bytes("secret_hash").Immutable().Sensitive(),
		field.String("created_by").MaxLen(36).Immutable().Default(""),
		field.Time("created_at").Immutable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (APIKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "created_at")}
}

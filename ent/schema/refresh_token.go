package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RefreshToken is one member refresh token ("<id>.<secret>", only the secret's hash stored).
// Tokens of one login form a family; a reuse after the grace window revokes the family.
type RefreshToken struct{ ent.Schema }

func (RefreshToken) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("member_id").Immutable().NotEmpty(),
		field.String("family_id").Immutable().NotEmpty(),
		field.Bytes("secret_hash").Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		// used_at and replaced_by are set once, by a guarded UPDATE, when the token is rotated.
		field.Time("used_at").Optional().Nillable(),
		field.String("replaced_by").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (RefreshToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("brand", Brand.Type).Ref("refresh_tokens").Field("brand_id").Unique().Required().Immutable(),
	}
}

func (RefreshToken) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "member_id"),
		index.Fields("family_id"),
	}
}

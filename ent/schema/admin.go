package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Admin is a brand-scoped console user.
type Admin struct{ ent.Schema }

func (Admin) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Admin) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("username").MaxLen(64).NotEmpty(),
		field.String("password_hash").Sensitive(),
		field.Enum("role").Values("owner", "operator", "finance"),
		field.Bool("disabled").Default(false),
		field.Time("last_login_at").Optional().Nillable(),
	}
}

func (Admin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("brand", Brand.Type).Ref("admins").Field("brand_id").Unique().Required().Immutable(),
	}
}

func (Admin) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "username").Unique()}
}

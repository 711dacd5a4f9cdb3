package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AdminSession is one console login. The token handed out is "<id>.<secret>"; only a hash of
// the secret is stored. Logout and disabling revoke it.
type AdminSession struct{ ent.Schema }

func (AdminSession) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (AdminSession) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("admin_id").Immutable().NotEmpty(),
		field.Bytes("secret_hash").Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (AdminSession) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("brand", Brand.Type).Ref("admin_sessions").Field("brand_id").Unique().Required().Immutable(),
	}
}

func (AdminSession) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "admin_id")}
}

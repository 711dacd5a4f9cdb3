package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditLog records every admin action (and CLI actions on a brand). Append-only.
type AuditLog struct{ ent.Schema }

func (AuditLog) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (AuditLog) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.Enum("actor_type").Values("admin", "cli", "system").Immutable(),
		field.String("actor_id").Immutable().Default(""),
		field.String("action").MaxLen(64).Immutable().NotEmpty(),
		field.String("target_type").MaxLen(32).Immutable().Default(""),
		field.String("target_id").MaxLen(64).Immutable().Default(""),
		// detail is JSON; never secrets (write-only fields appear as their names only).
		field.Text("detail").Immutable().Default("{}"),
		field.String("request_id").MaxLen(64).Immutable().Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (AuditLog) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("brand", Brand.Type).Ref("audit_logs").Field("brand_id").Unique().Required().Immutable(),
	}
}

func (AuditLog) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "created_at")}
}
